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

/** A customer managed policy by its path and name (Identity Center provisions it in each account). */
function customerManaged(references: unknown, attachedTo: string): IamGrants {
  const list: Props[] = Array.isArray(references) ? references : [];
  return {
    documents: [],
    attachments: list.map((reference) => ({
      shown: `Customer managed policy "${typeof reference.path === "string" ? reference.path : "/"}${reference.name}"`,
      attachedTo,
    })),
  };
}

type GrantsOf = (props: Props, holder: GrantedDocument["holder"]) => IamGrants | undefined;

const PERMISSION_SET = "a permission set";

/**
 * The grants of each IAM resource type of the AWS Classic and AWS Native providers, IAM Identity
 * Center's permission sets among them: the types whose grants the pack judges.
 */
const GRANTS_BY_TYPE: Record<string, GrantsOf> = {
  "aws:iam/policy:Policy": (props) => document("Policy", props.policy),
  "aws:iam/userPolicy:UserPolicy": (props) => document("Policy", props.policy),
  "aws:iam/groupPolicy:GroupPolicy": (props) => document("Policy", props.policy),
  "aws:iam/rolePolicy:RolePolicy": (props, holder) => document("Policy", props.policy, holder),
  "aws:iam/role:Role": (props, holder) =>
    join(
      inlinePolicies(props.inlinePolicies, { name: "name", document: "policy" }, holder),
      attached(props.managedPolicyArns, "a role"),
    ),
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (props) => attached([props.policyArn], "a role"),
  "aws:iam/userPolicyAttachment:UserPolicyAttachment": (props) => attached([props.policyArn], "a user"),
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": (props) => attached([props.policyArn], "a group"),
  "aws:iam/policyAttachment:PolicyAttachment": (props) => {
    const to = principalKinds(props);
    return to === "" ? undefined : attached([props.policyArn], to);
  },
  "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": (props) =>
    attached(props.policyArns, "a role"),
  "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": (props) =>
    attached(props.policyArns, "a user"),
  "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": (props) =>
    attached(props.policyArns, "a group"),
  "aws-native:iam:Role": (props, holder) =>
    join(
      inlinePolicies(props.policies, { name: "policyName", document: "policyDocument" }, holder),
      attached(props.managedPolicyArns, "a role"),
    ),
  "aws-native:iam:User": (props) =>
    join(
      inlinePolicies(props.policies, { name: "policyName", document: "policyDocument" }, "other"),
      attached(props.managedPolicyArns, "a user"),
    ),
  "aws-native:iam:Group": (props) =>
    join(
      inlinePolicies(props.policies, { name: "policyName", document: "policyDocument" }, "other"),
      attached(props.managedPolicyArns, "a group"),
    ),
  "aws-native:iam:RolePolicy": (props, holder) => document("Policy", props.policyDocument, holder),
  // CloudFormation's AWS::IAM::Policy (aws-native:iam:Policy) is one inline policy for the roles, users
  // and groups it lists: never the notifier's, which the stack's own role resources hold.
  "aws-native:iam:UserPolicy": (props) => document("Policy", props.policyDocument),
  "aws-native:iam:GroupPolicy": (props) => document("Policy", props.policyDocument),
  "aws-native:iam:Policy": (props) => document("Policy", props.policyDocument),
  "aws-native:iam:ManagedPolicy": (props) => {
    const to = principalKinds(props);
    const name = typeof props.managedPolicyName === "string" ? ` "${props.managedPolicyName}"` : "";
    const attachment = { shown: `Customer managed policy${name}`, attachedTo: to };
    return join(document("Policy", props.policyDocument), {
      documents: [],
      attachments: to === "" ? [] : [attachment],
    });
  },
  // IAM Identity Center: a permission set becomes a role in each account it is assigned to, for the
  // users and groups assigned to it. Never the notifier's.
  "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy": (props) =>
    document("Policy", props.inlinePolicy),
  "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment": (props) =>
    attached([props.managedPolicyArn], PERMISSION_SET),
  "aws:ssoadmin/managedPolicyAttachmentsExclusive:ManagedPolicyAttachmentsExclusive": (props) =>
    attached(props.managedPolicyArns, PERMISSION_SET),
  "aws:ssoadmin/customerManagedPolicyAttachment:CustomerManagedPolicyAttachment": (props) =>
    customerManaged([props.customerManagedPolicyReference], PERMISSION_SET),
  "aws:ssoadmin/customerManagedPolicyAttachmentsExclusive:CustomerManagedPolicyAttachmentsExclusive": (
    props,
  ) => customerManaged(props.customerManagedPolicyReferences, PERMISSION_SET),
  "aws-native:sso:PermissionSet": (props) =>
    join(
      props.inlinePolicy === undefined ? NO_GRANTS : document("Inline policy", props.inlinePolicy),
      attached(props.managedPolicies, PERMISSION_SET),
      customerManaged(props.customerManagedPolicyReferences, PERMISSION_SET),
    ),
};

/** Whether the pack judges what resources of a type grant through IAM. */
export function grantsThroughIam(type: string): boolean {
  return type in GRANTS_BY_TYPE;
}

/** The grants of an IAM resource of the AWS Classic or AWS Native provider; undefined for other types. */
function ownGrants(type: string, props: Props, holder: GrantedDocument["holder"]): IamGrants | undefined {
  return GRANTS_BY_TYPE[type]?.(props, holder);
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
    // A template resource read each way its Fn::If conditions go may repeat a violation: reported once.
    for (const violation of new Set(check(grants, projectOfUrn(args.urn)))) reportViolation(violation);
  };
}
