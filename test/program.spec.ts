import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { patternReachesArns } from "../policy/iamPattern";
import { writeCodeArchive } from "../local/codeArchive";
import { ACCOUNT, REGION, runProgramUnderMocks, type ProgramRun } from "../local/programUnderMocks";
import { failureBeforeAnyResource } from "./support/failedProgramRun";
import { ofType, single } from "./support/programResources";
import { withWarnings } from "./support/programWarnings";
import {
  RECEIVER_SECRET_KEYS,
  RECEIVER_SECRETS,
  SHIPPED_RECEIVERS,
  SPEC_STACK,
  specRun,
  specRunAs,
} from "./support/specStack";
import { namespacedConfig, RENAMED_PROJECT } from "./support/userRepoStacks";

interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

function statementsOf(document: unknown): PolicyStatement[] {
  return (JSON.parse(document as string) as { Statement: PolicyStatement[] }).Statement;
}

describe("the stack (index.ts under Pulumi mocks)", () => {
  let run: ProgramRun;

  before(async () => {
    run = await runProgramUnderMocks(specRun());
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
    assert.equal(table.protect, true, "protected in Pulumi too");
  });

  it("lifts both protections of the registry when registryDeletionProtection is false, and nothing else", async () => {
    const unprotected = await runProgramUnderMocks(specRun({ registryDeletionProtection: "false" }));
    const table = single(unprotected, "aws:dynamodb/table:Table");
    assert.equal(table.inputs.deletionProtectionEnabled, false);
    assert.equal(table.protect, false);
    assert.deepEqual(table.inputs.pointInTimeRecovery, { enabled: true });
    assert.deepEqual(
      unprotected.resources.filter((resource) => resource.protect),
      [],
      "no other resource is protected either",
    );
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
    const withKey = await runProgramUnderMocks(specRun({ ssmKeyId: keyArn }));
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
        actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
        resources: [table.outputs.arn],
        condition: {
          "ForAllValues:StringLike": {
            "dynamodb:LeadingKeys": ["#delivery:*", "#status:*", "#remember:*", "#build:*"],
          },
        },
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

  it("runs the notifier on nodejs22.x with the table name, parameter path and accounts it serves as its settings and its own log group", () => {
    const fn = single(run, "aws:lambda/function:Function");
    const table = single(run, "aws:dynamodb/table:Table");
    assert.equal(fn.inputs.runtime, "nodejs22.x");
    assert.equal(fn.inputs.handler, "__index.handler");
    assert.deepEqual(fn.inputs.environment, {
      variables: {
        TABLE_NAME: run.outputs.tableName,
        PARAMETER_PATH: "/webhooks/",
        SOURCE_ACCOUNTS: ACCOUNT,
        POWERTOOLS_METRICS_NAMESPACE: "CodeBuildWebhooks",
      },
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
    // The receivers' own alarms are in program-metrics.spec.ts.
    const alarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").filter(
      (alarm) => alarm.inputs.metricName !== "Failed",
    );
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
    assert.equal(ofType(run, "aws:kms/key:Key").length, 0);
  });

  it("notifies an e-mail address and an existing topic when configured", async () => {
    const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:platform-alerts`;
    const withAlarms = await runProgramUnderMocks(
      specRun({ alarmEmail: "platform@example.com", alarmTopicArn: topicArn }),
    );
    const topic = single(withAlarms, "aws:sns/topic:Topic");
    const subscription = single(withAlarms, "aws:sns/topicSubscription:TopicSubscription");
    assert.deepEqual(
      [subscription.inputs.topic, subscription.inputs.protocol, subscription.inputs.endpoint],
      [topic.outputs.arn, "email", "platform@example.com"],
    );
    for (const alarm of ofType(withAlarms, "aws:cloudwatch/metricAlarm:MetricAlarm")) {
      assert.deepEqual(alarm.inputs.alarmActions, [topicArn, topic.outputs.arn]);
    }
    assert.equal(withAlarms.outputs.alarmEmailTopicArn, topic.outputs.arn);
    assert.equal(run.outputs.alarmEmailTopicArn, undefined);
  });

  it("encrypts the e-mail alarm topic with a rotated key of its own that this account's alarms may use", async () => {
    const withEmail = await runProgramUnderMocks(specRun({ alarmEmail: "platform@example.com" }));
    const key = single(withEmail, "aws:kms/key:Key");
    const topic = single(withEmail, "aws:sns/topic:Topic");
    assert.equal(topic.inputs.kmsMasterKeyId, key.outputs.arn, "not the AWS managed alias/aws/sns");
    assert.equal(key.inputs.enableKeyRotation, true);
    const fromThisAccountsAlarms = {
      StringEquals: { "aws:SourceAccount": ACCOUNT },
      ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:*` },
    };
    assert.deepEqual(statementsOf(key.inputs.policy), [
      {
        Sid: "AccountAdministersKey",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: ["kms:*"],
        Resource: ["*"],
      },
      {
        Sid: "CloudWatchAlarmsEncryptNotices",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: ["*"],
        Condition: fromThisAccountsAlarms,
      },
    ]);
    const topicPolicy = single(withEmail, "aws:sns/topicPolicy:TopicPolicy");
    assert.equal(topicPolicy.inputs.arn, topic.outputs.arn);
    assert.deepEqual(statementsOf(topicPolicy.inputs.policy), [
      {
        Sid: "CloudWatchAlarmsPublish",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["sns:Publish"],
        Resource: [topic.outputs.arn],
        Condition: fromThisAccountsAlarms,
      },
    ]);
    // The alarms the conditions admit are the stack's own.
    for (const alarm of ofType(withEmail, "aws:cloudwatch/metricAlarm:MetricAlarm")) {
      assert.ok(
        patternReachesArns(fromThisAccountsAlarms.ArnLike["aws:SourceArn"], alarm.outputs.arn as string),
        `${alarm.name} may publish`,
      );
    }
  });

  it("exports the table, function, rule, queue, dashboard and the receivers deployed: names, ARNs and URLs, no whole resource", () => {
    assert.deepEqual(run.exportedResources, []);
    const table = single(run, "aws:dynamodb/table:Table");
    const fn = single(run, "aws:lambda/function:Function");
    const queue = single(run, "aws:sqs/queue:Queue");
    assert.deepEqual(run.outputs, {
      tableName: table.outputs.name,
      tableArn: table.outputs.arn,
      functionName: fn.outputs.name,
      functionArn: fn.outputs.arn,
      ruleArn: single(run, "aws:cloudwatch/eventRule:EventRule").outputs.arn,
      deadLetterQueueUrl: queue.outputs.url,
      deadLetterQueueArn: queue.outputs.arn,
      dashboardUrl: `https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#dashboards/dashboard/codebuild-webhooks-dev`,
      alarmEmailTopicArn: undefined,
      hubEventBusArn: undefined,
      spokeRuleArns: [],
      spokeRoleArns: [],
      receiversDeployed: [
        { name: "jira-failures", projects: ["my-app"], statuses: ["FAILED"] },
        { name: "slack-builds", projects: ["my-app"], statuses: ["SUCCEEDED", "FAILED", "STOPPED"] },
      ],
    });
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
        stack: SPEC_STACK,
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

  it("registers a receiver with actions per transition: its actions in the item, FAILED and SUCCEEDED, no template", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "receivers-"));
    fs.writeFileSync(
      path.join(dir, "jira.yaml"),
      [
        'projects: [my-app, "api"]',
        "url: { secret: jiraBaseUrl }",
        "headers: { secret: jiraAuthHeaders }",
        "method: put",
        "on:",
        "  broken:",
        "    path: /rest/api/2/issue",
        "    method: post",
        '    template: \'{ "fields": { "summary": "$PROJECT is failing" } }\'',
        "    remember: { JIRA_ISSUE: key, JIRA_ID: id }",
        "  fixed:",
        "    path: /rest/api/2/issue/$JIRA_ISSUE/transitions",
        '    template: \'{ "transition": { "id": "31" } }\'',
      ].join("\n"),
    );
    try {
      const jira = await runProgramUnderMocks({
        stack: SPEC_STACK,
        config: {
          receiversDir: dir,
          jiraBaseUrl: "https://example.atlassian.net",
          jiraAuthHeaders: '{"Authorization": "Basic ZXhhbXBsZUBleGFtcGxlLmNvbTp0b2tlbg=="}',
        },
        secretKeys: ["codebuild-webhooks:jiraBaseUrl", "codebuild-webhooks:jiraAuthHeaders"],
      });
      const items = ofType(jira, "aws:dynamodb/tableItem:TableItem");
      assert.deepEqual(
        items.map((item) => item.name),
        ["jira/my-app", "jira/api"],
      );
      assert.deepEqual(JSON.parse(items[1].inputs.item as string), {
        project: { S: "api" },
        hook_url_param_name: { S: "/webhooks/jira/url" },
        hook_headers_param_name: { S: "/webhooks/jira/headers" },
        statuses: { L: [{ S: "FAILED" }, { S: "SUCCEEDED" }] },
        method: { S: "PUT" },
        actions: {
          M: {
            broken: {
              M: {
                template: { S: '{ "fields": { "summary": "$PROJECT is failing" } }' },
                path: { S: "/rest/api/2/issue" },
                method: { S: "POST" },
                remember: { M: { JIRA_ISSUE: { S: "key" }, JIRA_ID: { S: "id" } } },
              },
            },
            fixed: {
              M: {
                template: { S: '{ "transition": { "id": "31" } }' },
                path: { S: "/rest/api/2/issue/$JIRA_ISSUE/transitions" },
                // An action without a method of its own takes the receiver's.
                method: { S: "PUT" },
              },
            },
          },
        },
      });
      assert.deepEqual(
        (jira.outputs.receiversDeployed as { name: string; statuses: string[] }[]).map(
          ({ name, statuses }) => ({
            name,
            statuses,
          }),
        ),
        [{ name: "jira", statuses: ["FAILED", "SUCCEEDED"] }],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps two stacks of one account apart by their parameterPath: parameter names, items and grants", async () => {
    const stackWith = async (parameterPath: string) => {
      const stackRun = await runProgramUnderMocks(specRun({ parameterPath }));
      const parameters = ofType(stackRun, "aws:ssm/parameter:Parameter").map((p) => p.inputs.name as string);
      const items = ofType(stackRun, "aws:dynamodb/tableItem:TableItem").map(
        (item) => JSON.parse(item.inputs.item as string) as Record<string, { S?: string }>,
      );
      const statements = statementsOf(single(stackRun, "aws:iam/rolePolicy:RolePolicy").inputs.policy);
      const read = statements.find((statement) => statement.Sid === "ReadReceiverParameters");
      const decrypt = statements.find((statement) => statement.Sid === "DecryptReceiverParametersViaSsm");
      const fn = single(stackRun, "aws:lambda/function:Function");
      return {
        parameters,
        parameterArns: parameters.map((name) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`),
        itemParameters: items.flatMap((item) =>
          [item.hook_url_param_name?.S, item.hook_headers_param_name?.S].filter((name) => name !== undefined),
        ),
        readGrant: [read?.Resource].flat() as string[],
        decryptGrant: decrypt?.Condition?.StringLike?.["kms:EncryptionContext:PARAMETER_ARN"],
        environment: (fn.inputs.environment as { variables: Record<string, string> }).variables,
      };
    };
    const staging = await stackWith("/webhooks/staging/");
    const production = await stackWith("/webhooks/production/");
    const byDefault = await stackWith("/webhooks/");

    assert.deepEqual(staging.parameters.sort(), [
      "/webhooks/staging/jira-failures/headers",
      "/webhooks/staging/jira-failures/url",
      "/webhooks/staging/slack-builds/url",
    ]);
    assert.deepEqual([...staging.itemParameters].sort(), [
      "/webhooks/staging/jira-failures/headers",
      "/webhooks/staging/jira-failures/url",
      "/webhooks/staging/slack-builds/url",
    ]);
    assert.deepEqual(staging.readGrant, [`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/webhooks/staging/*`]);
    assert.deepEqual(staging.decryptGrant, staging.readGrant[0]);
    assert.equal(staging.environment.PARAMETER_PATH, "/webhooks/staging/");
    for (const other of [production, byDefault]) {
      assert.deepEqual(
        staging.parameters.filter((name) => other.parameters.includes(name)),
        [],
        "no parameter name in common",
      );
    }
    // Each stack's grants reach its own parameters and none of the other's.
    for (const [own, other] of [
      [staging, production],
      [production, staging],
    ]) {
      for (const grant of [...own.readGrant, own.decryptGrant as string]) {
        assert.ok(own.parameterArns.every((arn) => patternReachesArns(grant, arn)));
        assert.deepEqual(
          other.parameterArns.filter((arn) => patternReachesArns(grant, arn)),
          [],
        );
      }
    }
  });

  it("refuses a parameterPath SSM or the grants cannot take, naming the config key, before any resource", async () => {
    // Short enough for SSM's 2048 characters, but not for the 1011 left to a name with its ARN.
    const longPath = `/webhooks/${"a".repeat(1000)}/`;
    const deepPath = `/webhooks/${Array.from({ length: 13 }, (_, level) => `l${level}`).join("/")}/`;
    for (const [parameterPath, problem] of [
      ["/webhooks/staging", /must start with \/webhooks\/ and end with "\/"/],
      ["/secrets/staging/", /must start with \/webhooks\/ and end with "\/"/],
      ["webhooks/staging/", /must start with \/webhooks\/ and end with "\/"/],
      ["/webhooks/stag ing/", /"stag ing" cannot be one/],
      ["/webhooks//", /"" cannot be one/],
      ["/webhooks/staging:1/", /"staging:1" cannot be one/],
      [deepPath, /it has 14 levels/],
      [longPath, /receiver jira-failures's parameter names would be up to 1039 characters long/],
    ] as const) {
      const error = await failureBeforeAnyResource(
        { ...RECEIVER_SECRETS, parameterPath },
        `parameterPath ${JSON.stringify(parameterPath)}`,
      );
      assert.match(error.message, /codebuild-webhooks:parameterPath/, parameterPath);
      assert.match(error.message, problem, parameterPath);
    }
  });

  it("fails before registering any resource when a receiver's secret is not set", async () => {
    const config = Object.fromEntries(
      Object.entries(RECEIVER_SECRETS).filter(([key]) => key !== "slackWebhookUrl"),
    );
    const error = await failureBeforeAnyResource(config, "slackWebhookUrl unset");
    assert.match(error.message, /receivers\/slack-builds\.yaml/);
    assert.match(error.message, /pulumi config set --secret codebuild-webhooks:slackWebhookUrl/);
  });

  it("names the keys of a project renamed in Pulumi.yaml in its own namespace, so the commands it suggests set the keys it reads", async () => {
    await assert.rejects(
      runProgramUnderMocks({
        stack: SPEC_STACK,
        project: RENAMED_PROJECT,
        ...namespacedConfig(RENAMED_PROJECT, ["slackWebhookUrl"]),
      }),
      (error: Error) => {
        // `pulumi config set --secret codebuild-webhooks:slackWebhookUrl` would set a key of another
        // namespace, which this project's program never reads: preview would refuse again.
        assert.match(
          error.message,
          new RegExp(
            `config "${RENAMED_PROJECT}:slackWebhookUrl" is not set; run: pulumi config set --secret ${RENAMED_PROJECT}:slackWebhookUrl `,
          ),
        );
        return true;
      },
    );
    const settings = [
      [
        { metricsNamespace: "AWS/Builds" },
        `pulumi config set ${RENAMED_PROJECT}:metricsNamespace CodeBuildWebhooks`,
      ],
      [{ parameterPath: "/hooks/" }, `pulumi config set ${RENAMED_PROJECT}:parameterPath /webhooks/<stack>/`],
      [
        { receiverFailureAlarmPeriods: "0" },
        `pulumi config set ${RENAMED_PROJECT}:receiverFailureAlarmPeriods 1`,
      ],
    ] as const;
    for (const [config, command] of settings) {
      await assert.rejects(runProgramUnderMocks(specRunAs(RENAMED_PROJECT, config)), (error: Error) => {
        assert.ok(error.message.includes(command), error.message);
        assert.doesNotMatch(error.message, /codebuild-webhooks:/);
        return true;
      });
    }
  });

  it("fails before registering any resource when a receiver's secret is set without --secret", async () => {
    let registered = 0;
    const attempt = runProgramUnderMocks({
      ...specRun(
        {},
        RECEIVER_SECRET_KEYS.filter((key) => key !== "codebuild-webhooks:slackWebhookUrl"),
      ),
      materialize: async () => {
        registered += 1;
        return undefined;
      },
    });
    await assert.rejects(attempt, (error: Error) => {
      assert.equal(
        error.message,
        "The receiver files have 1 problem:\n" +
          'test/fixtures/shipped/receivers/slack-builds.yaml: url.secret (line 7): config "codebuild-webhooks:slackWebhookUrl" is set without --secret, so its value is stored in plain text in the stack\'s Pulumi.<stack>.yaml; set it again as a secret: pulumi config set --secret codebuild-webhooks:slackWebhookUrl <value>',
      );
      return true;
    });
    assert.equal(registered, 0);
  });

  it("warns, and deploys, when two receivers send each notice twice or a template names an unknown placeholder", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "receivers-"));
    fs.copyFileSync(path.join(SHIPPED_RECEIVERS, "slack-builds.yaml"), path.join(dir, "slack-builds.yaml"));
    const examples = path.join(__dirname, "..", "receivers", "examples");
    fs.copyFileSync(path.join(examples, "slack.yaml"), path.join(dir, "slack.yaml"));
    fs.writeFileSync(
      path.join(dir, "typo.yaml"),
      'projects: [api]\nstatuses: [FAILED]\nurl: { secret: typoUrl }\ntemplate: |\n  {"text": "$PROJCT failed"}\n',
    );
    const { result: warned, warnings } = await withWarnings(() =>
      runProgramUnderMocks({
        stack: SPEC_STACK,
        config: {
          receiversDir: dir,
          slackWebhookUrl: RECEIVER_SECRETS.slackWebhookUrl,
          typoUrl: "https://chat.example/typo",
        },
        secretKeys: ["codebuild-webhooks:slackWebhookUrl", "codebuild-webhooks:typoUrl"],
      }),
    ).finally(() => fs.rmSync(dir, { recursive: true, force: true }));
    assert.equal(warnings.length, 2, warnings.join("\n"));
    assert.match(
      warnings[1],
      /[/]slack-builds\.yaml, .*[/]slack\.yaml: both send to the URL in config "codebuild-webhooks:slackWebhookUrl", so each SUCCEEDED, FAILED build of my-app is notified twice; delete one of the files, or give one its own secret keys$/,
    );
    assert.match(
      warnings[0],
      /[/]typo\.yaml: template \(line 4\): \$PROJCT at line 1 of the template is not a built-in placeholder \(did you mean \$PROJECT, the CodeBuild project name\?\)/,
    );
    assert.deepEqual(
      (warned.outputs.receiversDeployed as { name: string }[]).map((receiver) => receiver.name),
      ["slack-builds", "slack", "typo"],
    );
  });
});
