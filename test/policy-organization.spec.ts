import * as assert from "node:assert/strict";
import { eventBusNotPublic } from "../policy/eventBusNotPublic";
import {
  ResourceUnderPolicy,
  Violation,
  resourceViolations,
  stackResources,
  stackViolations,
  urnOf,
} from "./support/policyRun";

const PROJECT = "codebuild-webhooks";
const OTHER_PROJECT = "platform-events";
const ORGANIZATION = "o-a1b2c3d4e5";
const HUB_BUS = "arn:aws:events:us-east-1:123456789012:event-bus/default";
const BUS_POLICY = "aws:cloudwatch/eventBusPolicy:EventBusPolicy";
/** How the engine marks a value it cannot know during a preview (an output of a resource not created yet). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The fix every public-bus violation ends with. */
const FIX =
  `so any AWS account may put events on it, CodeBuild events for a codebuild-webhooks notifier included. Name ` +
  `the accounts instead (Principal { AWS: "arn:aws:iam::<account>:root" }, the stack's sourceAccounts), or add ` +
  `Condition: { StringEquals: { "aws:PrincipalOrgID": "o-<organization>" } } (its organizationId).`;

function putEvents(principal: unknown, condition?: Record<string, unknown>, sid = "Open"): object {
  return {
    Sid: sid,
    Effect: "Allow",
    Principal: principal,
    Action: "events:PutEvents",
    Resource: HUB_BUS,
    ...(condition ? { Condition: condition } : {}),
  };
}

function busPolicy(statements: object[], props: Record<string, unknown> = {}): ResourceUnderPolicy {
  return {
    type: BUS_POLICY,
    name: "bus",
    props: { policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }), ...props },
  };
}

/** The violations of the pack's resource policies, as messages of event-bus-not-public or `<policy>: <message>`. */
async function checked(resource: ResourceUnderPolicy, project = PROJECT): Promise<string[]> {
  return (await resourceViolations(resource, project)).map(({ policy, message }) =>
    policy === eventBusNotPublic.name ? message : `${policy}: ${message}`,
  );
}

