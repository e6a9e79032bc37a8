import * as assert from "node:assert/strict";
import { MockedResource, runProgramUnderMocks } from "../local/programUnderMocks";
import { PROJECT } from "../local/stackConfig";
import { NOTIFIER_ROLE_TAG } from "../policy/stackResources";
import { WEBHOOKS_PROJECTS } from "../policy/webhooksScope";
import {
  Violation,
  listingHint,
  programResourceViolations,
  programStackViolations,
  programViolations,
  resourceViolations,
  urnOf,
} from "./support/policyRun";
import { specRun, specRunAs } from "./support/specStack";

interface PolicyDocument {
  Statement: { Sid?: string; Condition?: Record<string, unknown> }[];
}

/** What the pack checks of a resource before creating it: its inputs. */
function checked(resource: MockedResource) {
  return programResourceViolations(resource, PROJECT);
}

/** What the stack policies see at the end of an update: every resource with its outputs. */
function checkedStack(resources: MockedResource[]) {
  return programStackViolations(resources, PROJECT);
}

/** A copy of a resource with some inputs (and the outputs that repeat them) replaced. */
function withInputs(resource: MockedResource, inputs: Record<string, unknown>): MockedResource {
  return {
    ...resource,
    inputs: { ...resource.inputs, ...inputs },
    outputs: { ...resource.outputs, ...inputs },
  };
}

