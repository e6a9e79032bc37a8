import { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { cloudFormationContent } from "./cloudFormationContent";
import { IamStatement, conditionValues, iamStatements } from "./iamPolicyDocument";
import { isWebhooksProject, projectOfUrn } from "./webhooksScope";

/** Resource properties as the analyzer passes them. */
type Props = ResourceValidationArgs["props"];

/** The resource policy, or the statement of it, that a resource sets on an event bus. */
export interface BusPolicy {
  /** How messages name it: `Policy`, `Permission`, `CloudFormation resource "Bus" (AWS::Events::EventBus) policy`. */
  label: string;
  /** The bus's name or ARN as written (left out for the default bus). */
  bus: unknown;
  /** Whether it is the default bus of its account and region: the one a hub listens to, and spokes send from. */
  onDefaultBus: boolean;
  statements: IamStatement[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A field of an object whatever the case of its first letter: aws-native's `key`, CloudFormation's `Key`. */
function field(record: Record<string, unknown>, name: string): unknown {
  return Object.entries(record).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
}

/**
 * One statement given as its parts (EventBridge's PutPermission: an account or `*`, an action, one
 * condition `{ key, type, value }`), read as the statement EventBridge writes into the bus's policy.
 */
function permissionStatements(props: Props): IamStatement[] {
  const condition: unknown = props.condition;
  return iamStatements({
    Statement: {
      Sid: props.statementId,
      Effect: "Allow",
      Principal: props.principal,
      Action: props.action ?? "events:PutEvents",
      ...(isRecord(condition)
        ? {
            Condition: {
              [String(field(condition, "type"))]: {
                [String(field(condition, "key"))]: field(condition, "value"),
              },
            },
          }
        : {}),
    },
  });
}

/** A bus named by `eventBusName`: the default bus when it is left out, by name or by ARN. */
function namedBus(label: string, bus: unknown, statements: IamStatement[]): BusPolicy {
  const onDefaultBus =
    bus === undefined ||
    bus === null ||
    bus === "" ||
    bus === "default" ||
    (typeof bus === "string" && bus.endsWith(":event-bus/default"));
  return { label, bus, onDefaultBus, statements };
}

/** The bus policies a resource of the AWS Classic or AWS Native provider sets. */
function ownBusPolicies(type: string, props: Props): BusPolicy[] {
  switch (type) {
    case "aws:cloudwatch/eventBusPolicy:EventBusPolicy":
      return [namedBus("Policy", props.eventBusName, iamStatements(props.policy))];
    case "aws:cloudwatch/eventPermission:EventPermission":
      return [namedBus("Permission", props.eventBusName, permissionStatements(props))];
    case "aws-native:events:EventBusPolicy": {
      const statements =
        props.statement === undefined
          ? permissionStatements(props)
          : iamStatements({ Statement: props.statement });
      return [namedBus("Permission", props.eventBusName, statements)];
    }
    // A bus the stack creates: never a default bus, which every account has and nobody creates.
    case "aws-native:events:EventBus":
      return props.policy === undefined
        ? []
        : [
            {
              label: "Policy",
              bus: props.name,
              onDefaultBus: false,
              statements: iamStatements(props.policy),
            },
          ];
    default:
      return [];
  }
}

/**
 * Every event bus policy a resource sets: its own, and those of the resources it has CloudFormation or
 * Cloud Control create. (`aws.cloudwatch.EventBus` takes no policy: its policy is an EventBusPolicy.)
 */
export function busPoliciesOf(resource: { type: string; props: Props }): BusPolicy[] {
  const own = ownBusPolicies(resource.type, resource.props);
  const declared = (cloudFormationContent(resource.type, resource.props)?.resources ?? []).flatMap(
    (declaredResource) =>
      ownBusPolicies(declaredResource.type, declaredResource.props).map((policy) => ({
        ...policy,
        label: `${declaredResource.label} ${policy.label.toLowerCase()}`,
      })),
  );
  return [...own, ...declared];
}

/** What a principal names: `"*"`, or the values of `{ AWS: [...], Service: ... }`. */
function principalValues(principal: unknown): string[] {
  if (typeof principal === "string") return [principal];
  if (!isRecord(principal)) return [];
  return Object.values(principal)
    .flat()
    .filter((value): value is string => typeof value === "string");
}

/** Who an Allow statement admits when that is anyone (a wildcard principal, NotPrincipal); undefined otherwise. */
function admitsAnyone(statement: IamStatement): string | undefined {
  if (statement.effect !== "Allow") return undefined;
  if (statement.notPrincipal !== undefined) {
    return `any principal but ${JSON.stringify(statement.notPrincipal)} (NotPrincipal)`;
  }
  if (principalValues(statement.principal).some((value) => /[*?]/.test(value))) {
    return `any principal (Principal ${JSON.stringify(statement.principal)})`;
  }
  return undefined;
}

/**
 * The conditions that hold a wildcard principal to organizations: each key under an operator that fails
 * a request without the key (no `IfExists`, no `ForAllValues:`), with values that are exact
 * (StringEquals: no wildcard matches) and shaped as the key's values are, so no policy variable hides in
 * them. aws:PrincipalOrgPaths holds many values: `ForAnyValue:StringEquals` is its usual form; each path
 * starts with its organization's ID, so it holds the principal to that organization (or part of it) as
 * aws:PrincipalOrgID does. A wildcard stands for an organization only: accounts are named in the principal,
 * where whoever reads the policy sees them, so an aws:PrincipalAccount condition does not count.
 */
const ADMITTING_CONDITIONS = [
  { key: "aws:PrincipalOrgID", operators: ["StringEquals"], value: /^o-[a-z0-9]{10,32}$/ },
  {
    key: "aws:PrincipalOrgPaths",
    operators: ["StringEquals", "ForAnyValue:StringEquals"],
    value: /^o-[a-z0-9]{10,32}\/r-[a-z0-9]{4,32}\/(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}\/)*$/,
  },
];

/** Whether a statement has a condition on aws:PrincipalAccount, which holds a wildcard to no organization. */
function conditionsOnAccounts(statement: IamStatement): boolean {
  return Object.values(statement.condition).some((values) =>
    Object.keys(values).some((key) => key.toLowerCase() === "aws:principalaccount"),
  );
}

function heldToOrganizations(statement: IamStatement): boolean {
  return ADMITTING_CONDITIONS.some(({ key, operators, value }) =>
    operators.some((operator) => {
      const values = conditionValues(statement, operator, key) ?? [];
      return values.length > 0 && values.every((candidate) => value.test(candidate));
    }),
  );
}

/** The statement's conditions on the keys above, as written, for messages. */
function conditionsOnAdmittingKeys(statement: IamStatement): Record<string, Record<string, string[]>> {
  const keys = ADMITTING_CONDITIONS.map(({ key }) => key.toLowerCase());
  const found: Record<string, Record<string, string[]>> = {};
  for (const [operator, values] of Object.entries(statement.condition)) {
    for (const [key, value] of Object.entries(values)) {
      if (!keys.includes(key.toLowerCase())) continue;
      found[operator] = { ...found[operator], [key]: value };
    }
  }
  return found;
}

/**
 * Bus policies that let any AWS account put events on the bus: in a codebuild-webhooks stack on any bus,
 * in other stacks on a default bus (which may be a hub's, or a spoke's whose rule forwards to a hub).
 */
export function publicBusViolations(policies: BusPolicy[], project: string): string[] {
  const violations: string[] = [];
  for (const { label, bus, onDefaultBus, statements } of policies) {
    if (!isWebhooksProject(project) && !onDefaultBus) continue;
    const shownBus = onDefaultBus
      ? "the default event bus"
      : `event bus ${JSON.stringify(bus) ?? "(unnamed)"}`;
    for (const statement of statements) {
      const anyone = admitsAnyone(statement);
      if (anyone === undefined || heldToOrganizations(statement)) continue;
      const conditions = conditionsOnAdmittingKeys(statement);
      const condition =
        Object.keys(conditions).length === 0
          ? `with no condition on aws:PrincipalOrgID${
              conditionsOnAccounts(statement)
                ? " (one on aws:PrincipalAccount does not count: name those accounts in the principal)"
                : ""
            }`
          : `with ${JSON.stringify(conditions)}, which does not hold it to an organization (IfExists, ` +
            `ForAllValues, StringLike, wildcards and values other than organization IDs let others in)`;
      violations.push(
        `${label} statement ${statement.label} admits ${anyone} to ${shownBus} ${condition}, so any AWS ` +
          `account may put events on it, CodeBuild events for a codebuild-webhooks notifier included. Name ` +
          `the accounts instead (Principal { AWS: "arn:aws:iam::<account>:root" }, the stack's sourceAccounts), ` +
          `or add Condition: { StringEquals: { "aws:PrincipalOrgID": "o-<organization>" } } (its organizationId).`,
      );
    }
  }
  return violations;
}

export const eventBusNotPublic: ResourceValidationPolicy = {
  name: "event-bus-not-public",
  description:
    "An event bus's resource policy never admits every AWS account: a statement with a wildcard principal " +
    '("*", { AWS: "*" }, account "*") or NotPrincipal carries a StringEquals condition on aws:PrincipalOrgID ' +
    "naming organizations (o-...), on aws:PrincipalOrgPaths naming organization paths (also as " +
    "ForAnyValue:StringEquals); IfExists, ForAllValues, StringLike, wildcard values and conditions on " +
    "aws:PrincipalAccount do not count. Statements naming accounts are fine. Checked: " +
    "aws.cloudwatch.EventBusPolicy, aws.cloudwatch.EventPermission, their aws-native counterparts " +
    "(EventBusPolicy, an EventBus's policy) and those of CloudFormation templates and Cloud Control; on every " +
    "bus in a codebuild-webhooks stack, on the default bus (the one a hub listens to) in stacks of other " +
    "projects. To fix: name the accounts in the principal (the stack's sourceAccounts), or add Condition: " +
    '{ StringEquals: { "aws:PrincipalOrgID": "o-<organization>" } } (the stack\'s organizationId).',
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const policies = busPoliciesOf(args);
    if (policies.length === 0) return args.notApplicable("Policy applies to event bus policies");
    // A template resource read each way its Fn::If conditions go may repeat a violation: reported once.
    for (const violation of new Set(publicBusViolations(policies, projectOfUrn(args.urn))))
      reportViolation(violation);
  },
};
