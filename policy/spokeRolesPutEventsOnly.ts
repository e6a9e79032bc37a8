import { StackValidationPolicy } from "@pulumi/policy";
import { iamGrantsOf } from "./iamGrants";
import { IamStatement, iamStatements } from "./iamPolicyDocument";
import {
  ReportStackViolation,
  RoleReference,
  StackResource,
  forEachKnown,
  roleInlineDocuments,
  roleNamedBy,
  sameRole,
  shownRole,
  stackRoles,
  trustStatements,
  validateWebhooksStack,
} from "./stackResources";

const EVENTS_SERVICE = "events.amazonaws.com";
const PUT_EVENTS = "events:PutEvents";
const EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget";

/** `arn:<partition>:events:<region>:<account>:event-bus/<name>`, written out: no wildcard, no policy variable. */
const EVENT_BUS_ARN =
  /^arn:aws(-[a-z]+)*:events:[a-z]{2,4}(-[a-z]+){1,3}-\d{1,2}:\d{12}:event-bus\/[A-Za-z0-9._\-/]+$/;

function trustsEventBridge(role: StackResource): boolean {
  return trustStatements(role).some((statement) => {
    const principal = statement.principal as { Service?: unknown } | undefined;
    return (
      statement.effect === "Allow" &&
      [principal?.Service].flat().some((service) => String(service).toLowerCase() === EVENTS_SERVICE)
    );
  });
}

/** The roles a resource that attaches managed policies attaches them to. */
function attachedRoles(resource: StackResource, roles: readonly StackResource[]): RoleReference[] {
  const named = (prop: string) => {
    const role = roleNamedBy(resource, prop, roles);
    return role === undefined ? [] : [role];
  };
  switch (resource.type) {
    case "aws:iam/role:Role":
    case "aws-native:iam:Role":
      return [resource];
    case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
      return named("role");
    case "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive":
      return named("roleName");
    case "aws:iam/policyAttachment:PolicyAttachment":
    case "aws-native:iam:ManagedPolicy": {
      // While names are unknown (a preview), the roles the list depends on say which they are.
      const dependencies = stackRoles(resource.propertyDependencies.roles ?? []);
      if (dependencies.length > 0) return dependencies;
      const listed: unknown = resource.props.roles;
      return Array.isArray(listed)
        ? listed
            .filter((name): name is string => typeof name === "string")
            .map((name) => roles.find((role) => sameRole(role, name)) ?? name)
        : [];
    }
    default:
      return [];
  }
}

/**
 * What a statement of a forwarding role allows beyond putting events on the buses its targets send to
 * (`buses`, empty when no target of the stack names the role): each problem with its fix.
 */
function statementProblems(statement: IamStatement, buses: readonly string[]): string[] {
  if (statement.effect !== "Allow") return [];
  const problems: string[] = [];
  const actionFix = `a role EventBridge assumes may allow ${PUT_EVENTS} only. Set Action: "${PUT_EVENTS}".`;
  if (statement.notAction !== undefined) {
    problems.push(`allows every action but ${JSON.stringify(statement.notAction)} (NotAction): ${actionFix}`);
  }
  const others = (statement.action ?? []).filter(
    (action) => action.toLowerCase() !== PUT_EVENTS.toLowerCase(),
  );
  if (others.length > 0) {
    problems.push(`allows ${others.map((action) => JSON.stringify(action)).join(", ")}: ${actionFix}`);
  }
  const busFix =
    buses.length > 0
      ? `Set Resource to the bus its targets send to (${buses.map((bus) => JSON.stringify(bus)).join(", ")}).`
      : "Set Resource to the hub's event bus ARN.";
  if (statement.notResource !== undefined) {
    problems.push(
      `names NotResource ${JSON.stringify(statement.notResource)}, granting every other resource. ${busFix}`,
    );
  }
  for (const resource of statement.resource ?? []) {
    if (!EVENT_BUS_ARN.test(resource)) {
      problems.push(
        `names Resource ${JSON.stringify(resource)}, which is not an event bus ARN written out ` +
          `(arn:<partition>:events:<region>:<account>:event-bus/<name>, no wildcards). ${busFix}`,
      );
    } else if (buses.length > 0 && !buses.includes(resource)) {
      problems.push(
        `names Resource ${JSON.stringify(resource)}, which is not a bus its targets send to. ${busFix}`,
      );
    }
  }
  return problems;
}