describe("the stack under its own policy pack", () => {
  let resources: MockedResource[];

  function first(type: string): MockedResource {
    const found = resources.find((resource) => resource.type === type);
    assert.ok(found, `the program creates a ${type}`);
    return found;
  }

  function notifierPolicy(): { resource: MockedResource; document: PolicyDocument } {
    const resource = first("aws:iam/rolePolicy:RolePolicy");
    return { resource, document: JSON.parse(String(resource.inputs.policy)) as PolicyDocument };
  }

  before(async () => {
    ({ resources } = await runProgramUnderMocks(specRun()));
  });

  it("passes every resource policy with every resource the program creates", async () => {
    for (const resource of resources) {
      assert.deepEqual(await checked(resource), [], `${resource.type} ${resource.name}`);
    }
  });

  it("passes the stack policies with the whole stack, its notifier's parameter path included", async () => {
    assert.equal(
      (first("aws:lambda/function:Function").inputs.environment as { variables: Record<string, string> })
        .variables.PARAMETER_PATH,
      "/webhooks/",
    );
    assert.deepEqual(await checkedStack(resources), []);
  });

  it("blocks a receiver parameter renamed outside /webhooks/", async () => {
    const parameter = first("aws:ssm/parameter:Parameter");
    assert.deepEqual(await checked(withInputs(parameter, { name: "/ci/jira-failures/url" })), [
      {
        policy: "webhooks-parameter-prefix",
        message:
          `Parameter name "/ci/jira-failures/url" is not under /webhooks/, so the notifier's grant on ` +
          `parameter/webhooks/* does not cover it. Name it "/webhooks/<receiver>/url", ".../headers" or ".../signing-secret".`,
      },
    ]);
  });

  it("blocks a receiver parameter stored as a plain String", async () => {
    const parameter = first("aws:ssm/parameter:Parameter");
    assert.deepEqual(await checked(withInputs(parameter, { type: "String" })), [
      {
        policy: "webhooks-parameter-securestring",
        message: `Parameter "${String(parameter.inputs.name)}" has type "String"; set type: "SecureString".`,
      },
    ]);
  });

  it("blocks a notifier policy that also reads every parameter", async () => {
    const { resource, document } = notifierPolicy();
    document.Statement.push({
      Sid: "ReadAll",
      Effect: "Allow",
      Action: "ssm:GetParameter*",
      Resource: "*",
    } as never);
    assert.deepEqual(await checked(withInputs(resource, { policy: JSON.stringify(document) })), [
      {
        policy: "notifier-least-privilege",
        message:
          `Policy statement "ReadAll" allows ssm:GetParameter, ssm:GetParameters, ssm:GetParametersByPath, ` +
          `ssm:GetParameterHistory on "*", which reaches parameters outside /webhooks/. ` +
          `Limit Resource to "arn:aws:ssm:<region>:<account>:parameter/webhooks/*".`,
      },
    ]);
  });

  it("blocks a notifier that may write registrations or decrypt beyond its parameters", async () => {
    const { resource, document } = notifierPolicy();
    const unconditioned = (sid: string) => {
      const statement = document.Statement.find((candidate) => candidate.Sid === sid);
      assert.ok(statement, sid);
      delete statement.Condition;
    };
    unconditioned("RecordDeliveriesAndStatus");
    unconditioned("DecryptReceiverParametersViaSsm");
    const violations = await checked(withInputs(resource, { policy: JSON.stringify(document) }));
    assert.deepEqual(
      violations.map(({ policy, message }) => [policy, message.split(",")[0]]),
      [
        [
          "notifier-decrypt-scoped",
          `Policy statement "DecryptReceiverParametersViaSsm" allows kms:Decrypt without a kms:ViaService condition and without a kms:EncryptionContext:PARAMETER_ARN condition`,
        ],
        ["notifier-registry-writes", `Policy statement "RecordDeliveriesAndStatus" allows dynamodb:PutItem`],
      ],
    );
  });

  it("blocks a managed policy on the notifier's role, however harmless its name", async () => {
    const role = first("aws:iam/role:Role");
    const attachment = {
      type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      name: "notifier-ssm",
      props: { role: role.outputs.name, policyArn: "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess" },
    };
    assert.deepEqual(
      (await resourceViolations(attachment, PROJECT)).map(({ policy }) => policy),
      ["notifier-managed-policies"],
    );
  });

  it("holds the whole stack to a narrower parameter path, once its notifier names one", async () => {
    const path = "/webhooks/staging/";
    const narrowed = resources.map((resource) =>
      resource.type === "aws:lambda/function:Function"
        ? withInputs(resource, {
            environment: { variables: { TABLE_NAME: "registry", PARAMETER_PATH: path } },
          })
        : resource,
    );
    const violations = await checkedStack(narrowed);
    const from = `this stack's parameter path "${path}" (PARAMETER_PATH of function "notifier")`;
    const policy = first("aws:iam/rolePolicy:RolePolicy");
    assert.deepEqual(
      violations.filter(({ urn }) => urn === urnOf(policy, PROJECT)).map(({ message }) => message),
      [
        `Policy statement "ReadReceiverParameters" allows ssm:GetParameter, ssm:GetParameters on ` +
          `"arn:aws:ssm:us-east-1:123456789012:parameter/webhooks/*", beyond ${from}: the notifier would read ` +
          `other stacks' receiver credentials. Limit Resource to "arn:aws:ssm:<region>:<account>:parameter${path}*".`,
        `Policy statement "DecryptReceiverParametersViaSsm" allows kms:Decrypt with kms:EncryptionContext:PARAMETER_ARN ` +
          `["arn:aws:ssm:us-east-1:123456789012:parameter/webhooks/*"], beyond ${from}: the notifier could decrypt ` +
          `other stacks' receiver credentials. Limit it to "arn:aws:ssm:<region>:<account>:parameter${path}*".`,
      ],
    );
    const parameters = resources.filter(({ type }) => type === "aws:ssm/parameter:Parameter");
    const items = resources.filter(({ type }) => type === "aws:dynamodb/tableItem:TableItem");
    assert.deepEqual(
      violations
        .filter(({ urn }) => urn !== urnOf(policy, PROJECT))
        .map(({ policy, urn }) => [policy, urn])
        .sort(),
      [
        ...parameters.map((parameter) => ["stack-parameter-path", urnOf(parameter, PROJECT)]),
        // Each item names its URL parameter, and the Jira receiver's its headers parameter too.
        ...items.flatMap((item) =>
          Array(String(item.inputs.item).includes("hook_headers_param_name") ? 2 : 1).fill([
            "stack-parameter-path",
            urnOf(item, PROJECT),
          ]),
        ),
      ].sort(),
    );
  });

  it("blocks a second role of the stack that reads the receiver credentials", async () => {
    const reader = {
      type: "aws:iam/role:Role",
      name: "reader",
      inputs: {},
      secretInputs: [],
      protect: false,
      outputs: {
        name: "reader-1",
        arn: "arn:aws:iam::123456789012:role/reader-1",
        inlinePolicies: [
          {
            name: "read",
            policy: JSON.stringify({
              Statement: [
                {
                  Effect: "Allow",
                  Action: "ssm:GetParameters",
                  Resource: "arn:aws:ssm:*:*:parameter/webhooks/*",
                },
              ],
            }),
          },
        ],
      },
    };
    assert.deepEqual(await checkedStack([...resources, reader]), [
      {
        policy: "notifier-only-reader",
        urn: urnOf(reader, PROJECT),
        message:
          `Inline policy "read" statement 1 allows ssm:GetParameters on "arn:aws:ssm:*:*:parameter/webhooks/*" to ` +
          `role "reader", which is not the notifier's role (the stack's role tagged codebuild-webhooks:role=notifier): ` +
          `only the notifier reads the receiver credentials under /webhooks/. Remove this grant.`,
      },
    ]);
  });

  /** A resource as the stack policies see it after an update: its outputs. */
  function deployed(type: string, name: string, outputs: Record<string, unknown>): MockedResource {
    return { type, name, inputs: outputs, secretInputs: [], protect: false, outputs };
  }

  const ROLE = "aws:iam/role:Role";
  const FUNCTION = "aws:lambda/function:Function";
  const readWebhooks = JSON.stringify({
    Statement: [
      {
        Effect: "Allow",
        Action: "ssm:GetParameter",
        Resource: "arn:aws:ssm:us-east-1:123456789012:parameter/webhooks/*",
      },
    ],
  });

  it("tells the notifier's role by the tag the program gives it: another function's role may not read", async () => {
    assert.deepEqual(first(ROLE).inputs.tags, { [NOTIFIER_ROLE_TAG.key]: NOTIFIER_ROLE_TAG.value });
    const reporterRole = deployed(ROLE, "reporter", {
      name: "reporter-1",
      arn: "arn:aws:iam::123456789012:role/reporter-1",
      assumeRolePolicy: first(ROLE).inputs.assumeRolePolicy,
    });
    const reporterRead = deployed("aws:iam/rolePolicy:RolePolicy", "reporter", {
      role: "reporter-1",
      policy: readWebhooks,
    });
    const reporter = deployed(FUNCTION, "reporter", {
      name: "reporter-1",
      arn: "arn:aws:lambda:us-east-1:123456789012:function:reporter-1",
      role: "arn:aws:iam::123456789012:role/reporter-1",
    });
    assert.deepEqual(await checkedStack([...resources, reporterRole, reporterRead, reporter]), [
      {
        policy: "notifier-only-reader",
        urn: urnOf(reporterRead, PROJECT),
        message:
          `Policy statement 1 allows ssm:GetParameter on "arn:aws:ssm:us-east-1:123456789012:parameter/webhooks/*" ` +
          `to role "reporter", which is not the notifier's role (the stack's role tagged ` +
          `codebuild-webhooks:role=notifier): only the notifier reads the receiver credentials under /webhooks/. ` +
          `Remove this grant.`,
      },
    ]);
  });

  it("blocks a second function running as the notifier's role, and a second role tagged as the notifier's", async () => {
    const notifier = first(FUNCTION);
    const reporter = deployed(FUNCTION, "reporter", {
      ...notifier.outputs,
      name: "reporter-1",
      arn: "arn:aws:lambda:us-east-1:123456789012:function:reporter-1",
    });
    assert.deepEqual(await checkedStack([...resources, reporter]), [
      {
        policy: "notifier-only-reader",
        message:
          `2 functions run as role "notifier", the notifier's: Function "notifier"; Function "reporter". Whatever ` +
          `runs as it reads the receiver credentials. Give every function but the notifier a role of its own.`,
      },
    ]);
    const impostor = deployed(ROLE, "reporter", {
      ...first(ROLE).outputs,
      name: "reporter-1",
      arn: "arn:aws:iam::123456789012:role/reporter-1",
    });
    assert.deepEqual(await checkedStack([...resources, impostor]), [
      {
        policy: "notifier-only-reader",
        message:
          `Roles "notifier", "reporter" carry the notifier's tag codebuild-webhooks:role=notifier: a stack has one ` +
          `notifier's role, the only one that may read the receiver credentials. Remove the tag from every role ` +
          `but the notifier's.`,
      },
    ]);
  });

  it("advises point-in-time recovery when the registry loses it", async () => {
    const table = first("aws:dynamodb/table:Table");
    assert.deepEqual(await checked(withInputs(table, { pointInTimeRecovery: { enabled: false } })), [
      {
        policy: "registry-recoverable",
        message: "Registry table has no point-in-time recovery; set pointInTimeRecovery: { enabled: true }.",
      },
    ]);
  });
});

