// UnknownValueError is what reading a value unknown during a preview throws; @pulumi/policy exports it,
// though its type declarations leave it out.
import { PolicyResource, StackValidation, UnknownValueError } from "@pulumi/policy";
import { cloudFormationContent } from "./cloudFormationContent";
import { GrantedDocument, iamGrantsOf } from "./iamGrants";
import { IamStatement, iamStatements } from "./iamPolicyDocument";
import { WEBHOOKS_PATH, isWebhooksProject, projectOfUrn } from "./webhooksScope";

/** What the stack policies read of a stack's resources. */
export type StackResource = Pick<PolicyResource, "type" | "name" | "urn" | "props" | "propertyDependencies">;

/** A violation of a stack policy, on one resource or (without urn) on the stack. */
export interface StackViolation {
  message: string;
  urn?: string;
}

export type ReportStackViolation = (violation: StackViolation) => void;

/** Lambda functions, of both providers; the notifier is the one running as the notifier's role. */
export const LAMBDA_FUNCTION = "aws:lambda/function:Function";
const FUNCTION_TYPES = [LAMBDA_FUNCTION, "aws-native:lambda:Function"];

const ROLE_TYPES = ["aws:iam/role:Role", "aws-native:iam:Role"];

/**
 * Runs a check on each item. A value not known yet (during a preview) stops only its own item's check;
 * the first such error is thrown again at the end, so that the analyzer notes the policy could not run
 * whole, after what the other items showed has been reported.
 */
export function forEachKnown<T>(items: readonly T[], check: (item: T) => void): void {
  let unknown: Error | undefined;
  for (const item of items) {
    try {
      check(item);
    } catch (error) {
      if (!(error instanceof UnknownValueError)) throw error;
      unknown ??= error as Error;
    }
  }
  if (unknown) throw unknown;
}

/** A property of a resource, or undefined while it is not known. */
export function knownProp(resource: StackResource, name: string): unknown {
  try {
    return resource.props[name];
  } catch (error) {
    if (error instanceof UnknownValueError) return undefined;
    throw error;
  }
}

/** A role: one of the stack's role resources, or the name or ARN of a role the stack does not manage. */
export type RoleReference = StackResource | string;

export function stackRoles(resources: readonly StackResource[]): StackResource[] {
  return resources.filter((resource) => ROLE_TYPES.includes(resource.type));
}

/**
 * The role a property names (a function's `role`, a role policy's `role`), by its value: the name or ARN
 * compared with the stack's roles'. Only while the value is unknown (a preview of new resources) do its
 * dependencies say which role it will be: a program can make a property depend on any resource, so the
 * update judges the value itself.
 */
export function roleNamedBy(
  resource: StackResource,
  prop: string,
  roles: readonly StackResource[],
): RoleReference | undefined {
  let value: unknown;
  try {
    value = resource.props[prop];
  } catch (error) {
    if (!(error instanceof UnknownValueError)) throw error;
    const dependencies = (resource.propertyDependencies[prop] ?? []).filter((dependency) =>
      ROLE_TYPES.includes(dependency.type),
    );
    if (dependencies.length === 1) return dependencies[0];
    throw error;
  }
  if (typeof value !== "string") return undefined;
  return roles.find((role) => sameRole(role, value)) ?? value;
}

/** The statements of a role's trust policy: who may assume it. */
export function trustStatements(role: StackResource): IamStatement[] {
  return iamStatements(
    role.type === "aws-native:iam:Role" ? role.props.assumeRolePolicyDocument : role.props.assumeRolePolicy,
  );
}

/** A role's name from its name or ARN (`arn:aws:iam::<account>:role/<path>/<name>`). */
function roleName(reference: string): string {
  return reference.startsWith("arn:") ? reference.slice(reference.lastIndexOf("/") + 1) : reference;
}

export function sameRole(one: RoleReference, other: RoleReference): boolean {
  if (typeof one !== "string" && typeof other !== "string") return one.urn === other.urn;
  if (typeof one === "string" && typeof other === "string") return roleName(one) === roleName(other);
  const [role, reference] = typeof one === "string" ? [other as StackResource, one] : [one, other as string];
  const names = ["name", "roleName"].map((field) => knownProp(role, field));
  return (
    knownProp(role, "arn") === reference || names.includes(reference) || names.includes(roleName(reference))
  );
}

/**
 * The tag a codebuild-webhooks program gives the notifier's role: the one role of the stack that may read
 * the receiver parameters. The role is told by what the program makes it, not by a function running as
 * it: any function of the stack may run as a role of its own.
 */
export const NOTIFIER_ROLE_TAG = { key: "codebuild-webhooks:role", value: "notifier" };

