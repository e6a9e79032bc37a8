import { ResourceValidationPolicy } from "@pulumi/policy";
import { ManagedPolicyAttachment, validateGrants } from "./iamGrants";
import { isWebhooksProject } from "./webhooksScope";

/**
 * AWS managed policies that grant reading (or changing) every SSM parameter, by their path under
 * `arn:<partition>:iam::aws:policy/`, with what in them does, as the AWS managed policy reference shows
 * them. A list of what is known, not of all there is: AWS adds policies.
 */
const BROAD_AWS_MANAGED_POLICIES: Record<string, { grants: string; changes: boolean }> = {
  AdministratorAccess: { grants: "every action", changes: true },
  PowerUserAccess: { grants: "every action but IAM's, Organizations' and Account's", changes: true },
  AmazonSSMFullAccess: { grants: "ssm:*", changes: true },
  ReadOnlyAccess: { grants: "ssm:Get*", changes: false },
  AmazonSSMReadOnlyAccess: { grants: "ssm:Get*", changes: false },
  AmazonSSMManagedInstanceCore: { grants: "ssm:GetParameter and ssm:GetParameters", changes: false },
  "service-role/AmazonEC2RoleforSSM": { grants: "ssm:GetParameters", changes: false },
};

const AWS_MANAGED_POLICY_ARN = /^arn:aws(-[a-z]+)*:iam::aws:policy\/(.+)$/;

/**
 * In stacks of other projects (codebuild-webhooks stacks have the allow-list of notifier-managed-policies),
 * the AWS managed policies known to read every parameter, the receiver credentials under /webhooks/ among them.
 */
export function broadManagedPolicyViolations(
  attachments: ManagedPolicyAttachment[],
  project: string,
): string[] {
  if (isWebhooksProject(project)) return [];
  return attachments.flatMap(({ policyArn, shown, attachedTo }) => {
    const known = BROAD_AWS_MANAGED_POLICIES[AWS_MANAGED_POLICY_ARN.exec(policyArn ?? "")?.[2] ?? ""];
    if (!known) return [];
    return [
      `${shown} grants ${attachedTo} ${known.grants} on every resource, so it can read ` +
        `${known.changes ? "and change " : ""}every SSM parameter, the receiver credentials under /webhooks/ ` +
        `included (decrypted, when they use the AWS managed key alias/aws/ssm). Grant what this principal ` +
        `needs on its own resources instead.`,
    ];
  });
}

export const broadManagedPolicies: ResourceValidationPolicy = {
  name: "broad-managed-policies",
  description:
    "In stacks of other projects, no role, user, group or permission set gets an AWS managed policy known " +
    "to read every SSM parameter: AdministratorAccess, PowerUserAccess, AmazonSSMFullAccess, ReadOnlyAccess, " +
    "AmazonSSMReadOnlyAccess, AmazonSSMManagedInstanceCore, AmazonEC2RoleforSSM. With the default key " +
    "(alias/aws/ssm), such a principal reads the receiver credentials in clear. Advisory: the list holds " +
    "what is known, not all there is, and roles like these are often needed elsewhere. To fix: grant what " +
    "the principal needs on its own resources, or encrypt the receiver parameters with a customer managed " +
    "key (the stack's ssmKeyId) that only the notifier's role may use.",
  enforcementLevel: "advisory",
  validateResource: validateGrants(({ attachments }, project) =>
    broadManagedPolicyViolations(attachments, project),
  ),
};