describe("a copy of the project renamed in its Pulumi.yaml, under the policy pack", () => {
  const RENAMED = "team-webhooks";
  let resources: MockedResource[];

  before(async () => {
    ({ resources } = await runProgramUnderMocks(specRunAs(RENAMED)));
  });

  // The list as shipped, which a test extends as a user would edit it.
  const shipped = [...WEBHOOKS_PROJECTS];
  afterEach(() => {
    WEBHOOKS_PROJECTS.splice(0, WEBHOOKS_PROJECTS.length, ...shipped);
  });

  function violationsAs(project: string): Promise<Violation[]> {
    return programViolations(resources, project);
  }

  it("meets, unlisted, no violation whose message does not say how to list it, and to raise the pack's version", async () => {
    const violations = await violationsAs(RENAMED);
    assert.ok(violations.length > 0);
    // Its notifier role's read of /webhooks/ and its notifier function among them: a message that only
    // said "remove this grant", or offered an exception of the pack's config, would point the wrong way.
    assert.ok(violations.some(({ policy }) => policy === "notifier-least-privilege"));
    assert.ok(violations.some(({ policy }) => policy === "webhooks-access-judged"));
    const withoutHint = violations
      .filter(({ message }) => !message.includes(listingHint(RENAMED)))
      .map(({ policy, message }) => `${policy}: ${message}`);
    assert.deepEqual(withoutHint, []);
    // `pulumi policy publish` refuses a version the organization already has ("Version Tag ... already exists").
    assert.match(listingHint(RENAMED), /raise the version in policy\/package\.json/);
  });

  it("is another project's stack to the pack: its receiver parameters are refused, naming the list to add it to", async () => {
    const violations = await violationsAs(RENAMED);
    const parameters = resources.filter(({ type }) => type === "aws:ssm/parameter:Parameter");
    assert.ok(parameters.length > 0);
    const refused = violations.filter(({ policy }) => policy === "webhooks-parameter-source");
    assert.equal(refused.length, parameters.length);
    for (const { message } of refused) {
      assert.match(message, /created by a stack of project "team-webhooks"/);
      assert.ok(message.endsWith(listingHint(RENAMED)), message);
    }
  });

  it("passes every policy once its name is listed beside codebuild-webhooks, and is held to the same rules", async () => {
    WEBHOOKS_PROJECTS.push(RENAMED);
    assert.deepEqual(await violationsAs(RENAMED), []);

    // Listed, it is a codebuild-webhooks stack to every rule: a String parameter is refused as in the shipped one.
    const parameter = resources.find(({ type }) => type === "aws:ssm/parameter:Parameter");
    assert.ok(parameter);
    const plain = await programResourceViolations(withInputs(parameter, { type: "String" }), RENAMED);
    assert.deepEqual(
      plain.map(({ policy }) => policy),
      ["webhooks-parameter-securestring"],
    );
  });
});