/** `codebuild-webhooks:role=notifier`, as messages show the tag. */
export const SHOWN_NOTIFIER_TAG = `${NOTIFIER_ROLE_TAG.key}=${NOTIFIER_ROLE_TAG.value}`;

/** A role's tags: a map (AWS Classic), or a list of `{ key, value }` (aws-native). */
function tagValue(role: StackResource, key: string): unknown {
  const tags = knownProp(role, "tags");
  if (Array.isArray(tags)) {
    return (tags as { key?: unknown; value?: unknown }[]).find((tag) => tag?.key === key)?.value;
  }
  return typeof tags === "object" && tags !== null ? (tags as Record<string, unknown>)[key] : undefined;
}

/** The stack's roles tagged as the notifier's: one, in a stack the program made. */
export function notifierRoles(roles: readonly StackResource[]): StackResource[] {
  return roles.filter((role) => tagValue(role, NOTIFIER_ROLE_TAG.key) === NOTIFIER_ROLE_TAG.value);
}

/** A Lambda function of the stack: a resource of its own, or one its CloudFormation content declares. */
export interface StackFunction {
  /** The function's properties as its type names them (`role`, `environment`...). */
  fn: StackResource;
  role: RoleReference;
  /** How messages name it: `Function "notifier"`, `CloudFormation resource "Reporting" (...) of "reporting"`. */
  shown: string;
}

/**
 * The stack's Lambda functions, whichever way they are declared (AWS Classic, aws-native, Cloud
 * Control, CloudFormation templates), each with the role its `role` value names. A template's role the
 * pack cannot evaluate is `*`: a role of none of the stack's.
 */
export function functionRoles(
  resources: readonly StackResource[],
  roles: readonly StackResource[],
): StackFunction[] {
  const found: StackFunction[] = [];
  forEachKnown(resources, (resource) => {
    if (FUNCTION_TYPES.includes(resource.type)) {
      const role = roleNamedBy(resource, "role", roles);
      if (role !== undefined) found.push({ fn: resource, role, shown: `Function "${resource.name}"` });
      return;
    }
    for (const declared of cloudFormationContent(resource.type, resource.props)?.resources ?? []) {
      if (!FUNCTION_TYPES.includes(declared.type) || typeof declared.props.role !== "string") continue;
      const fn = { ...resource, type: declared.type, props: declared.props, propertyDependencies: {} };
      found.push({
        fn,
        role: roleNamedBy(fn, "role", roles) ?? declared.props.role,
        shown: `${declared.label} of "${resource.name}"`,
      });
    }
  });
  return found;
}

/** Whether a role is the notifier's (one of the roles tagged as it). */
export function isNotifierRole(
  role: RoleReference | undefined,
  notifiers: readonly StackResource[],
): boolean {
  return role !== undefined && notifiers.some((notifier) => sameRole(notifier, role));
}

/** How messages name a role. */
export function shownRole(role: RoleReference): string {
  if (typeof role !== "string") return `role "${role.name}"`;
  return role.includes("*") ? `a role the pack cannot tell ("${role}")` : `role "${role}"`;
}

/** The inline policies of a role a resource grants (a role's own, a role policy's), with the role. */
export function roleInlineDocuments(
  resource: StackResource,
  roles: readonly StackResource[],
): { role?: RoleReference; documents: GrantedDocument[] } | undefined {
  const documents = (iamGrantsOf(resource)?.documents ?? []).filter((granted) => granted.holder === "role");
  if (documents.length === 0) return undefined;
  if (ROLE_TYPES.includes(resource.type)) return { role: resource, documents };
  const prop = resource.type === "aws-native:iam:RolePolicy" ? "roleName" : "role";
  return { role: roleNamedBy(resource, prop, roles), documents };
}

/** The parameter path a notifier function reads (`PARAMETER_PATH`); stacks older than the setting use /webhooks/. */
export function parameterPathOf(notifier: StackResource): string {
  const environment = notifier.props.environment as
    { variables?: Record<string, unknown>; Variables?: Record<string, unknown> } | undefined;
  // AWS Classic and aws-native write `variables`; a template, `Variables`.
  const path = (environment?.variables ?? environment?.Variables)?.PARAMETER_PATH;
  return typeof path === "string" ? path : WEBHOOKS_PATH;
}

/** A stack validation for codebuild-webhooks stacks only, reporting each violation the check finds. */
export function validateWebhooksStack(
  check: (resources: readonly StackResource[], report: ReportStackViolation) => void,
): StackValidation {
  return (args, reportViolation) => {
    const project = args.resources.length > 0 ? projectOfUrn(args.resources[0].urn) : "";
    if (!isWebhooksProject(project)) return args.notApplicable("Policy applies to codebuild-webhooks stacks");
    check(args.resources, ({ message, urn }) => reportViolation(message, urn));
  };
}
