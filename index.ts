import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { createNotifier, MAX_CONCURRENT_DELIVERIES } from "./src/notifier/createNotifier";
import { DELIVERY_KEY_PREFIX } from "./src/notifier/deliveryLedger";
import { STATUS_KEY_PREFIX } from "./src/notifier/projectStatus";
import { createParameterCache } from "./src/notifier/parameterCache";
import { loadReceivers } from "./src/loadReceivers";
import { parameterName, registryItem } from "./src/registryItem";

const config = new pulumi.Config();
const projectName = pulumi.getProject();

// Validate every receiver file before any resource is registered, so a bad file fails the preview
// instead of leaving a half-deployed stack. Plain config values are read for validation only.
const receivers = loadReceivers(path.resolve(__dirname, config.require("receiversDir")), (key) =>
  pulumi.runtime.getConfig(`${projectName}:${key}`),
);

const partition = aws.getPartitionOutput();
const region = aws.getRegionOutput();
const account = aws.getCallerIdentityOutput();

/** The receiver registry: one item per receiver and project, in the AWS sample's item format. */
export const registry = new aws.dynamodb.Table(
  "registry",
  {
    attributes: [
      { name: "project", type: "S" },
      { name: "hook_url_param_name", type: "S" },
    ],
    hashKey: "project",
    rangeKey: "hook_url_param_name",
    billingMode: "PAY_PER_REQUEST",
    pointInTimeRecovery: { enabled: true },
    deletionProtectionEnabled: true,
    // Delivery records (one per event and receiver) expire; registrations have no such attribute.
    ttl: { attributeName: "expires_at", enabled: true },
  },
  { protect: true },
);

const ssmKeyId = config.require("ssmKeyId");

function secureParameter(
  receiver: string,
  kind: "url" | "headers" | "signing-secret",
  configKey: string,
): aws.ssm.Parameter {
  return new aws.ssm.Parameter(`${receiver}/${kind}`, {
    name: parameterName(receiver, kind),
    description: `codebuild-webhooks receiver ${receiver}: ${kind} (config ${projectName}:${configKey})`,
    type: "SecureString",
    keyId: ssmKeyId,
    value: config.requireSecret(configKey),
  });
}

/**
 * A registration's resource name: `/` appears in neither receiver nor project names, and `_all` (for the
 * catch-all `*`) is no project name, since those start with a letter or digit. The characters are the
 * ones `pulumi state` commands accept.
 */
function registrationName(receiver: string, project: string): string {
  return `${receiver}/${project === "*" ? "_all" : project}`;
}

for (const receiver of receivers) {
  const parameters = [
    secureParameter(receiver.name, "url", receiver.urlConfigKey),
    ...(receiver.headersConfigKey
      ? [secureParameter(receiver.name, "headers", receiver.headersConfigKey)]
      : []),
    ...(receiver.signingSecretConfigKey
      ? [secureParameter(receiver.name, "signing-secret", receiver.signingSecretConfigKey)]
      : []),
  ];
  for (const project of receiver.projects) {
    new aws.dynamodb.TableItem(
      registrationName(receiver.name, project),
      {
        tableName: registry.name,
        hashKey: registry.hashKey,
        rangeKey: registry.rangeKey,
        item: JSON.stringify(registryItem(receiver, project)),
      },
      // The item points at the parameters by name: write it only once they exist.
      { dependsOn: parameters },
    );
  }
}

const logGroup = new aws.cloudwatch.LogGroup("notifier", {
  retentionInDays: config.requireNumber("logRetentionDays"),
});

/** Events whose receivers stayed undelivered after Lambda's retries, kept with the reason for replay. */
export const deadLetters = new aws.sqs.Queue("dead-letters", {
  sqsManagedSseEnabled: true,
  messageRetentionSeconds: 14 * 24 * 3600,
});

const role = new aws.iam.Role("notifier", {
  assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "lambda.amazonaws.com" }),
});

const parameterArn = pulumi.interpolate`arn:${partition.partition}:ssm:${region.region}:${account.accountId}:parameter/webhooks/*`;

const rolePolicy = new aws.iam.RolePolicy("notifier", {
  role: role.id,
  policy: pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "ReadRegistry", Effect: "Allow", Action: ["dynamodb:Query"], Resource: [registry.arn] },
      {
        // Delivery and project status records only, by their key prefixes: registrations stay read-only.
        Sid: "RecordDeliveriesAndStatus",
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"],
        Resource: [registry.arn],
        Condition: {
          "ForAllValues:StringLike": {
            "dynamodb:LeadingKeys": [`${DELIVERY_KEY_PREFIX}*`, `${STATUS_KEY_PREFIX}*`],
          },
        },
      },
      {
        Sid: "ReadReceiverParameters",
        Effect: "Allow",
        Action: ["ssm:GetParameter", "ssm:GetParameters"],
        Resource: [parameterArn],
      },
      {
        // Whatever key encrypts the parameters, the notifier may use it only through Parameter Store.
        Sid: "DecryptReceiverParametersViaSsm",
        Effect: "Allow",
        Action: ["kms:Decrypt"],
        Resource: ["*"],
        Condition: {
          StringEquals: { "kms:ViaService": pulumi.interpolate`ssm.${region.region}.amazonaws.com` },
        },
      },
      { Sid: "SendDeadLetters", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [deadLetters.arn] },
      {
        Sid: "WriteLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [pulumi.interpolate`${logGroup.arn}:*`],
      },
    ],
  }),
});

