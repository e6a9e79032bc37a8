import { StackValidationPolicy } from "@pulumi/policy";
import { allowedActions, iamStatements } from "./iamPolicyDocument";
import { PARAMETER_READ_ACTIONS } from "./parameterActions";
import { grantTargets, targetReachesUnder } from "./parameterArns";
import {
  ReportStackViolation,
  StackResource,
  forEachKnown,
  isNotifierRole,
  notifierRoles,
  roleInlineDocuments,
  shownRole,
  stackRoles,
  trustStatements,
  validateWebhooksStack,
} from "./stackResources";
import { WEBHOOKS_PATH } from "./webhooksScope";

function isOnlyLambda(principal: unknown): boolean {
  if (typeof principal !== "object" || principal === null) return false;
  const entries = Object.entries(principal);
  return (
    entries.length === 1 &&
    entries[0][0] === "Service" &&
    [entries[0][1]].flat().every((service) => service === "lambda.amazonaws.com")
  );
}

/** Whoever may assume the notifier's role reads what it reads: Lambda only. */
function trustViolations(role: StackResource, report: ReportStackViolation): void {
  for (const statement of trustStatements(role)) {
    if (
      statement.effect !== "Allow" ||
      (statement.notPrincipal === undefined && isOnlyLambda(statement.principal))
    ) {
      continue;
    }
    const who =
      statement.notPrincipal === undefined
        ? JSON.stringify(statement.principal ?? "anyone")
        : `every principal but ${JSON.stringify(statement.notPrincipal)}`;
    report({
      urn: role.urn,
      message:
        `Role "${role.name}", the notifier's, can be assumed by ${who} (trust policy statement ` +
        `${statement.label}): whoever assumes it reads the receiver credentials. Trust ` +
        `{ Service: "lambda.amazonaws.com" } only.`,
    });
  }
}

/**
 * In a codebuild-webhooks stack, the notifier's role is the role of its Lambda function, and it must be a
 * role of the stack (the pack sees nothing of another); only Lambda may assume it, and no other role
 * reads parameters under /webhooks/.
 */
export function notifierReaderViolations(
  resources: readonly StackResource[],
  report: ReportStackViolation,
): void {
  const roles = stackRoles(resources);
  const notifiers = notifierRoles(resources, roles);
  for (const { notifier, role } of notifiers) {
    if (typeof role !== "string") {
      trustViolations(role, report);
      continue;
    }
    report({
      urn: notifier.urn,
      message:
        `Function "${notifier.name}" runs as ${shownRole(role)}, which this stack does not manage: the pack ` +
        `cannot check what that role may do or who may assume it. Create the notifier's role in this stack.`,
    });
  }
  forEachKnown(resources, (resource) => {
    const held = roleInlineDocuments(resource, roles);
    if (!held || isNotifierRole(held.role, notifiers)) return;
    const holder = held.role === undefined ? "a role" : shownRole(held.role);
    for (const { label, document } of held.documents) {
      for (const statement of iamStatements(document)) {
        const reads = allowedActions(statement, PARAMETER_READ_ACTIONS);
        if (reads.length === 0) continue;
        for (const target of grantTargets(statement)) {
          if (!targetReachesUnder(target, WEBHOOKS_PATH)) continue;
          report({
            urn: resource.urn,
            message:
              `${label} statement ${statement.label} allows ${reads.join(", ")} on ${target.shown} to ${holder}, ` +
              `which is not the notifier's role (the role of the stack's Lambda function): only the notifier ` +
              `reads the receiver credentials under /webhooks/. Remove this grant.`,
          });
        }
      }
    }
  });
}

export const notifierOnlyReader: StackValidationPolicy = {
  name: "notifier-only-reader",
  description:
    "In a codebuild-webhooks stack, the receiver credentials are read by the notifier's role only: the " +
    "role of the stack's Lambda function, which must be a role of the stack (the pack can see nothing of " +
    "another role), trusting lambda.amazonaws.com only. A role policy or inline policy of any other role " +
    "that reads parameters under /webhooks/ is a violation. Checked on the whole stack, at the end of a " +
    "preview and of an update. To fix: create the notifier's role in the stack, trust Lambda only, and grant " +
    "parameter reads in that role's inline policy only.",
  enforcementLevel: "mandatory",
  validateStack: validateWebhooksStack(notifierReaderViolations),
};
