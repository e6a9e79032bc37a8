import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  ACCOUNT,
  REGION,
  locationOf,
  runProgramUnderMocks,
  type MockedResource,
} from "../local/programUnderMocks";
import { actionPatternMatches, patternReachesArns } from "../policy/iamPattern";
import { iamStatements, type IamStatement } from "../policy/iamPolicyDocument";
import { specRun } from "./support/specStack";

/** Actions on one resource ARN, or on `*` for actions without resource-level permissions. */
interface Need {
  actions: string[];
  resource: string;
}

const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
/** An ARN where the resource lives: the hub's account and region, or those of its spoke. */
const arnBeside = (resource: MockedResource, service: string, name: string) => {
  const { region, account } = locationOf(resource);
  return `arn:aws:${service}:${region}:${account}:${name}`;
};
const output = (resource: MockedResource, name: string) => resource.outputs[name] as string;
const input = (resource: MockedResource, name: string) => resource.inputs[name] as string;

/**
 * What `pulumi up`, `refresh` and `destroy` ask of AWS for each resource type the program creates: create,
 * read, update, delete and tags, as the AWS provider calls them. The one table of it: docs/deploying.md's
 * policy is checked against it.
 */
const NEEDS: Record<string, (resource: MockedResource) => Need[]> = {
  "aws:dynamodb/table:Table": (table) => [
    {
      actions: [
        "dynamodb:CreateTable",
        "dynamodb:DescribeTable",
        "dynamodb:UpdateTable",
        "dynamodb:DeleteTable",
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:UpdateContinuousBackups",
        "dynamodb:DescribeTimeToLive",
        "dynamodb:UpdateTimeToLive",
        "dynamodb:ListTagsOfResource",
        "dynamodb:TagResource",
        "dynamodb:UntagResource",
        // The registry export before a teardown (docs/settings.md), not the program.
        "dynamodb:Scan",
      ],
      resource: output(table, "arn"),
    },
  ],
  "aws:dynamodb/tableItem:TableItem": (item) => [
    {
      actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
      resource: arn("dynamodb", `table/${input(item, "tableName")}`),
    },
  ],
  "aws:ssm/parameter:Parameter": (parameter) => {
    const keyId = input(parameter, "keyId");
    return [
      {
        actions: [
          "ssm:PutParameter",
          "ssm:GetParameter",
          "ssm:GetParameters",
          "ssm:DeleteParameter",
          "ssm:AddTagsToResource",
          "ssm:RemoveTagsFromResource",
          "ssm:ListTagsForResource",
        ],
        resource: output(parameter, "arn"),
      },
      { actions: ["ssm:DescribeParameters"], resource: "*" },
      // An AWS managed key's own policy admits the account's callers through Parameter Store.
      ...(keyId.startsWith("alias/aws/")
        ? []
        : [{ actions: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], resource: keyId }]),
    ];
  },
  "aws:cloudwatch/logGroup:LogGroup": (logGroup) => [
    {
      actions: [
        "logs:CreateLogGroup",
        "logs:DeleteLogGroup",
        "logs:PutRetentionPolicy",
        "logs:DeleteRetentionPolicy",
        "logs:ListTagsForResource",
        "logs:TagResource",
        "logs:UntagResource",
      ],
      resource: output(logGroup, "arn"),
    },
    { actions: ["logs:DescribeLogGroups"], resource: "*" },
  ],
  "aws:sqs/queue:Queue": (queue) => [
    {
      actions: [
        "sqs:CreateQueue",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "sqs:SetQueueAttributes",
        "sqs:DeleteQueue",
        "sqs:ListQueueTags",
        "sqs:TagQueue",
        "sqs:UntagQueue",
      ],
      resource: output(queue, "arn"),
    },
  ],
  // The provider writes and reads a queue's policy as its Policy attribute.
  "aws:sqs/queuePolicy:QueuePolicy": (queuePolicy) => {
    const [, region, account, name] =
      /^https:\/\/sqs\.([^.]+)\.amazonaws\.com\/(\d+)\/(.+)$/.exec(input(queuePolicy, "queueUrl")) ?? [];
    return [
      {
        actions: ["sqs:GetQueueAttributes", "sqs:SetQueueAttributes"],
        resource: `arn:aws:sqs:${region}:${account}:${name}`,
      },
    ];
  },
  "aws:iam/role:Role": (role) => [
    {
      actions: [
        "iam:CreateRole",
        "iam:GetRole",
        "iam:UpdateRole",
        "iam:UpdateAssumeRolePolicy",
        "iam:DeleteRole",
        "iam:ListRoleTags",
        "iam:TagRole",
        "iam:UntagRole",
        "iam:ListRolePolicies",
        "iam:ListAttachedRolePolicies",
        "iam:ListInstanceProfilesForRole",
      ],
      resource: output(role, "arn"),
    },
  ],
  "aws:iam/rolePolicy:RolePolicy": (policy) => [
    {
      actions: ["iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"],
      resource: `arn:aws:iam::${locationOf(policy).account}:role/${input(policy, "role")}`,
    },
  ],
  "aws:lambda/function:Function": (fn) => [
    {
      actions: [
        "lambda:CreateFunction",
        "lambda:GetFunction",
        "lambda:GetFunctionConfiguration",
        "lambda:GetFunctionCodeSigningConfig",
        "lambda:ListVersionsByFunction",
        "lambda:UpdateFunctionCode",
        "lambda:UpdateFunctionConfiguration",
        "lambda:DeleteFunction",
        "lambda:ListTags",
        "lambda:TagResource",
        "lambda:UntagResource",
      ],
      resource: output(fn, "arn"),
    },
    { actions: ["iam:PassRole"], resource: input(fn, "role") },
    // notifierReservedConcurrency: set, and removed when the setting goes.
    ...(fn.inputs.reservedConcurrentExecutions === undefined
      ? []
      : [
          {
            actions: ["lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency"],
            resource: output(fn, "arn"),
          },
        ]),
  ],
  "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": (invokeConfig) => [
    {
      actions: [
        "lambda:PutFunctionEventInvokeConfig",
        "lambda:GetFunctionEventInvokeConfig",
        "lambda:UpdateFunctionEventInvokeConfig",
        "lambda:DeleteFunctionEventInvokeConfig",
      ],
      resource: arn("lambda", `function:${input(invokeConfig, "functionName")}`),
    },
  ],
  "aws:lambda/permission:Permission": (permission) => [
    {
      actions: ["lambda:AddPermission", "lambda:GetPolicy", "lambda:RemovePermission"],
      resource: arn("lambda", `function:${input(permission, "function")}`),
    },
  ],
  "aws:cloudwatch/eventRule:EventRule": (rule) => [
    {
      actions: [
        "events:PutRule",
        "events:DescribeRule",
        "events:DeleteRule",
        "events:ListTagsForResource",
        "events:TagResource",
        "events:UntagResource",
      ],
      resource: output(rule, "arn"),
    },
  ],
  "aws:cloudwatch/eventTarget:EventTarget": (target) => [
    {
      actions: ["events:PutTargets", "events:ListTargetsByRule", "events:RemoveTargets"],
      resource: arnBeside(target, "events", `rule/${input(target, "rule")}`),
    },
    // A target that sends with a role (a spoke's, to the hub's bus) passes it to EventBridge.
    ...(target.inputs.roleArn === undefined
      ? []
      : [{ actions: ["iam:PassRole"], resource: input(target, "roleArn") }]),
  ],
  "aws:cloudwatch/eventBusPolicy:EventBusPolicy": (busPolicy) => [
    {
      actions: ["events:PutPermission", "events:DescribeEventBus", "events:RemovePermission"],
      resource: arn("events", `event-bus/${input(busPolicy, "eventBusName")}`),
    },
  ],
  // A spoke's provider: in another account, the hub's deployment assumes the spoke's deploy role.
  "pulumi:providers:aws": (provider) =>
    typeof provider.inputs.assumeRoles === "string"
      ? (JSON.parse(provider.inputs.assumeRoles) as { roleArn: string }[]).map(({ roleArn }) => ({
          actions: ["sts:AssumeRole"],
          resource: roleArn,
        }))
      : [],
  // A component grouping the rule's target and permission: nothing of its own in AWS.
  "aws:cloudwatch:EventRuleEventSubscription": () => [],
  "aws:cloudwatch/metricAlarm:MetricAlarm": (alarm) => [
    {
      actions: [
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:DeleteAlarms",
        "cloudwatch:ListTagsForResource",
        "cloudwatch:TagResource",
        "cloudwatch:UntagResource",
      ],
      resource: output(alarm, "arn"),
    },
    { actions: ["cloudwatch:DescribeAlarms"], resource: "*" },
  ],
  // Dashboards belong to the account, not a region: their ARN has none.
  "aws:cloudwatch/dashboard:Dashboard": (dashboard) => [
    {
      actions: ["cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"],
      resource: output(dashboard, "dashboardArn"),
    },
  ],
  "aws:sns/topic:Topic": (topic) => [
    {
      actions: [
        "sns:CreateTopic",
        "sns:GetTopicAttributes",
        "sns:SetTopicAttributes",
        "sns:DeleteTopic",
        "sns:ListTagsForResource",
        "sns:TagResource",
        "sns:UntagResource",
      ],
      resource: output(topic, "arn"),
    },
  ],
  "aws:sns/topicPolicy:TopicPolicy": (topicPolicy) => [
    { actions: ["sns:GetTopicAttributes", "sns:SetTopicAttributes"], resource: input(topicPolicy, "arn") },
  ],
  "aws:sns/topicSubscription:TopicSubscription": (subscription) => [
    { actions: ["sns:Subscribe"], resource: input(subscription, "topic") },
    {
      actions: ["sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes", "sns:Unsubscribe"],
      resource: output(subscription, "arn"),
    },
  ],
  "aws:kms/key:Key": (key) => [
    { actions: ["kms:CreateKey"], resource: "*" },
    {
      actions: [
        "kms:DescribeKey",
        "kms:GetKeyPolicy",
        "kms:PutKeyPolicy",
        "kms:GetKeyRotationStatus",
        "kms:EnableKeyRotation",
        "kms:UpdateKeyDescription",
        "kms:ListResourceTags",
        "kms:TagResource",
        "kms:UntagResource",
        "kms:ScheduleKeyDeletion",
      ],
      resource: output(key, "arn"),
    },
  ],
};

