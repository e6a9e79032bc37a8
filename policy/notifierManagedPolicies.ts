import { ResourceValidationPolicy } from "@pulumi/policy";
import { ManagedPolicyAttachment, validateGrants } from "./iamGrants";
import { isWebhooksProject } from "./webhooksScope";

/**
 * The managed policies a principal of a codebuild-webhooks stack may carry: the notifier's log writing,
 * in any partition. The pack cannot read what a managed policy grants, so nothing else is let through.
 */
const ALLOWED_MANAGED_POLICY =
  /^arn:aws(-[a-z]+)*:iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole$/;

/** In a codebuild-webhooks stack, every managed policy attachment but the allowed one, to any principal. */
export function managedPolicyViolations(attachments: ManagedPolicyAttachment[], project: string): string[] {
  if (!isWebhooksProject(project)) return [];
  return attachments
    .filter(({ policyArn }) => policyArn === undefined || !ALLOWED_MANAGED_POLICY.test(policyArn))
    .map(
      ({ shown, attachedTo }) =>
        `${shown} is attached to ${attachedTo}. In a codebuild-webhooks stack the notifier's role may carry ` +
        `arn:<partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole at most: the pack cannot ` +
        `see what other managed policies grant (AmazonSSMReadOnlyAccess or ReadOnlyAccess would let the ` +
        `notifier read every parameter). Detach it and grant only what the notifier uses in the role's ` +
        `inline policy.`,
    );
}

export const notifierManagedPolicies: ResourceValidationPolicy = {
  name: "notifier-managed-policies",
  description:
    "In a codebuild-webhooks stack no principal carries a managed policy but " +
    "arn:<partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole (the notifier's role may " +
    "have it): an allow-list, since what a managed policy grants is not in the stack for the pack to read. " +
    "Checked: RolePolicyAttachment, UserPolicyAttachment, GroupPolicyAttachment, PolicyAttachment, the " +
    "*PolicyAttachmentsExclusive resources, a role's managedPolicyArns, their aws-native counterparts, IAM " +
    "Identity Center permission sets' managed and customer managed policies, and those of CloudFormation " +
    "templates. To fix: detach the policy and grant what the notifier uses in its " +
    "role's inline policy. An aws.lambda.CallbackFunction without `role` or `policies` attaches FullAccess " +
    "policies: always pass a role.",
  enforcementLevel: "mandatory",
  validateResource: validateGrants(({ attachments }, project) =>
    managedPolicyViolations(attachments, project),
  ),
};