describe("policy event-bus-not-public", () => {
  it("passes the hub's policy: source accounts by ID, anyone else only within the organization", async () => {
    const hub = busPolicy(
      [
        putEvents(
          { AWS: ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"] },
          undefined,
          "A",
        ),
        putEvents("*", { StringEquals: { "aws:PrincipalOrgID": ORGANIZATION } }, "B"),
      ],
      { eventBusName: "default" },
    );
    assert.deepEqual(await checked(hub), []);
    assert.deepEqual(await checked(hub, OTHER_PROJECT), []);
  });

  it("passes a wildcard principal held to organization paths, and Deny statements", async () => {
    const passing = [
      putEvents("*", {
        "ForAnyValue:StringEquals": { "aws:PrincipalOrgPaths": [`${ORGANIZATION}/r-ab12/`] },
      }),
      putEvents(
        { AWS: "*" },
        { StringEquals: { "aws:PrincipalOrgPaths": `${ORGANIZATION}/r-ab12/ou-ab12-11111111/` } },
      ),
      // Another condition beside the organization's only narrows the statement further.
      putEvents("*", {
        StringEquals: { "aws:PrincipalOrgID": ORGANIZATION },
        StringLike: { "aws:PrincipalArn": "*" },
      }),
      putEvents("*", {
        StringEquals: { "aws:PrincipalOrgID": ORGANIZATION, "aws:PrincipalAccount": "111122223333" },
      }),
      { Effect: "Deny", Principal: "*", Action: "events:*", Resource: HUB_BUS },
    ];
    for (const statement of passing) {
      assert.deepEqual(await checked(busPolicy([statement])), [], JSON.stringify(statement));
    }
  });

  it("reports a wildcard principal without a condition, naming the statement and the bus", async () => {
    assert.deepEqual(await checked(busPolicy([putEvents("*")])), [
      `Policy statement "Open" admits any principal (Principal "*") to the default event bus with no condition on ` +
        `aws:PrincipalOrgID, ${FIX}`,
    ]);
    assert.deepEqual(
      await checked(busPolicy([{ ...putEvents({ AWS: ["arn:aws:iam::111122223333:root", "*"] }), Sid: "" }])),
      [
        `Policy statement 1 admits any principal (Principal {"AWS":["arn:aws:iam::111122223333:root","*"]}) to the ` +
          `default event bus with no condition on aws:PrincipalOrgID, ${FIX}`,
      ],
    );
  });

  it("reports organization conditions that let others in", async () => {
    // Values as the pack shows them: lists of strings.
    const loose = [
      { StringEqualsIfExists: { "aws:PrincipalOrgID": [ORGANIZATION] } },
      { StringLike: { "aws:PrincipalOrgID": ["o-*"] } },
      { StringLike: { "aws:PrincipalOrgID": [ORGANIZATION] } },
      // A policy variable: every principal's own organization equals itself.
      { StringEquals: { "aws:PrincipalOrgID": ["${aws:PrincipalOrgID}"] } },
      { StringEquals: { "aws:PrincipalOrgID": [ORGANIZATION, "*"] } },
      // True for a principal of no organization, which has no organization paths at all.
      { "ForAllValues:StringEquals": { "aws:PrincipalOrgPaths": [`${ORGANIZATION}/r-ab12/`] } },
      { "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": ["o-*/*"] } },
    ];
    for (const condition of loose) {
      assert.deepEqual(
        await checked(busPolicy([putEvents({ AWS: "*" }, condition)])),
        [
          `Policy statement "Open" admits any principal (Principal {"AWS":"*"}) to the default event bus with ` +
            `${JSON.stringify(condition)}, which does not hold it to an organization (IfExists, ForAllValues, ` +
            `StringLike, wildcards and values other than organization IDs let others in), ${FIX}`,
        ],
        JSON.stringify(condition),
      );
    }
  });

  it("reports a wildcard principal held to accounts by aws:PrincipalAccount alone: accounts go in the principal", async () => {
    for (const accounts of [["111122223333", "444455556666"], ["*"]]) {
      const condition = { StringEquals: { "aws:PrincipalAccount": accounts } };
      assert.deepEqual(
        await checked(busPolicy([putEvents("*", condition)])),
        [
          `Policy statement "Open" admits any principal (Principal "*") to the default event bus with no condition ` +
            `on aws:PrincipalOrgID (one on aws:PrincipalAccount does not count: name those accounts in the ` +
            `principal), ${FIX}`,
        ],
        JSON.stringify(condition),
      );
    }
  });

  it("reports NotPrincipal and wildcard account ARNs as admitting anyone", async () => {
    const violations = await checked(
      busPolicy([
        {
          ...putEvents(undefined, undefined, "AllBut"),
          NotPrincipal: { AWS: "arn:aws:iam::111122223333:root" },
        },
        putEvents({ AWS: "arn:aws:iam::*:root" }, undefined, "AnyRoot"),
      ]),
    );
    assert.deepEqual(
      violations.map((message) => message.split(" to the default event bus")[0]),
      [
        `Policy statement "AllBut" admits any principal but {"AWS":"arn:aws:iam::111122223333:root"} (NotPrincipal)`,
        `Policy statement "AnyRoot" admits any principal (Principal {"AWS":"arn:aws:iam::*:root"})`,
      ],
    );
  });

  it("reads EventBridge permissions given as their parts: an account, or * with one condition", async () => {
    const permission = (props: Record<string, unknown>): ResourceUnderPolicy => ({
      type: "aws:cloudwatch/eventPermission:EventPermission",
      name: "permission",
      props: { statementId: "Partner", ...props },
    });
    assert.deepEqual(await checked(permission({ principal: "111122223333" })), []);
    const organization = { key: "aws:PrincipalOrgID", type: "StringEquals", value: ORGANIZATION };
    assert.deepEqual(await checked(permission({ principal: "*", condition: organization })), []);
    assert.deepEqual(await checked(permission({ principal: "*" })), [
      `Permission statement "Partner" admits any principal (Principal "*") to the default event bus with no ` +
        `condition on aws:PrincipalOrgID, ${FIX}`,
    ]);
    assert.deepEqual(
      await checked(
        permission({ principal: "*", eventBusName: "ci", condition: { ...organization, value: "o-*" } }),
      ),
      [
        `Permission statement "Partner" admits any principal (Principal "*") to event bus "ci" with ` +
          `{"StringEquals":{"aws:PrincipalOrgID":["o-*"]}}, which does not hold it to an organization (IfExists, ` +
          `ForAllValues, StringLike, wildcards and values other than organization IDs let others in), ${FIX}`,
      ],
    );
  });

  it("reads aws-native event buses and bus policies, and those of CloudFormation templates", async () => {
    const native = await checked({
      type: "aws-native:events:EventBusPolicy",
      name: "native",
      props: { statementId: "Open", statement: putEvents("*", undefined, "Open") },
    });
    const nativeParts = await checked({
      type: "aws-native:events:EventBusPolicy",
      name: "native-parts",
      props: {
        statementId: "Org",
        principal: "*",
        condition: { key: "aws:PrincipalOrgID", type: "StringEquals", value: ORGANIZATION },
      },
    });
    const bus = await checked({
      type: "aws-native:events:EventBus",
      name: "bus",
      props: { name: "ci", policy: { Statement: [putEvents("*", undefined, "Open")] } },
    });
    const template = [
      "Resources:",
      "  Open:",
      "    Type: AWS::Events::EventBusPolicy",
      "    Properties:",
      "      StatementId: Open",
      '      Principal: "*"',
      "  Org:",
      "    Type: AWS::Events::EventBusPolicy",
      "    Properties:",
      "      StatementId: Org",
      '      Principal: "*"',
      `      Condition: { Key: "aws:PrincipalOrgID", Type: StringEquals, Value: ${ORGANIZATION} }`,
    ].join("\n");
    const stack = await checked(
      {
        type: "aws:cloudformation/stack:Stack",
        name: "events",
        props: { name: "events", templateBody: template },
      },
      OTHER_PROJECT,
    );
    assert.deepEqual(
      [...native, ...nativeParts, ...bus, ...stack].map((message) => message.split(" with ")[0]),
      [
        `Permission statement "Open" admits any principal (Principal "*") to the default event bus`,
        `Policy statement "Open" admits any principal (Principal "*") to event bus "ci"`,
        `CloudFormation resource "Open" (AWS::Events::EventBusPolicy) permission statement "Open" admits any ` +
          `principal (Principal "*") to the default event bus`,
      ],
    );
  });

  it("holds other projects to it on default buses only, which a hub may listen to", async () => {
    const open = [putEvents("*")];
    for (const eventBusName of [
      undefined,
      "default",
      "arn:aws:events:eu-west-1:111122223333:event-bus/default",
    ]) {
      assert.equal(
        (await checked(busPolicy(open, { eventBusName }), OTHER_PROJECT)).length,
        1,
        String(eventBusName),
      );
    }
    for (const eventBusName of [
      "partner-orders",
      "arn:aws:events:eu-west-1:111122223333:event-bus/defaults",
    ]) {
      assert.deepEqual(await checked(busPolicy(open, { eventBusName }), OTHER_PROJECT), [], eventBusName);
      assert.equal((await checked(busPolicy(open, { eventBusName }))).length, 1, eventBusName);
    }
  });
});