/** The policy document in docs/deploying.md: its one JSON block. */
function deployingPolicy(): unknown {
  const page = fs.readFileSync(path.join(__dirname, "..", "docs", "deploying.md"), "utf8");
  const blocks = [...page.matchAll(/^```json\n([\s\S]*?)^```$/gm)];
  assert.equal(blocks.length, 1, "docs/deploying.md has one JSON block, the policy");
  return JSON.parse(blocks[0][1]);
}

/** The policy of a spoke account's deploy role in docs/organization.md: the JSON block under its heading. */
function spokeDeployRolePolicy(): unknown {
  const page = fs.readFileSync(path.join(__dirname, "..", "docs", "organization.md"), "utf8");
  const block = /^### The deploy role's permissions$[\s\S]*?^```json\n([\s\S]*?)^```$/m.exec(page);
  assert.ok(block, "docs/organization.md gives the deploy role's permissions under their heading");
  return JSON.parse(block[1]);
}

/** Resources created in a spoke's account, with the spoke's deploy role rather than the hub's identity. */
function inSpokeAccount(resource: MockedResource): boolean {
  return locationOf(resource).account !== ACCOUNT;
}

/** The needs the statements leave without an Allow. */
function missingGrants(statements: IamStatement[], resources: MockedResource[]): string[] {
  const missing: string[] = [];
  for (const resource of resources) {
    for (const need of NEEDS[resource.type]?.(resource) ?? []) {
      for (const action of need.actions) {
        const granted = statements.some(
          (statement) =>
            statement.effect === "Allow" &&
            (statement.action ?? []).some((pattern) => actionPatternMatches(pattern, action)) &&
            (statement.resource ?? []).some((pattern) => patternReachesArns(pattern, need.resource)),
        );
        if (!granted) missing.push(`${action} on ${need.resource} (${resource.type} ${resource.name})`);
      }
    }
  }
  return missing;
}

