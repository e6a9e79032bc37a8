import { ResourceValidationPolicy } from "@pulumi/policy";
import { GrantedDocument, validateGrants } from "./iamGrants";
import { allowedActions, iamStatements } from "./iamPolicyDocument";
import { PARAMETER_WRITE_ACTIONS } from "./parameterActions";
import { grantTargets, targetReachesUnder } from "./parameterArns";
import { WEBHOOKS_PATH } from "./webhooksScope";

/** Grants, in any stack and to any principal the notifier's role included, that can change /webhooks/ parameters. */
export function parameterWriteViolations(documents: GrantedDocument[]): string[] {
  const violations: string[] = [];
  for (const { label, document } of documents) {
    for (const statement of iamStatements(document)) {
      const writes = allowedActions(statement, PARAMETER_WRITE_ACTIONS);
      if (writes.length === 0) continue;
      for (const target of grantTargets(statement)) {
        if (!targetReachesUnder(target, WEBHOOKS_PATH)) continue;
        violations.push(
          `${label} statement ${statement.label} allows ${writes.join(", ")} on ${target.shown}, which reaches ` +
            `the receiver parameters under /webhooks/: whoever may change them can send a receiver's notices ` +
            `to another URL. Remove these actions, or limit Resource to parameters outside /webhooks/.`,
        );
      }
    }
  }
  return violations;
}

export const webhooksParametersReadOnly: ResourceValidationPolicy = {
  name: "webhooks-parameters-read-only",
  description:
    "No IAM grant, of any principal in any stack (the notifier's included), may change a parameter under " +
    "/webhooks/: a new value sends a receiver's notices (and their credentials) to another URL. Checked " +
    "actions: ssm:PutParameter, DeleteParameter, DeleteParameters, LabelParameterVersion, " +
    "UnlabelParameterVersion, AddTagsToResource, RemoveTagsFromResource, PutResourcePolicy and " +
    "DeleteResourcePolicy, in every policy document notifier-least-privilege reads. To fix: remove those " +
    "actions, or limit the grant's Resource to parameters outside /webhooks/. Receiver parameters change " +
    "through `pulumi up` of their codebuild-webhooks stack, with the deployer's own credentials.",
  enforcementLevel: "mandatory",
  validateResource: validateGrants(({ documents }) => parameterWriteViolations(documents)),
};