describe("the organization's hub stack under its own policy pack", () => {
  const ORGANIZATION = "o-a1b2c3d4e5";
  const SPOKE_ACCOUNT = "111122223333";
  const HUB_BUS = "arn:aws:events:us-east-1:123456789012:event-bus/default";
  let resources: MockedResource[];

  function named(type: string, name: string): MockedResource {
    const found = resources.find((resource) => resource.type === type && resource.name === name);
    assert.ok(found, `the program creates a ${type} named ${name}`);
    return found;
  }

  /** A spoke's forwarding policy with its statement replaced, in a copy of the stack. */
  function withForwarding(statement: Record<string, unknown>): { stack: MockedResource[]; urn: string } {
    const policy = named("aws:iam/rolePolicy:RolePolicy", "forward-to-hub-eu-west-1");
    const changed = withInputs(policy, {
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Sid: "PutEventsOnHubBus", ...statement }],
      }),
    });
    return {
      stack: resources.map((resource) => (resource === policy ? changed : resource)),
      urn: urnOf(policy, PROJECT),
    };
  }

  const ofRole = `of role "forward-to-hub-eu-west-1", which EventBridge assumes (it trusts events.amazonaws.com)`;

  before(async () => {
    ({ resources } = await runProgramUnderMocks(
      specRun({
        organizationId: ORGANIZATION,
        sourceAccounts: JSON.stringify(["210987654321"]),
        spokes: JSON.stringify([
          { region: "eu-west-1" },
          {
            region: "ap-southeast-2",
            roleArn: `arn:aws:iam::${SPOKE_ACCOUNT}:role/codebuild-webhooks-deploy`,
          },
        ]),
      }),
    ));
  });

  it("passes every policy with the hub's bus policy and every spoke's rule, target and forwarding role", async () => {
    const types = resources.map(({ type }) => type);
    assert.equal(types.filter((type) => type === "aws:cloudwatch/eventBusPolicy:EventBusPolicy").length, 1);
    assert.equal(types.filter((type) => type === "aws:cloudwatch/eventTarget:EventTarget").length, 3);
    assert.equal(types.filter((type) => type === "aws:iam/role:Role").length, 3);
    for (const resource of resources) {
      assert.deepEqual(await checked(resource), [], `${resource.type} ${resource.name}`);
    }
    assert.deepEqual(await checkedStack(resources), []);
  });

  it("blocks the hub's bus admitting anyone when the organization's condition is dropped", async () => {
    const busPolicy = named("aws:cloudwatch/eventBusPolicy:EventBusPolicy", "hub-event-bus");
    const document = JSON.parse(String(busPolicy.inputs.policy)) as PolicyDocument;
    const organization = document.Statement.find(({ Sid }) => Sid === "OrganizationPutEvents");
    assert.ok(organization);
    delete organization.Condition;
    assert.deepEqual(await checked(withInputs(busPolicy, { policy: JSON.stringify(document) })), [
      {
        policy: "event-bus-not-public",
        message:
          `Policy statement "OrganizationPutEvents" admits any principal (Principal "*") to the default event bus ` +
          `with no condition on aws:PrincipalOrgID, so any AWS account may put events on it, CodeBuild events for ` +
          `a codebuild-webhooks notifier included. Name the accounts instead (Principal { AWS: ` +
          `"arn:aws:iam::<account>:root" }, the stack's sourceAccounts), or add Condition: { StringEquals: { ` +
          `"aws:PrincipalOrgID": "o-<organization>" } } (its organizationId).`,
      },
    ]);
  });

  it("blocks a spoke's forwarding role that may do anything with events, or put them anywhere", async () => {
    const everything = withForwarding({ Effect: "Allow", Action: "events:*", Resource: HUB_BUS });
    assert.deepEqual(await checkedStack(everything.stack), [
      {
        policy: "spoke-roles-put-events-only",
        urn: everything.urn,
        message:
          `Policy statement "PutEventsOnHubBus" ${ofRole}, allows "events:*": a role EventBridge assumes may allow ` +
          `events:PutEvents only. Set Action: "events:PutEvents".`,
      },
    ]);
    const anywhere = withForwarding({ Effect: "Allow", Action: "events:PutEvents", Resource: "*" });
    assert.deepEqual(await checkedStack(anywhere.stack), [
      {
        policy: "spoke-roles-put-events-only",
        urn: anywhere.urn,
        message:
          `Policy statement "PutEventsOnHubBus" ${ofRole}, names Resource "*", which is not an event bus ARN ` +
          `written out (arn:<partition>:events:<region>:<account>:event-bus/<name>, no wildcards). Set Resource ` +
          `to the bus its targets send to ("${HUB_BUS}").`,
      },
    ]);
  });

  it("blocks a spoke's forwarding role that puts events on a bus its target does not send to", async () => {
    const spokeBus = "arn:aws:events:eu-west-1:123456789012:event-bus/default";
    const { stack, urn } = withForwarding({
      Effect: "Allow",
      Action: "events:PutEvents",
      Resource: spokeBus,
    });
    assert.deepEqual(
      (await checkedStack(stack)).map((violation) => [violation.policy, violation.urn, violation.message]),
      [
        [
          "spoke-roles-put-events-only",
          urn,
          `Policy statement "PutEventsOnHubBus" ${ofRole}, names Resource "${spokeBus}", which is not a bus its ` +
            `targets send to. Set Resource to the bus its targets send to ("${HUB_BUS}").`,
        ],
      ],
    );
  });
});
