import * as iam from "@pulumi/aws/iam";
import { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { actionPatternMatches, patternReachesArns } from "./iamPattern";
import { IamStatement, iamStatements } from "./iamPolicyDocument";
import { WEBHOOKS_PROJECT, projectOfUrn } from "./webhooksScope";

/** The SSM actions that read parameter values: what `ssm:GetParameter*` grants. */
const PARAMETER_READ_ACTIONS = [
  "ssm:GetParameter",
  "ssm:GetParameters",
  "ssm:GetParametersByPath",
  "ssm:GetParameterHistory",
];

const ANY_PARAMETER_ARN = "arn:*:ssm:*:*:parameter/*";
const WEBHOOKS_PARAMETER_ARN = "arn:*:ssm:*:*:parameter/webhooks/*";

/** A policy document some IAM resource grants, with how messages name it. */
export interface GrantedDocument {
  label: string;
  document: unknown;
}

function grantedReads(statement: IamStatement): string[] {
  if (statement.effect !== "Allow") return [];
  const covers = (patterns: string[], read: string) =>
    patterns.some((pattern) => actionPatternMatches(pattern, read));
  const { action, notAction } = statement;
  if (action) return PARAMETER_READ_ACTIONS.filter((read) => covers(action, read));
  if (notAction) return PARAMETER_READ_ACTIONS.filter((read) => !covers(notAction, read));
  return [];
}

/**
 * True when every ARN the pattern matches is a parameter under /webhooks/ (of any partition, region and
 * account). Parameter names hold no colon, so a pattern with the ARN's five colons cannot let a wildcard
 * of one field spill into the next.
 */
function staysUnderWebhooks(resource: string): boolean {
  const fields = resource.split(":");
  return (
    fields.length === 6 &&
    fields[0] === "arn" &&
    fields[2] === "ssm" &&
    fields[5].startsWith("parameter/webhooks/")
  );
}

interface GrantTarget {
  /** The Resource pattern, or the NotResource list, as the message shows it. */
  shown: string;
  reachesOutside: boolean;
  reachesWebhooks: boolean;
}

function grantTargets(statement: IamStatement): GrantTarget[] {
  if (statement.resource) {
    return statement.resource.map((resource) => ({
      shown: `"${resource}"`,
      reachesOutside: !staysUnderWebhooks(resource) && patternReachesArns(resource, ANY_PARAMETER_ARN),
      reachesWebhooks: patternReachesArns(resource, WEBHOOKS_PARAMETER_ARN),
    }));
  }
  if (statement.notResource) {
    // Everything but a list: nothing short of listing every other parameter keeps that inside /webhooks/.
    const shown = `every resource but ${JSON.stringify(statement.notResource)}`;
    return [{ shown, reachesOutside: true, reachesWebhooks: true }];
  }
  return [];
}

/**
 * Grants of `ssm:GetParameter*` that reach too far. In a codebuild-webhooks stack, anything beyond
 * `parameter/webhooks/*`. In other stacks, a pattern that sweeps the /webhooks/ parameters in together
 * with others (`*`, `parameter/*`, `parameter/webhook*`): those stacks' grants of their own parameters,
 * and deliberate grants of exactly /webhooks/, are left alone.
 */
export function parameterReadViolations(documents: GrantedDocument[], project: string): string[] {
  const inWebhooksProject = project === WEBHOOKS_PROJECT;
  const violations: string[] = [];
  for (const { label, document } of documents) {
    for (const statement of iamStatements(document)) {
      const reads = grantedReads(statement);
      if (reads.length === 0) continue;
      for (const target of grantTargets(statement)) {
        if (!target.reachesOutside || !(inWebhooksProject || target.reachesWebhooks)) continue;
        const grant = `${label} statement ${statement.label} allows ${reads.join(", ")} on ${target.shown}`;
        violations.push(
          inWebhooksProject
            ? `${grant}, which reaches parameters outside /webhooks/. ` +
                `Limit Resource to "arn:aws:ssm:<region>:<account>:parameter/webhooks/*".`
            : `${grant}, which also reaches the receiver credentials under /webhooks/. ` +
                `Name this stack's own parameters instead of a wildcard.`,
        );
      }
    }
  }
  return violations;
}

const BROAD_MANAGED_POLICY_NAME = /FullAccess$|^PowerUserAccess$|^AdministratorAccess(-|$)/;

/**
 * Managed policies too broad for the notifier's role. In a codebuild-webhooks stack every role is the
 * notifier's (the program creates no other), so every attachment of the stack is checked.
 */
export function managedPolicyViolations(policyArns: string[], project: string): string[] {
  if (project !== WEBHOOKS_PROJECT) return [];
  return policyArns
    .filter((arn) => BROAD_MANAGED_POLICY_NAME.test(arn.slice(arn.lastIndexOf("/") + 1)))
    .map(
      (arn) =>
        `Managed policy "${arn}" gives the notifier's role far more than it needs. ` +
        `Detach it and grant only what the notifier uses in an inline policy.`,
    );
}

interface RoleGrants {
  documents: GrantedDocument[];
  managedPolicyArns: string[];
}

/** The policy documents and managed policies an IAM resource grants; undefined for other resources. */
function grantsOf(args: ResourceValidationArgs): RoleGrants | undefined {
  const policy = args.asType(iam.Policy) ?? args.asType(iam.RolePolicy);
  if (policy) return { documents: [{ label: "Policy", document: policy.policy }], managedPolicyArns: [] };
  const role = args.asType(iam.Role);
  if (role) {
    const documents = (role.inlinePolicies ?? []).map((inline, index) => ({
      label: `Inline policy ${inline.name ? `"${inline.name}"` : index + 1}`,
      document: inline.policy,
    }));
    return { documents, managedPolicyArns: role.managedPolicyArns ?? [] };
  }
  const attachment = args.asType(iam.RolePolicyAttachment);
  if (attachment) return { documents: [], managedPolicyArns: [attachment.policyArn] };
  const exclusiveAttachments = args.asType(iam.RolePolicyAttachmentsExclusive);
  if (exclusiveAttachments) return { documents: [], managedPolicyArns: exclusiveAttachments.policyArns };
  const sharedAttachment = args.asType(iam.PolicyAttachment);
  if (sharedAttachment) {
    const attachesRoles = (sharedAttachment.roles ?? []).length > 0;
    return { documents: [], managedPolicyArns: attachesRoles ? [sharedAttachment.policyArn] : [] };
  }
  return undefined;
}

export const notifierLeastPrivilege: ResourceValidationPolicy = {
  name: "notifier-least-privilege",
  description:
    "The receiver credentials under /webhooks/ are readable by the notifier only, and the notifier reads " +
    "nothing else. No IAM policy or role may grant ssm:GetParameter* beyond parameter/webhooks/* (in stacks " +
    "of other projects: through a wildcard that also covers /webhooks/), and the notifier's role carries no " +
    "*FullAccess, PowerUserAccess or AdministratorAccess managed policy. To fix: grant ssm:GetParameter and " +
    "ssm:GetParameters on arn:aws:ssm:<region>:<account>:parameter/webhooks/* only (other stacks: list their " +
    "own parameters), and give the notifier an inline policy instead of managed ones (an " +
    "aws.lambda.CallbackFunction without `role` or `policies` attaches FullAccess policies).",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const grants = grantsOf(args);
    if (!grants) return args.notApplicable("Policy applies to IAM policies, roles and policy attachments");
    const project = projectOfUrn(args.urn);
    for (const violation of [
      ...parameterReadViolations(grants.documents, project),
      ...managedPolicyViolations(grants.managedPolicyArns, project),
    ]) {
      reportViolation(violation);
    }
  },
};