type StackEntry = ResourceUnderPolicy & { dependsOn?: Record<string, string[]> };

const SPOKE = "forward-to-hub-eu-west-1";
const SPOKE_ROLE = "aws:iam/role:Role::forward-to-hub-eu-west-1";
const SPOKE_ROLE_ARN = "arn:aws:iam::111122223333:role/forward-to-hub-eu-west-1-1a2b3c4";
const EVENTS_TRUST = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "events.amazonaws.com" } }],
};

function spokeRole(props: Record<string, unknown> = {}): StackEntry {
  return {
    type: "aws:iam/role:Role",
    name: SPOKE,
    props: {
      name: "forward-to-hub-eu-west-1-1a2b3c4",
      arn: SPOKE_ROLE_ARN,
      assumeRolePolicy: EVENTS_TRUST,
      ...props,
    },
  };
}

function spokePolicy(statements: object[], role = "forward-to-hub-eu-west-1-1a2b3c4"): StackEntry {
  return {
    type: "aws:iam/rolePolicy:RolePolicy",
    name: SPOKE,
    props: { role, policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) },
    dependsOn: { role: [SPOKE_ROLE] },
  };
}

function target(arn = HUB_BUS, roleArn = SPOKE_ROLE_ARN): StackEntry {
  return {
    type: "aws:cloudwatch/eventTarget:EventTarget",
    name: `${SPOKE}-to-hub`,
    props: { rule: "build-state-changes-eu-west-1", arn, roleArn },
    dependsOn: { roleArn: [SPOKE_ROLE] },
  };
}