/** The grants (action on resource pattern) that no need of the resources uses. */
function unneededGrants(statements: IamStatement[], resources: MockedResource[]): string[] {
  const needed = resources.flatMap((resource) => NEEDS[resource.type]?.(resource) ?? []);
  const unneeded: string[] = [];
  for (const statement of statements) {
    assert.equal(statement.effect, "Allow", `statement ${statement.label} allows`);
    assert.ok(
      statement.action && statement.resource,
      `statement ${statement.label} names Action and Resource`,
    );
    for (const pattern of statement.action) {
      for (const resource of statement.resource) {
        const used = needed.some(
          (need) =>
            need.actions.some((action) => actionPatternMatches(pattern, action)) &&
            patternReachesArns(resource, need.resource),
        );
        if (!used) unneeded.push(`${statement.label}: ${pattern} on ${resource}`);
      }
    }
  }
  return unneeded;
}

/** Which service each statement granting iam:PassRole passes roles to, by the roles it reaches. */
function passedRoles(document: unknown, roles: MockedResource[]): { roles: string[]; service: unknown }[] {
  const { Statement } = document as {
    Statement: { Sid: string; Condition?: Record<string, Record<string, unknown>> }[];
  };
  return iamStatements(document)
    .filter((statement) =>
      (statement.action ?? []).some((pattern) => actionPatternMatches(pattern, "iam:PassRole")),
    )
    .map((statement) => ({
      roles: roles
        .filter((role) =>
          (statement.resource ?? []).some((pattern) => patternReachesArns(pattern, output(role, "arn"))),
        )
        .map((role) => role.name),
      service: Statement.find((candidate) => `"${candidate.Sid}"` === statement.label)?.Condition,
    }));
}