/** The notifier: Pulumi serializes this callback factory, with the local modules it uses, into the Lambda. */
export const notifier = new aws.lambda.CallbackFunction(
  "notifier",
  {
    runtime: aws.lambda.Runtime.NodeJS22dX,
    role,
    memorySize: 256,
    timeout: 60,
    environment: { variables: { TABLE_NAME: registry.name } },
    loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
    // got depends on these for its type declarations only; nothing requires them at run time.
    codePathOptions: { extraExcludePackages: ["type-fest", "@types/http-cache-semantics"] },
    callbackFactory: () => {
      // Modules are required here, once per container, rather than imported at the top of the file:
      // the serializer would capture an import's namespace object by value and fail.
      /* eslint-disable @typescript-eslint/no-require-imports */
      const dynamodbModule = require("@aws-sdk/client-dynamodb") as typeof import("@aws-sdk/client-dynamodb");
      const { SSMClient, GetParametersCommand } =
        require("@aws-sdk/client-ssm") as typeof import("@aws-sdk/client-ssm");
      const { Logger } =
        require("@aws-lambda-powertools/logger") as typeof import("@aws-lambda-powertools/logger");
      const got = (require("got") as typeof import("got")).default;
      const pLimit = (require("p-limit") as typeof import("p-limit")).default;
      const http = require("node:http") as typeof import("node:http");
      const https = require("node:https") as typeof import("node:https");
      /* eslint-enable @typescript-eslint/no-require-imports */
      // Each delivery makes DynamoDB calls: as many connections as deliveries in flight, not the SDK's 50.
      const dynamodbSockets = { keepAlive: true, maxSockets: MAX_CONCURRENT_DELIVERIES };
      const dynamodb = new dynamodbModule.DynamoDBClient({
        requestHandler: { httpAgent: dynamodbSockets, httpsAgent: dynamodbSockets },
      });
      const ssm = new SSMClient({});
      const logger = new Logger({ serviceName: "codebuild-webhooks" });
      const notify = createNotifier({
        tableName: process.env.TABLE_NAME ?? "",
        table: {
          query: (input) => dynamodb.send(new dynamodbModule.QueryCommand(input)),
          getItem: (input) => dynamodb.send(new dynamodbModule.GetItemCommand(input)),
          putItem: (input) => dynamodb.send(new dynamodbModule.PutItemCommand(input)),
          updateItem: (input) => dynamodb.send(new dynamodbModule.UpdateItemCommand(input)),
          batchWriteItem: (input) => dynamodb.send(new dynamodbModule.BatchWriteItemCommand(input)),
        },
        // Five minutes: a rotated secret reaches warm containers within that time.
        parameters: createParameterCache((input) => ssm.send(new GetParametersCommand(input)), 5 * 60_000),
        got,
        // Connections to receivers are kept open across invocations of a warm container.
        agent: { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) },
        log: logger,
        limit: pLimit(MAX_CONCURRENT_DELIVERIES),
        attemptTimeoutMs: 10_000,
      });
      return async (event: Parameters<typeof notify>[0], context: Parameters<typeof notify>[1]) => {
        logger.addContext(context as never);
        return notify(event, context);
      };
    },
  },
  { dependsOn: [rolePolicy] },
);

// Lambda retries a failed event twice; then the event, with the error, goes to the dead-letter queue.
new aws.lambda.FunctionEventInvokeConfig("notifier", {
  functionName: notifier.name,
  maximumRetryAttempts: 2,
  maximumEventAgeInSeconds: 6 * 3600,
  destinationConfig: { onFailure: { destination: deadLetters.arn } },
});

/** Both alarms go off on the first occurrence: a dead letter, or a failed invocation, needs a look. */
const onAnyOccurrence = {
  period: 300,
  evaluationPeriods: 1,
  threshold: 0,
  comparisonOperator: "GreaterThanThreshold",
  treatMissingData: "notBreaching",
  alarmActions: alarmTargets(),
};

new aws.cloudwatch.MetricAlarm("dead-letters", {
  alarmDescription: "Build notices gave up on a receiver: see the dead-letter queue, then replay it.",
  namespace: "AWS/SQS",
  metricName: "ApproximateNumberOfMessagesVisible",
  dimensions: { QueueName: deadLetters.name },
  statistic: "Maximum",
  ...onAnyOccurrence,
});

new aws.cloudwatch.MetricAlarm("notifier-errors", {
  alarmDescription:
    "The notifier failed invocations (a receiver undelivered, or an error); Lambda retries them.",
  namespace: "AWS/Lambda",
  metricName: "Errors",
  dimensions: { FunctionName: notifier.name },
  statistic: "Sum",
  ...onAnyOccurrence,
});

/** Where alarms notify: an existing SNS topic, and/or a new topic mailing `alarmEmail`. */
function alarmTargets(): pulumi.Input<string>[] {
  const targets: pulumi.Input<string>[] = [];
  const topicArn = config.get("alarmTopicArn");
  if (topicArn) targets.push(topicArn);
  const email = config.get("alarmEmail");
  if (email) {
    const topic = new aws.sns.Topic("alarms", { kmsMasterKeyId: "alias/aws/sns" });
    new aws.sns.TopicSubscription("alarms-email", { topic: topic.arn, protocol: "email", endpoint: email });
    targets.push(topic.arn);
  }
  return targets;
}

const rule = new aws.cloudwatch.EventRule("build-state-changes", {
  description: "Every CodeBuild build state change, for the codebuild-webhooks notifier",
  eventPattern: JSON.stringify({
    source: ["aws.codebuild"],
    "detail-type": ["CodeBuild Build State Change"],
  }),
});
rule.onEvent("notifier", notifier);

export const tableName = registry.name;
export const functionName = notifier.name;
export const ruleArn = rule.arn;
export const deadLetterQueueUrl = deadLetters.url;
export const receiversDeployed = receivers.map((receiver) => ({
  name: receiver.name,
  projects: receiver.projects,
  statuses: receiver.statuses,
}));