function grant(action: unknown, resource: unknown = HUB_BUS, sid = "PutEventsOnHubBus"): object {
  return { Sid: sid, Effect: "Allow", Action: action, Resource: resource };
}

function checkedStack(entries: StackEntry[], project = PROJECT): Promise<Violation[]> {
  return stackViolations(stackResources(entries, project));
}

const OF_ROLE = `of role "${SPOKE}", which EventBridge assumes (it trusts events.amazonaws.com)`;
const ACTION_FIX = `a role EventBridge assumes may allow events:PutEvents only. Set Action: "events:PutEvents".`;
const BUS_FIX = `Set Resource to the bus its targets send to ("${HUB_BUS}").`;
const POLICY_URN = urnOf({ type: "aws:iam/rolePolicy:RolePolicy", name: SPOKE }, PROJECT);

describe("policy spoke-roles-put-events-only", () => {
  it("passes a spoke's role that puts events on the bus its target sends to, after an update and during a preview", async () => {
    const putOnHub = grant(["events:PutEvents"], [HUB_BUS]);
    assert.deepEqual(await checkedStack([spokeRole(), spokePolicy([putOnHub]), target()]), []);
    const preview = [
      spokeRole({ name: UNKNOWN, arn: UNKNOWN }),
      spokePolicy([putOnHub], UNKNOWN),
      target(HUB_BUS, UNKNOWN),
    ];
    assert.deepEqual(await checkedStack(preview), []);
  });

  it("reports wildcard actions and resources, naming the statement, the role and the targets' bus", async () => {
    assert.deepEqual(await checkedStack([spokeRole(), spokePolicy([grant("events:*", "*")]), target()]), [
      {
        policy: "spoke-roles-put-events-only",
        urn: POLICY_URN,
        message: `Policy statement "PutEventsOnHubBus" ${OF_ROLE}, allows "events:*": ${ACTION_FIX}`,
      },
      {
        policy: "spoke-roles-put-events-only",
        urn: POLICY_URN,
        message:
          `Policy statement "PutEventsOnHubBus" ${OF_ROLE}, names Resource "*", which is not an event bus ARN ` +
          `written out (arn:<partition>:events:<region>:<account>:event-bus/<name>, no wildcards). ${BUS_FIX}`,
      },
    ]);
  });

  it("reports other services' actions, wildcards that cover PutEvents, NotAction and NotResource", async () => {
    const statements = [
      grant(["events:PutEvents", "s3:GetObject", "events:Put*"], HUB_BUS, "Extra"),
      { Sid: "AllBut", Effect: "Allow", NotAction: "iam:*", Resource: HUB_BUS },
      { Sid: "Elsewhere", Effect: "Allow", Action: "events:PutEvents", NotResource: HUB_BUS },
      // A Deny narrows what the role may do: nothing to report.
      { Effect: "Deny", Action: "*", Resource: "*" },
    ];
    const violations = await checkedStack([spokeRole(), spokePolicy(statements), target()]);
    assert.deepEqual(
      violations.map(({ message }) => message),
      [
        `Policy statement "Extra" ${OF_ROLE}, allows "s3:GetObject", "events:Put*": ${ACTION_FIX}`,
        `Policy statement "AllBut" ${OF_ROLE}, allows every action but ["iam:*"] (NotAction): ${ACTION_FIX}`,
        `Policy statement "Elsewhere" ${OF_ROLE}, names NotResource ["${HUB_BUS}"], granting every other ` +
          `resource. ${BUS_FIX}`,
      ],
    );
  });

  it("reports a bus other than the one the role's targets send to, and wildcards in bus ARNs", async () => {
    const other = "arn:aws:events:us-east-1:123456789012:event-bus/orders";
    const partial = "arn:aws:events:*:123456789012:event-bus/*";
    const violations = await checkedStack([
      spokeRole(),
      spokePolicy([grant("events:PutEvents", [HUB_BUS, other, partial])]),
      target(),
    ]);
    assert.deepEqual(
      violations.map(({ message }) => message),
      [
        `Policy statement "PutEventsOnHubBus" ${OF_ROLE}, names Resource "${other}", which is not a bus its ` +
          `targets send to. ${BUS_FIX}`,
        `Policy statement "PutEventsOnHubBus" ${OF_ROLE}, names Resource "${partial}", which is not an event bus ` +
          `ARN written out (arn:<partition>:events:<region>:<account>:event-bus/<name>, no wildcards). ${BUS_FIX}`,
      ],
    );
  });

  it("holds a role no target names to event bus ARNs written out, in any partition", async () => {
    const buses = [HUB_BUS, "arn:aws-us-gov:events:us-gov-west-1:123456789012:event-bus/hub"];
    assert.deepEqual(await checkedStack([spokeRole(), spokePolicy([grant("events:PutEvents", buses)])]), []);
    assert.deepEqual(
      (await checkedStack([spokeRole(), spokePolicy([grant("events:PutEvents", "arn:aws:events:*")])])).map(
        ({ message }) => message,
      ),
      [
        `Policy statement "PutEventsOnHubBus" ${OF_ROLE}, names Resource "arn:aws:events:*", which is not an ` +
          `event bus ARN written out (arn:<partition>:events:<region>:<account>:event-bus/<name>, no wildcards). ` +
          `Set Resource to the hub's event bus ARN.`,
      ],
    );
  });

  it("reads the role's own inline policies, and leaves roles EventBridge does not assume alone", async () => {
    const inline = spokeRole({
      inlinePolicies: [{ name: "forward", policy: JSON.stringify({ Statement: [grant("events:*")] }) }],
    });
    assert.deepEqual(await checkedStack([inline, target()]), [
      {
        policy: "spoke-roles-put-events-only",
        urn: urnOf(inline, PROJECT),
        message: `Inline policy "forward" statement "PutEventsOnHubBus" ${OF_ROLE}, allows "events:*": ${ACTION_FIX}`,
      },
    ]);
    const lambdaTrust = {
      Statement: [
        { Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "lambda.amazonaws.com" } },
      ],
    };
    assert.deepEqual(
      await checkedStack([
        spokeRole({ assumeRolePolicy: lambdaTrust }),
        spokePolicy([grant("events:*", "*")]),
      ]),
      [],
    );
  });

  it("reports managed policies attached to the role, by the role, an attachment or a policy attachment", async () => {
    const basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
    const attachment: StackEntry = {
      type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      name: "forward-basic",
      props: { role: UNKNOWN, policyArn: basic },
      dependsOn: { role: [SPOKE_ROLE] },
    };
    const shared: StackEntry = {
      type: "aws:iam/policyAttachment:PolicyAttachment",
      name: "shared",
      props: { policyArn: basic, roles: ["forward-to-hub-eu-west-1-1a2b3c4", "someone-else"] },
    };
    const violations = await checkedStack([
      spokeRole({ managedPolicyArns: [basic] }),
      spokePolicy([grant("events:PutEvents")]),
      target(),
      attachment,
      shared,
    ]);
    const message =
      `Managed policy "${basic}" is attached to role "${SPOKE}", which EventBridge assumes (it trusts ` +
      `events.amazonaws.com): such a role carries no managed policy, whose grants the pack cannot see. Detach ` +
      `it; the role's inline policy allows events:PutEvents on the hub's event bus.`;
    assert.deepEqual(violations, [
      { policy: "spoke-roles-put-events-only", urn: urnOf(spokeRole(), PROJECT), message },
      { policy: "spoke-roles-put-events-only", urn: urnOf(attachment, PROJECT), message },
      { policy: "spoke-roles-put-events-only", urn: urnOf(shared, PROJECT), message },
    ]);
  });

  it("applies to codebuild-webhooks stacks only", async () => {
    assert.deepEqual(
      await checkedStack([spokeRole(), spokePolicy([grant("events:*", "*")]), target()], OTHER_PROJECT),
      [],
    );
  });
});