/**
 * In a codebuild-webhooks stack, a role EventBridge assumes (a spoke's forwarding role) may put events on
 * the hub's event bus and do nothing else: every statement of its inline policies allows events:PutEvents
 * only, on event bus ARNs only, and on the buses the stack's event targets send to with the role when
 * there are such targets; and it carries no managed policy, whose grants the pack cannot see.
 */
export function spokeRoleViolations(resources: readonly StackResource[], report: ReportStackViolation): void {
  const roles = stackRoles(resources);
  const forwarding: StackResource[] = [];
  forEachKnown(roles, (role) => {
    if (trustsEventBridge(role)) forwarding.push(role);
  });
  if (forwarding.length === 0) return;
  const forwardingRole = (role: RoleReference | undefined) =>
    role === undefined ? undefined : forwarding.find((candidate) => sameRole(candidate, role));

  const buses = new Map<string, string[]>(forwarding.map((role) => [role.urn, []]));
  forEachKnown(
    resources.filter((resource) => resource.type === EVENT_TARGET),
    (target) => {
      const role = forwardingRole(roleNamedBy(target, "roleArn", roles));
      const bus: unknown = target.props.arn;
      const known = role && buses.get(role.urn);
      if (known && typeof bus === "string" && EVENT_BUS_ARN.test(bus) && !known.includes(bus))
        known.push(bus);
    },
  );

  const assumed = (role: StackResource) =>
    `${shownRole(role)}, which EventBridge assumes (it trusts ${EVENTS_SERVICE})`;
  forEachKnown(resources, (resource) => {
    const held = roleInlineDocuments(resource, roles);
    const holder = forwardingRole(held?.role);
    if (held && holder) {
      for (const { label, document } of held.documents) {
        for (const statement of iamStatements(document)) {
          for (const problem of statementProblems(statement, buses.get(holder.urn) ?? [])) {
            report({
              urn: resource.urn,
              message: `${label} statement ${statement.label} of ${assumed(holder)}, ${problem}`,
            });
          }
        }
      }
    }
    const attachments = iamGrantsOf(resource)?.attachments ?? [];
    if (attachments.length === 0) return;
    for (const role of attachedRoles(resource, roles)) {
      const attachedTo = forwardingRole(role);
      if (!attachedTo) continue;
      for (const { shown } of attachments) {
        report({
          urn: resource.urn,
          message:
            `${shown} is attached to ${assumed(attachedTo)}: such a role carries no managed policy, whose ` +
            `grants the pack cannot see. Detach it; the role's inline policy allows ${PUT_EVENTS} on the hub's ` +
            `event bus.`,
        });
      }
    }
  });
}

export const spokeRolesPutEventsOnly: StackValidationPolicy = {
  name: "spoke-roles-put-events-only",
  description:
    "In a codebuild-webhooks stack, every role EventBridge assumes (trusted by events.amazonaws.com: a " +
    "spoke's forwarding role) may put events on the hub's event bus and do nothing else. Each Allow statement " +
    "of its inline policies (a role's inlinePolicies, aws.iam.RolePolicy, their aws-native counterparts) " +
    "allows events:PutEvents only (no wildcard action, no other service's action, no NotAction), on event " +
    "bus ARNs written out only (arn:<partition>:events:<region>:<account>:event-bus/<name>: no wildcard, no " +
    "NotResource), and, when the stack's aws.cloudwatch.EventTargets send with the role, on the bus they " +
    "send to only. No managed policy is attached to it. Checked on the whole stack, at the end of a preview " +
    'and of an update. To fix: grant { Action: "events:PutEvents", Resource: "<the hub\'s event bus ARN>" } ' +
    "in the role's inline policy, and detach managed policies.",
  enforcementLevel: "mandatory",
  validateStack: validateWebhooksStack(spokeRoleViolations),
};
