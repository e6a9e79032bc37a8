import * as dynamodb from "@pulumi/aws/dynamodb";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isWebhooksProject, projectOfUrn, renamedCopyHint } from "./webhooksScope";

/**
 * A table item keyed like a registration (`project`, `hook_url_param_name`) registers a receiver with the
 * notifier that reads the table. Only the codebuild-webhooks stack owning the registry writes those: it
 * checks the receiver's parameters and secrets along with them.
 */
export function registryItemViolations(
  item: { hashKey?: string; rangeKey?: string; tableName?: string },
  project: string,
): string[] {
  if (isWebhooksProject(project) || item.hashKey !== "project" || item.rangeKey !== "hook_url_param_name") {
    return [];
  }
  return [
    `Table item in table "${item.tableName}" is a receiver registration (keys project and ` +
      `hook_url_param_name) made by a stack of project "${project}": it would register a receiver outside ` +
      `the codebuild-webhooks stack that owns the registry and checks its receivers. Add the receiver to ` +
      `that stack (receivers/<name>.yaml) and remove this item. ${renamedCopyHint(project)}`,
  ];
}

export const registryItemsOwned: ResourceValidationPolicy = {
  name: "registry-items-owned",
  description:
    "Receiver registrations (aws.dynamodb.TableItem keyed by project and hook_url_param_name) are made by " +
    "codebuild-webhooks stacks only: an item from a stack of another project would register a receiver " +
    "that no receiver file describes and no policy checked. To fix: add the receiver to the " +
    "codebuild-webhooks stack (receivers/<name>.yaml) and remove the item.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(dynamodb.TableItem, (item, args, reportViolation) => {
    for (const violation of registryItemViolations(item, projectOfUrn(args.urn))) reportViolation(violation);
  }),
};
