import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { writeCodeArchive } from "../local/codeArchive";
import {
  ACCOUNT,
  REGION,
  runProgramUnderMocks,
  type MockedResource,
  type ProgramRun,
} from "../local/programUnderMocks";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/stackSecrets";

interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

function ofType(run: ProgramRun, type: string): MockedResource[] {
  return run.resources.filter((resource) => resource.type === type);
}

function single(run: ProgramRun, type: string): MockedResource {
  const found = ofType(run, type);
  assert.equal(found.length, 1, `one ${type}`);
  return found[0];
}

describe("the stack (index.ts under Pulumi mocks)", () => {
  let run: ProgramRun;

  before(async () => {
    run = await runProgramUnderMocks({ config: RECEIVER_SECRETS, secretKeys: RECEIVER_SECRET_KEYS });
  });

  it("creates the registry table with the AWS sample's key schema, on demand, recoverable and protected", () => {
    const table = single(run, "aws:dynamodb/table:Table");
    assert.equal(table.inputs.hashKey, "project");
    assert.equal(table.inputs.rangeKey, "hook_url_param_name");
    assert.deepEqual(table.inputs.attributes, [
      { name: "project", type: "S" },
      { name: "hook_url_param_name", type: "S" },
    ]);
    assert.equal(table.inputs.billingMode, "PAY_PER_REQUEST");
    assert.deepEqual(table.inputs.pointInTimeRecovery, { enabled: true });
    assert.equal(table.inputs.deletionProtectionEnabled, true);
  });

  it("stores each receiver's URL and headers as SecureString parameters under /webhooks/, kept secret", () => {
    const parameters = ofType(run, "aws:ssm/parameter:Parameter");
    assert.deepEqual(parameters.map((p) => p.inputs.name).sort(), [
      "/webhooks/jira-failures/headers",
      "/webhooks/jira-failures/url",
      "/webhooks/slack-builds/url",
    ]);
    const byName = new Map(parameters.map((p) => [p.inputs.name, p]));
    assert.equal(byName.get("/webhooks/jira-failures/url")?.inputs.value, RECEIVER_SECRETS.jiraIssuesUrl);
    assert.equal(
      byName.get("/webhooks/jira-failures/headers")?.inputs.value,
      RECEIVER_SECRETS.jiraAuthHeaders,
    );
    assert.equal(byName.get("/webhooks/slack-builds/url")?.inputs.value, RECEIVER_SECRETS.slackWebhookUrl);
    for (const parameter of parameters) {
      assert.equal(parameter.inputs.type, "SecureString");
      assert.equal(parameter.inputs.keyId, "alias/aws/ssm");
      assert.ok(parameter.secretInputs.includes("value"), `${parameter.inputs.name} value is a secret`);
    }
  });

  it("encrypts the parameters with the customer key named by ssmKeyId", async () => {
    const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const withKey = await runProgramUnderMocks({
      config: { ...RECEIVER_SECRETS, ssmKeyId: keyArn },
      secretKeys: RECEIVER_SECRET_KEYS,
    });
    for (const parameter of ofType(withKey, "aws:ssm/parameter:Parameter")) {
      assert.equal(parameter.inputs.keyId, keyArn);
    }
  });

  it("registers one item per receiver and project, in the sample's item format", () => {
    const items = ofType(run, "aws:dynamodb/tableItem:TableItem").map((item) => ({
      name: item.name,
      item: JSON.parse(item.inputs.item as string),
      hashKey: item.inputs.hashKey,
      rangeKey: item.inputs.rangeKey,
    }));
    const jira = items.find((item) => item.name === "jira-failures/my-app");
    assert.ok(jira, `items: ${items.map((item) => item.name).join(", ")}`);
    assert.equal(jira.hashKey, "project");
    assert.equal(jira.rangeKey, "hook_url_param_name");
    assert.deepEqual(jira.item.project, { S: "my-app" });
    assert.deepEqual(jira.item.hook_url_param_name, { S: "/webhooks/jira-failures/url" });
    assert.deepEqual(jira.item.hook_headers_param_name, { S: "/webhooks/jira-failures/headers" });
    assert.deepEqual(jira.item.statuses, { L: [{ S: "FAILED" }] });
    assert.deepEqual(jira.item.method, { S: "POST" });
    assert.equal(typeof jira.item.template.S, "string");
    const slack = items.find((item) => item.name === "slack-builds/my-app");
    assert.ok(slack);
    assert.equal(slack.item.hook_headers_param_name, undefined);
  });

  it("grants the notifier only what it uses: Query on the table, /webhooks/* parameters, decrypt via SSM, its logs", () => {
    assert.equal(ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, 0);
    const role = single(run, "aws:iam/role:Role");
    const trust = role.inputs.assumeRolePolicy as { Statement: { Principal: unknown }[] };
    assert.deepEqual(trust.Statement[0].Principal, { Service: "lambda.amazonaws.com" });
    const table = single(run, "aws:dynamodb/table:Table");
    const logGroup = single(run, "aws:cloudwatch/logGroup:LogGroup");
    const policy = JSON.parse(single(run, "aws:iam/rolePolicy:RolePolicy").inputs.policy as string) as {
      Statement: PolicyStatement[];
    };
    const grants = policy.Statement.map((statement) => ({
      effect: statement.Effect,
      actions: [statement.Action].flat().sort(),
      resources: [statement.Resource].flat(),
      condition: statement.Condition,
    }));
    assert.deepEqual(grants, [
      { effect: "Allow", actions: ["dynamodb:Query"], resources: [table.outputs.arn], condition: undefined },
      {
        effect: "Allow",
        actions: ["dynamodb:BatchWriteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
        resources: [table.outputs.arn],
        condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["#delivery:*", "#status:*"] } },
      },
      {
        effect: "Allow",
        actions: ["ssm:GetParameter", "ssm:GetParameters"],
        resources: [`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/webhooks/*`],
        condition: undefined,
      },
      {
        effect: "Allow",
        actions: ["kms:Decrypt"],
        resources: ["*"],
        condition: {
          StringEquals: { "kms:ViaService": `ssm.${REGION}.amazonaws.com` },
          StringLike: {
            "kms:EncryptionContext:PARAMETER_ARN": `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/webhooks/*`,
          },
        },
      },
      {
        effect: "Allow",
        actions: ["sqs:SendMessage"],
        resources: [single(run, "aws:sqs/queue:Queue").outputs.arn],
        condition: undefined,
      },
      {
        effect: "Allow",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [`${logGroup.outputs.arn}:*`],
        condition: undefined,
      },
    ]);
  });

  it("runs the notifier on nodejs22.x with the table name and parameter path as its settings and its own log group", () => {
    const fn = single(run, "aws:lambda/function:Function");
    const table = single(run, "aws:dynamodb/table:Table");
    assert.equal(fn.inputs.runtime, "nodejs22.x");
    assert.equal(fn.inputs.handler, "__index.handler");
    assert.deepEqual(fn.inputs.environment, {
      variables: { TABLE_NAME: run.outputs.tableName, PARAMETER_PATH: "/webhooks/" },
    });
    assert.equal(run.outputs.tableName, table.outputs.name);
    const logGroup = single(run, "aws:cloudwatch/logGroup:LogGroup");
    assert.equal(logGroup.inputs.retentionInDays, 30);
    assert.deepEqual(fn.inputs.loggingConfig, { logFormat: "JSON", logGroup: logGroup.outputs.name });
    assert.deepEqual(fn.secretInputs, []);
  });

  it("ships no secret and no deploy-time package in the notifier's code", async () => {
    const fn = single(run, "aws:lambda/function:Function");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "notifier-code-"));
    await writeCodeArchive(fn.inputs.code as pulumi.asset.AssetArchive, dir);
    const modules = fs.readdirSync(path.join(dir, "node_modules"));
    assert.ok(modules.includes("got"));
    for (const excluded of ["@aws-sdk", "@pulumi", "yaml", "zod", "typescript"]) {
      assert.ok(!modules.includes(excluded), `${excluded} is not in the archive`);
    }
    const code = fs.readFileSync(path.join(dir, "__index.js"), "utf8");
    for (const secret of Object.values(RECEIVER_SECRETS)) {
      assert.ok(!code.includes(secret), "a receiver secret is in the serialized code");
    }
    assert.ok(!code.includes("__awaiter"), "async functions stay native");
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("subscribes the notifier to every CodeBuild build state change", () => {
    const rule = single(run, "aws:cloudwatch/eventRule:EventRule");
    assert.deepEqual(JSON.parse(rule.inputs.eventPattern as string), {
      source: ["aws.codebuild"],
      "detail-type": ["CodeBuild Build State Change"],
    });
    const target = single(run, "aws:cloudwatch/eventTarget:EventTarget");
    const fn = single(run, "aws:lambda/function:Function");
    assert.equal(target.inputs.arn, fn.outputs.arn);
    const permission = single(run, "aws:lambda/permission:Permission");
    assert.equal(permission.inputs.principal, "events.amazonaws.com");
    assert.equal(permission.inputs.action, "lambda:invokeFunction");
  });

  it("keeps delivery records in the registry table with an expiry attribute", () => {
    const table = single(run, "aws:dynamodb/table:Table");
    assert.deepEqual(table.inputs.ttl, { attributeName: "expires_at", enabled: true });
  });

  it("retries failed events twice, then keeps them in an encrypted dead-letter queue", () => {
    const queue = single(run, "aws:sqs/queue:Queue");
    assert.equal(queue.inputs.sqsManagedSseEnabled, true);
    assert.equal(queue.inputs.messageRetentionSeconds, 14 * 24 * 3600);
    const invokeConfig = single(run, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig");
    assert.equal(invokeConfig.inputs.functionName, single(run, "aws:lambda/function:Function").outputs.name);
    assert.equal(invokeConfig.inputs.maximumRetryAttempts, 2);
    assert.equal(invokeConfig.inputs.maximumEventAgeInSeconds, 6 * 3600);
    assert.deepEqual(invokeConfig.inputs.destinationConfig, {
      onFailure: { destination: queue.outputs.arn },
    });
    assert.equal(run.outputs.deadLetterQueueUrl, queue.outputs.url);
  });

  it("alarms on dead letters and on notifier errors, notifying nobody unless configured", () => {
    const alarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm");
    const queue = single(run, "aws:sqs/queue:Queue");
    const fn = single(run, "aws:lambda/function:Function");
    assert.deepEqual(
      alarms.map((alarm) => [alarm.inputs.namespace, alarm.inputs.metricName, alarm.inputs.dimensions]),
      [
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: queue.outputs.name }],
        ["AWS/Lambda", "Errors", { FunctionName: fn.outputs.name }],
      ],
    );
    for (const alarm of alarms) {
      assert.equal(alarm.inputs.comparisonOperator, "GreaterThanThreshold");
      assert.equal(alarm.inputs.threshold, 0);
      assert.deepEqual(alarm.inputs.alarmActions, []);
    }
    assert.equal(ofType(run, "aws:sns/topic:Topic").length, 0);
  });

  it("notifies an e-mail address and an existing topic when configured", async () => {
    const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:platform-alerts`;
    const withAlarms = await runProgramUnderMocks({
      config: { ...RECEIVER_SECRETS, alarmEmail: "platform@example.com", alarmTopicArn: topicArn },
      secretKeys: RECEIVER_SECRET_KEYS,
    });
    const topic = single(withAlarms, "aws:sns/topic:Topic");
    const subscription = single(withAlarms, "aws:sns/topicSubscription:TopicSubscription");
    assert.deepEqual(
      [subscription.inputs.topic, subscription.inputs.protocol, subscription.inputs.endpoint],
      [topic.outputs.arn, "email", "platform@example.com"],
    );
    for (const alarm of ofType(withAlarms, "aws:cloudwatch/metricAlarm:MetricAlarm")) {
      assert.deepEqual(alarm.inputs.alarmActions, [topicArn, topic.outputs.arn]);
    }
  });

  it("exports the table, function, rule and the receivers deployed", () => {
    assert.equal(run.outputs.functionName, single(run, "aws:lambda/function:Function").outputs.name);
    assert.equal(run.outputs.ruleArn, single(run, "aws:cloudwatch/eventRule:EventRule").outputs.arn);
    assert.deepEqual(run.outputs.receiversDeployed, [
      { name: "jira-failures", projects: ["my-app"], statuses: ["FAILED"] },
      { name: "slack-builds", projects: ["my-app"], statuses: ["SUCCEEDED", "FAILED", "STOPPED"] },
    ]);
  });

  it("deploys a signed catch-all receiver notified on change only: its secret parameter and item attributes", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "receivers-"));
    fs.writeFileSync(
      path.join(dir, "build-feed.yaml"),
      [
        'projects: ["*"]',
        "statuses: [SUCCEEDED, FAILED]",
        "url: { secret: buildFeedUrl }",
        "signingSecret: { secret: buildFeedSigningSecret }",
        "onlyOnChange: true",
      ].join("\n"),
    );
    const signingSecret = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
    try {
      const feed = await runProgramUnderMocks({
        config: {
          receiversDir: dir,
          buildFeedUrl: "https://feed.example.com/codebuild",
          buildFeedSigningSecret: signingSecret,
        },
        secretKeys: ["codebuild-webhooks:buildFeedUrl", "codebuild-webhooks:buildFeedSigningSecret"],
      });
      const secretParameter = ofType(feed, "aws:ssm/parameter:Parameter").find(
        (parameter) => parameter.inputs.name === "/webhooks/build-feed/signing-secret",
      );
      assert.equal(secretParameter?.inputs.type, "SecureString");
      assert.equal(secretParameter?.inputs.value, signingSecret);
      assert.ok(secretParameter?.secretInputs.includes("value"));
      const item = single(feed, "aws:dynamodb/tableItem:TableItem");
      assert.equal(item.name, "build-feed/_all");
      assert.deepEqual(JSON.parse(item.inputs.item as string), {
        project: { S: "*" },
        hook_url_param_name: { S: "/webhooks/build-feed/url" },
        signing_secret_param_name: { S: "/webhooks/build-feed/signing-secret" },
        statuses: { L: [{ S: "SUCCEEDED" }, { S: "FAILED" }] },
        method: { S: "POST" },
        only_on_change: { BOOL: true },
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails before registering any resource when a receiver's secret is not set", async () => {
    const config = Object.fromEntries(
      Object.entries(RECEIVER_SECRETS).filter(([key]) => key !== "slackWebhookUrl"),
    );
    let registered = 0;
    const attempt = runProgramUnderMocks({
      config,
      secretKeys: RECEIVER_SECRET_KEYS,
      materialize: async () => {
        registered += 1;
        return undefined;
      },
    });
    await assert.rejects(attempt, (error: Error) => {
      assert.match(error.message, /receivers\/slack-builds\.yaml/);
      assert.match(error.message, /pulumi config set --secret codebuild-webhooks:slackWebhookUrl/);
      return true;
    });
    assert.equal(registered, 0);
  });
});
