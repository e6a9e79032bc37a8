import * as dynamodb from "@pulumi/aws/dynamodb";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isWebhooksProject, projectOfUrn } from "./webhooksScope";

/**
 * The registry is the table of a codebuild-webhooks stack, or in any stack a table with the registry's key
 * schema (its items are written by hand with `aws dynamodb put-item` too).
 */
export function registryRecoveryViolations(
  table: { hashKey?: string; rangeKey?: string; pointInTimeRecovery?: { enabled?: boolean } },
  project: string,
): string[] {
  const isRegistry =
    isWebhooksProject(project) || (table.hashKey === "project" && table.rangeKey === "hook_url_param_name");
  if (!isRegistry || table.pointInTimeRecovery?.enabled === true) return [];
  return ["Registry table has no point-in-time recovery; set pointInTimeRecovery: { enabled: true }."];
}

export const registryRecoverable: ResourceValidationPolicy = {
  name: "registry-recoverable",
  description:
    "The receiver registry table has point-in-time recovery, so registrations deleted or overwritten by " +
    "mistake can be restored to any second of the last 35 days. To fix: set " +
    "pointInTimeRecovery: { enabled: true } on the table.",
  enforcementLevel: "advisory",
  validateResource: validateResourceOfType(dynamodb.Table, (table, args, reportViolation) => {
    for (const violation of registryRecoveryViolations(table, projectOfUrn(args.urn)))
      reportViolation(violation);
  }),
};
