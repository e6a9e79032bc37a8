import { ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import { cloudFormationContent } from "./cloudFormationContent";
import { projectOfUrn } from "./webhooksScope";

/** A policy document some resource grants, with how messages name it and whose grant it is. */
export interface GrantedDocument {
  label: string;
  document: unknown;
  /**
   * `role` for an inline policy of a role this stack manages (`aws.iam.RolePolicy`, a role's inline
   * policies): the one way the notifier's read may be granted. `other` for users', groups', managed
   * policies and whatever CloudFormation creates.
   */
  holder: "role" | "other";
}

/** A managed policy attached to a principal. */
export interface ManagedPolicyAttachment {
  /** The policy's ARN; none for a customer managed policy declared with its attachments (aws-native). */
  policyArn?: string;
  /** How messages name the policy: `Managed policy "<arn>"`, `Customer managed policy "<name>"`. */
  shown: string;
  /** The kind of principal it is attached to: `a role`, `a user`, `roles, users`... */
  attachedTo: string;
}

export interface IamGrants {
  documents: GrantedDocument[];
  attachments: ManagedPolicyAttachment[];
}

/** Resource properties as the analyzer passes them. */
type Props = ResourceValidationArgs["props"];

function document(label: string, policy: unknown, holder: GrantedDocument["holder"] = "other"): IamGrants {
  return { documents: [{ label, document: policy, holder }], attachments: [] };
}

function attached(policies: unknown, attachedTo: string): IamGrants {
  const list = Array.isArray(policies)
    ? policies.filter((arn): arn is string => typeof arn === "string")
    : [];
  return {
    documents: [],
    attachments: list.map((policyArn) => ({ policyArn, shown: `Managed policy "${policyArn}"`, attachedTo })),
  };
}

const NO_GRANTS: IamGrants = { documents: [], attachments: [] };

function join(...grants: IamGrants[]): IamGrants {
  return {
    documents: grants.flatMap((grant) => grant.documents),
    attachments: grants.flatMap((grant) => grant.attachments),
  };
}

/** Inline policies as a list of `{ <name>, <document> }` (a role's `inlinePolicies`, aws-native `policies`). */
function inlinePolicies(
  policies: unknown,
  fields: { name: string; document: string },
  holder: GrantedDocument["holder"],
): IamGrants {
  const list: Props[] = Array.isArray(policies) ? policies : [];
  return {
    documents: list.map((inline, index) => ({
      label: `Inline policy ${typeof inline[fields.name] === "string" ? `"${inline[fields.name]}"` : index + 1}`,
      document: inline[fields.document],
      holder,
    })),
    attachments: [],
  };
}

/** What a list of principals a managed policy goes to is, for messages. */
function principalKinds(props: Props): string {
  const kinds = [
    ["roles", "role"],
    ["users", "user"],
    ["groups", "group"],
  ].filter(([list]) => Array.isArray(props[list]) && props[list].length > 0);
  if (kinds.length === 1) return `a ${kinds[0][1]}`;
  return kinds.map(([list]) => list).join(", ");
}

/** The grants of an IAM resource of the AWS Classic or AWS Native provider; undefined for other types. */
function ownGrants(type: string, props: Props, holder: GrantedDocument["holder"]): IamGrants | undefined {
  switch (type) {
    case "aws:iam/policy:Policy":
    case "aws:iam/userPolicy:UserPolicy":
    case "aws:iam/groupPolicy:GroupPolicy":
      return document("Policy", props.policy);
    case "aws:iam/rolePolicy:RolePolicy":
      return document("Policy", props.policy, holder);
    case "aws:iam/role:Role":
      return join(
        inlinePolicies(props.inlinePolicies, { name: "name", document: "policy" }, holder),
        attached(props.managedPolicyArns, "a role"),
      );
    case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
      return attached([props.policyArn], "a role");
    case "aws:iam/userPolicyAttachment:UserPolicyAttachment":
      return attached([props.policyArn], "a user");
    case "aws:iam/groupPolicyAttachment:GroupPolicyAttachment":
      return attached([props.policyArn], "a group");
    case "aws:iam/policyAttachment:PolicyAttachment": {
      const to = principalKinds(props);
      return to === "" ? undefined : attached([props.policyArn], to);
    }
    case "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive":
      return attached(props.policyArns, "a role");
    case "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive":
      return attached(props.policyArns, "a user");
    case "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive":
      return attached(props.policyArns, "a group");
    case "aws-native:iam:Role":
      return join(
        inlinePolicies(props.policies, { name: "policyName", document: "policyDocument" }, holder),
        attached(props.managedPolicyArns, "a role"),
      );
    case "aws-native:iam:User":
    case "aws-native:iam:Group":
      return join(
        inlinePolicies(props.policies, { name: "policyName", document: "policyDocument" }, "other"),
        attached(props.managedPolicyArns, type.endsWith("User") ? "a user" : "a group"),
      );
    case "aws-native:iam:RolePolicy":
      return document("Policy", props.policyDocument, holder);
    // CloudFormation's AWS::IAM::Policy (aws-native:iam:Policy) is one inline policy for the roles, users
    // and groups it lists: never the notifier's, which the stack's own role resources hold.
    case "aws-native:iam:UserPolicy":
    case "aws-native:iam:GroupPolicy":
    case "aws-native:iam:Policy":
      return document("Policy", props.policyDocument);
    case "aws-native:iam:ManagedPolicy": {
      const to = principalKinds(props);
      const name = typeof props.managedPolicyName === "string" ? ` "${props.managedPolicyName}"` : "";
      const attachment = { shown: `Customer managed policy${name}`, attachedTo: to };
      return join(document("Policy", props.policyDocument), {
        documents: [],
        attachments: to === "" ? [] : [attachment],
      });
    }
    default:
      return undefined;
  }
}

/**
 * Everything a resource grants through IAM: its own policy documents and managed policy attachments,
 * and those of the IAM resources it has CloudFormation or Cloud Control create (never the stack's own
 * roles, so their inline policies count as `other`). Undefined for a resource that grants nothing.
 */
export function iamGrantsOf(resource: { type: string; props: Props }): IamGrants | undefined {
  const own = ownGrants(resource.type, resource.props, "role");
  const content = cloudFormationContent(resource.type, resource.props);
  if (!content) return own;
  const declared = content.resources.flatMap((declared) => {
    const grants = ownGrants(declared.type, declared.props, "other");
    if (!grants) return [];
    return [
      {
        documents: grants.documents.map((granted) => ({
          ...granted,
          label: `${declared.label} ${granted.label.charAt(0).toLowerCase()}${granted.label.slice(1)}`,
        })),
        attachments: grants.attachments,
      },
    ];
  });
  return declared.length === 0 && !own ? undefined : join(own ?? NO_GRANTS, ...declared);
}

/**
 * A resource validation for the policies that judge grants: applies to every resource that grants IAM
 * permissions, and reports each violation the check finds in what it grants, in the resource's project.
 */
export function validateGrants(check: (grants: IamGrants, project: string) => string[]): ResourceValidation {
  return (args, reportViolation) => {
    const grants = iamGrantsOf(args);
    if (!grants) return args.notApplicable("Policy applies to resources that grant IAM permissions");
    for (const violation of check(grants, projectOfUrn(args.urn))) reportViolation(violation);
  };
}
