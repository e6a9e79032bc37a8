import { StackValidationPolicy } from "@pulumi/policy";
import { allowedActions, iamStatements } from "./iamPolicyDocument";
import { PARAMETER_READ_ACTIONS } from "./parameterActions";
import { grantTargets, targetReachesUnder } from "./parameterArns";
import {
  ReportStackViolation,
  SHOWN_NOTIFIER_TAG,
  StackResource,
  forEachKnown,
  functionRoles,
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

const shownNames = (resources: readonly StackResource[]) =>
  resources.map((resource) => `"${resource.name}"`).join(", ");

/**
 * In a codebuild-webhooks stack, the notifier's role is the role tagged as the notifier's (one role);
 * only Lambda may assume it, only one function runs as it, and no other role reads parameters under
 * /webhooks/. Every function runs as a role of the stack: the pack sees nothing of another.
 */
export function notifierReaderViolations(
  resources: readonly StackResource[],
  report: ReportStackViolation,
): void {
  const roles = stackRoles(resources);
  const notifiers = notifierRoles(roles);
  if (notifiers.length > 1) {
    report({
      message:
        `Roles ${shownNames(notifiers)} carry the notifier's tag ${SHOWN_NOTIFIER_TAG}: a stack has one ` +
        `notifier's role, the only one that may read the receiver credentials. Remove the tag from every ` +
        `role but the notifier's.`,
    });
  }
  for (const role of notifiers) trustViolations(role, report);
  const functions = functionRoles(resources, roles);
  for (const { fn, role, shown } of functions) {
    if (typeof role !== "string") continue;
    report({
      urn: fn.urn,
      message:
        `${shown} runs as ${shownRole(role)}, which this stack does not manage: the pack cannot check ` +
        `what that role may do or who may assume it. Create the function's role in this stack.`,
    });
  }
  for (const notifier of notifiers) {
    const running = functions.filter(({ role }) => isNotifierRole(role, [notifier]));
    if (running.length < 2) continue;
    report({
      message:
        `${running.length} functions run as ${shownRole(notifier)}, the notifier's: ` +
        `${running.map(({ shown }) => shown).join("; ")}. Whatever runs as it reads the receiver ` +
        `credentials. Give every function but the notifier a role of its own.`,
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
              `which is not the notifier's role (the stack's role tagged ${SHOWN_NOTIFIER_TAG}): only the ` +
              `notifier reads the receiver credentials under /webhooks/. Remove this grant.`,
          });
        }
      }
    }
  });
}

export const notifierOnlyReader: StackValidationPolicy = {
  name: "notifier-only-reader",
  description:
    "In a codebuild-webhooks stack, the receiver credentials are read by the notifier's role only: the one " +
    `role of the stack tagged ${SHOWN_NOTIFIER_TAG} (the program tags it), trusting lambda.amazonaws.com ` +
    "only, and the role of one function only. A role policy or inline policy of any other role that reads " +
    "parameters under /webhooks/ is a violation, and so is a function running as a role the stack does not " +
    "manage (the pack can see nothing of it). Checked on the whole stack, at the end of a preview and of an " +
    "update. To fix: keep the notifier's role as the program makes it, trusting Lambda only, grant " +
    "parameter reads in its inline policy only, and give other functions roles of their own.",
  enforcementLevel: "mandatory",
  validateStack: validateWebhooksStack(notifierReaderViolations),
};
