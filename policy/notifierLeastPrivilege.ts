import { ResourceValidationPolicy } from "@pulumi/policy";
import { GrantedDocument, validateGrants } from "./iamGrants";
import { allowedActions, iamStatements } from "./iamPolicyDocument";
import { PARAMETER_READ_ACTIONS } from "./parameterActions";
import {
  grantTargets,
  reachesOnlyAsPathAbove,
  targetReachesOutside,
  targetReachesUnder,
} from "./parameterArns";
import { WEBHOOKS_PATH, isWebhooksProject, renamedCopyHint } from "./webhooksScope";

/** Why a grant on a path above the parameters reaches them. */
const BY_PATH = "GetParametersByPath reads every parameter below a path it may read";

/** An IAM wildcard or policy variable: a pattern that can stand for more than one name. */
const WILDCARD = /[*?]|\$\{/;

/**
 * Grants of parameter reads that reach too far. In a codebuild-webhooks stack: anything beyond
 * `parameter/webhooks/*`, and any read of /webhooks/ that is not a role's inline policy (the one way the
 * notifier's read is granted; which role it is, the stack policy `notifier-only-reader` checks). In other
 * stacks: any read that reaches /webhooks/.
 */
export function parameterReadViolations(documents: GrantedDocument[], project: string): string[] {
  const inWebhooksProject = isWebhooksProject(project);
  const violations: string[] = [];
  for (const { label, document, holder } of documents) {
    for (const statement of iamStatements(document)) {
      const reads = allowedActions(statement, PARAMETER_READ_ACTIONS);
      if (reads.length === 0) continue;
      for (const target of grantTargets(statement)) {
        const asPath =
          target.pattern !== undefined && reachesOnlyAsPathAbove(target.pattern, WEBHOOKS_PATH)
            ? ` (a path above /webhooks/: ${BY_PATH})`
            : "";
        const grant = `${label} statement ${statement.label} allows ${reads.join(", ")} on ${target.shown}${asPath}`;
        const reachesWebhooks = targetReachesUnder(target, WEBHOOKS_PATH);
        const reachesOutside = targetReachesOutside(target, WEBHOOKS_PATH);
        const sweeping = reachesOutside && (target.pattern === undefined || WILDCARD.test(target.pattern));
        if (inWebhooksProject && reachesWebhooks && holder !== "role") {
          violations.push(
            `${grant}, which reaches the receiver credentials under /webhooks/: in a codebuild-webhooks stack ` +
              `only the notifier's role reads them, through its inline policy. Remove this grant.`,
          );
        } else if (inWebhooksProject && reachesOutside) {
          violations.push(
            `${grant}, which reaches parameters outside /webhooks/. ` +
              `Limit Resource to "arn:aws:ssm:<region>:<account>:parameter/webhooks/*".`,
          );
        } else if (!inWebhooksProject && reachesWebhooks) {
          violations.push(
            sweeping
              ? `${grant}, which also reaches the receiver credentials under /webhooks/. ` +
                  `Name this stack's own parameters instead of a wildcard.`
              : `${grant}, which reaches the receiver credentials under /webhooks/: only the notifier of a ` +
                  `codebuild-webhooks stack reads them. Remove this grant. ${renamedCopyHint(project)}`,
          );
        }
      }
    }
  }
  return violations;
}

export const notifierLeastPrivilege: ResourceValidationPolicy = {
  name: "notifier-least-privilege",
  description:
    "The receiver credentials under /webhooks/ are readable by the notifier only, and the notifier reads " +
    "nothing else. Checked: every IAM policy document of every principal (aws.iam.Policy, RolePolicy, " +
    "UserPolicy, GroupPolicy, a role's inlinePolicies, their aws-native counterparts, IAM Identity Center " +
    "permission sets' inline policies, and the IAM resources of CloudFormation templates and Cloud Control), for ssm:GetParameter, GetParameters, " +
    "GetParametersByPath and GetParameterHistory, with wildcards, NotAction, NotResource and policy " +
    "variables (${...}, which can stand for anything) read as IAM reads them. In a codebuild-webhooks stack " +
    "a read may reach parameter/webhooks/* only, and only through a role's inline policy; in stacks of " +
    "other projects no read may reach /webhooks/. To fix: grant ssm:GetParameter and ssm:GetParameters on " +
    "arn:aws:ssm:<region>:<account>:parameter/webhooks/* in the notifier role's inline policy only; other " +
    "stacks name their own parameters.",
  enforcementLevel: "mandatory",
  validateResource: validateGrants(({ documents }, project) => parameterReadViolations(documents, project)),
};