const SPOKE_DEPLOY_ROLE = "arn:aws:iam::111122223333:role/codebuild-webhooks-deploy";

describe("the deploying identity's policy (docs/deploying.md)", () => {
  let resources: MockedResource[];
  let hubResources: MockedResource[];
  let spokeResources: MockedResource[];
  const statements = iamStatements(deployingPolicy());

  before(async () => {
    // Every optional setting on, so that every resource type the program can create is there: a spoke in
    // the hub's account, and one in another account.
    const run = await runProgramUnderMocks(
      specRun({
        alarmEmail: "platform@example.com",
        alarmTopicArn: arn("sns", "platform-alerts"),
        ssmKeyId: arn("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab"),
        parameterPath: "/webhooks/staging/",
        registryDeletionProtection: "false",
        sourceAccounts: JSON.stringify(["111122223333"]),
        organizationId: "o-a1b2c3d4e5",
        spokes: JSON.stringify([
          { region: "eu-west-1" },
          { region: "ap-southeast-2", roleArn: SPOKE_DEPLOY_ROLE },
        ]),
        notifierReservedConcurrency: "100",
      }),
    );
    resources = run.resources;
    hubResources = resources.filter((resource) => !inSpokeAccount(resource));
    spokeResources = resources.filter(inSpokeAccount);
    assert.ok(spokeResources.length > 0, "the run has resources in a spoke account");
  });

  it("knows every resource type the program creates", () => {
    const unknown = [...new Set(resources.map((resource) => resource.type))].filter(
      (type) => !(type in NEEDS),
    );
    assert.deepEqual(
      unknown,
      [],
      "add what these types need to NEEDS in test/deploying.spec.ts and grant it in docs/deploying.md",
    );
  });

  it("grants every resource the program creates in the hub's account the actions its type needs", () => {
    assert.deepEqual(missingGrants(statements, hubResources), []);
  });

  it("grants nothing that no resource needs", () => {
    assert.deepEqual(unneededGrants(statements, hubResources), []);
  });

  it("passes each role only to the service that assumes it: the notifier's to Lambda, spokes' to EventBridge", () => {
    const roles = hubResources.filter((resource) => resource.type === "aws:iam/role:Role");
    assert.deepEqual(passedRoles(deployingPolicy(), roles), [
      {
        roles: ["forward-to-hub-eu-west-1"],
        service: { StringEquals: { "iam:PassedToService": "events.amazonaws.com" } },
      },
      { roles: ["notifier"], service: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } } },
    ]);
  });

  describe("a spoke account's deploy role (docs/organization.md)", () => {
    const spokeStatements = iamStatements(spokeDeployRolePolicy());

    it("grants what the spoke's resources need", () => {
      assert.deepEqual(missingGrants(spokeStatements, spokeResources), []);
    });

    it("grants nothing that no spoke resource needs", () => {
      assert.deepEqual(unneededGrants(spokeStatements, spokeResources), []);
    });

    it("passes the forwarding role to EventBridge only", () => {
      const roles = spokeResources.filter((resource) => resource.type === "aws:iam/role:Role");
      assert.deepEqual(passedRoles(spokeDeployRolePolicy(), roles), [
        {
          roles: [`forward-to-hub-111122223333-ap-southeast-2`],
          service: { StringEquals: { "iam:PassedToService": "events.amazonaws.com" } },
        },
      ]);
    });
  });
});
