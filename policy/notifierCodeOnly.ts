import { StackValidationPolicy } from "@pulumi/policy";
import { iamGrantsOf } from "./iamGrants";
import { patternReachesArns } from "./iamPattern";
import { IamStatement, allowedActions, iamStatements } from "./iamPolicyDocument";
import { GrantTarget, grantTargets, withVariablesAsWildcards } from "./parameterArns";
import {
  ReportStackViolation,
  SHOWN_NOTIFIER_TAG,
  StackResource,
  forEachKnown,
  functionRoles,
  isNotifierRole,
  knownProp,
  notifierRoles,
  shownRole,
  stackRoles,
  validateWebhooksStack,
} from "./stackResources";

/** Passing a role to a service: what creating a function that runs as it takes, besides the power to. */
const PASS_ROLE = ["iam:PassRole"];

/**
 * The power to create a function, or give one a role: Lambda's own calls, and CloudFormation's and
 * Cloud Control's, which create a template's functions with the caller's permissions (iam:PassRole
 * included) or with a service role's.
 */
const FUNCTION_WRITES = [
  "lambda:CreateFunction",
  "lambda:UpdateFunctionConfiguration",
  "cloudformation:CreateStack",
  "cloudformation:UpdateStack",
  "cloudformation:CreateChangeSet",
  "cloudformation:CreateStackSet",
  "cloudformation:UpdateStackSet",
  "cloudformation:CreateStackInstances",
  "cloudformation:UpdateStackInstances",
  "cloudformation:CreateResource",
  "cloudformation:UpdateResource",
];

/**
 * What changes the code the notifier's function runs, as the notifier's role, with no role passed: its
 * code, and its configuration (a layer, another handler).
 */
const CODE_CHANGES = ["lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration"];

/** A statement of a policy document some resource of the stack grants. */
interface StackStatement {
  resource: StackResource;
  label: string;
  statement: IamStatement;
}

/** Whether a grant's target covers an ARN; an ARN not known yet (a preview) is any of `family`. */
function covers(target: GrantTarget, arn: unknown, family: string): boolean {
  if (target.pattern === undefined) return true;
  const pattern = withVariablesAsWildcards(target.pattern);
  return patternReachesArns(pattern, typeof arn === "string" ? arn : family);
}

/**
 * In a codebuild-webhooks stack, only the notifier's code runs as the notifier's role. No principal of
 * the stack may pass the role (iam:PassRole on it) while the stack grants the power to create functions
 * or give one a role: with both, a function of anyone's making runs as the role and reads every
 * receiver credential. The pack cannot tell which grants one principal holds together (a user's groups,
 * a managed policy attached elsewhere), so both anywhere in the stack count. And no principal may
 * change the notifier function's code or configuration, which runs other code as the role without
 * passing it.
 */
export function notifierCodeViolations(
  resources: readonly StackResource[],
  report: ReportStackViolation,
): void {
  const roles = stackRoles(resources);
  const notifiers = notifierRoles(roles);
  if (notifiers.length === 0) return;
  const notifierFunctions = functionRoles(resources, roles).filter(({ role }) =>
    isNotifierRole(role, notifiers),
  );
  const statements: StackStatement[] = [];
  forEachKnown(resources, (resource) => {
    for (const { label, document } of iamGrantsOf(resource)?.documents ?? []) {
      for (const statement of iamStatements(document)) statements.push({ resource, label, statement });
    }
  });
  const shown = ({ resource, label, statement }: StackStatement) =>
    `${label} statement ${statement.label} of "${resource.name}"`;
  const creating = statements.find(({ statement }) => allowedActions(statement, FUNCTION_WRITES).length > 0);
  for (const granted of statements) {
    const { resource, statement } = granted;
    if (creating && allowedActions(statement, PASS_ROLE).length > 0) {
      for (const notifier of notifiers) {
        const target = grantTargets(statement).find((one) =>
          covers(one, knownProp(notifier, "arn"), "arn:*:iam::*:role/*"),
        );
        if (!target) continue;
        const power = allowedActions(creating.statement, FUNCTION_WRITES).join(", ");
        report({
          urn: resource.urn,
          message:
            `${shown(granted)} allows iam:PassRole on ${target.shown}, which covers ${shownRole(notifier)}, ` +
            `the notifier's (tagged ${SHOWN_NOTIFIER_TAG}), and ${shown(creating)} allows ${power}: with ` +
            `both, a function of anyone's making runs as the notifier's role and reads every receiver ` +
            `credential. Limit iam:PassRole in this stack to other roles; the identity deploying the stack ` +
            `passes the notifier's role, outside it.`,
        });
      }
    }
    const changes = allowedActions(statement, CODE_CHANGES);
    if (changes.length === 0) continue;
    for (const { fn, shown: function_ } of notifierFunctions) {
      const target = grantTargets(statement).find((one) =>
        covers(one, knownProp(fn, "arn"), "arn:*:lambda:*:*:function:*"),
      );
      if (!target) continue;
      report({
        urn: resource.urn,
        message:
          `${shown(granted)} allows ${changes.join(", ")} on ${target.shown}, which covers the notifier ` +
          `(${function_}): whoever may change its code or configuration (a layer, a handler) runs code of ` +
          `their own as the notifier's role, and reads every receiver credential. Remove these actions; ` +
          `the notifier's code changes through pulumi up.`,
      });
    }
  }
}

export const notifierCodeOnly: StackValidationPolicy = {
  name: "notifier-code-only",
  description:
    "In a codebuild-webhooks stack, only the notifier's code runs as the notifier's role. No grant of the " +
    "stack, to any principal, allows iam:PassRole on the notifier's role (or a pattern covering it, *) while " +
    "the stack grants the power to create a function or give one a role (lambda:CreateFunction, " +
    "UpdateFunctionConfiguration, cloudformation:CreateStack, UpdateStack, CreateChangeSet, stack sets, " +
    "Cloud Control's CreateResource and UpdateResource); and none allows lambda:UpdateFunctionCode or " +
    "UpdateFunctionConfiguration on the notifier's function. Either would run code of anyone's making as the " +
    "role that reads the receiver credentials. Checked on the whole stack, at the end of a preview and of an " +
    "update. To fix: limit iam:PassRole to other roles and remove function changes from the stack's grants; " +
    "the identity deploying the stack passes the role and changes the code, outside the stack.",
  enforcementLevel: "mandatory",
  validateStack: validateWebhooksStack(notifierCodeViolations),
};
