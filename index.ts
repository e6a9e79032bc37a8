import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { createNotifier, MAX_CONCURRENT_DELIVERIES } from "./src/notifier/createNotifier";
import { createParameterCache } from "./src/notifier/parameterCache";
import { DEFAULT_PARAMETER_PATH } from "./src/notifier/registryEntries";
import { loadReceivers } from "./src/loadReceivers";
import { emailAlarmTopic } from "./stack/alarmTopic";
import { deadLetterQueue, watchDeliveryFailures } from "./stack/deliveryFailures";
import { notifierRole } from "./stack/notifierRole";
import { checkedParameterPath } from "./stack/parameterPath";
import { registerReceivers } from "./stack/receiverRegistrations";
import { registryTable } from "./stack/registryTable";

const config = new pulumi.Config();
const projectName = pulumi.getProject();

// Validate every receiver file before any resource is registered, so a bad file fails the preview
// instead of leaving a half-deployed stack. Plain config values are read for validation only.
const receivers = loadReceivers(path.resolve(__dirname, config.require("receiversDir")), (key) =>
  pulumi.runtime.getConfig(`${projectName}:${key}`),
);
// Where this stack keeps its receivers' parameters, so that stacks sharing an account stay apart.
const parameterPath = checkedParameterPath(
  config.require("parameterPath"),
  receivers.map((receiver) => receiver.name),
);

/** The receiver registry: one item per receiver and project, in the AWS sample's item format. */
const registry = registryTable({ deletionProtection: config.requireBoolean("registryDeletionProtection") });

// Each receiver's secrets become SecureString parameters under <parameterPath><receiver>/, its projects items.
registerReceivers(receivers, registry, { config, ssmKeyId: config.require("ssmKeyId"), parameterPath });

const logGroup = new aws.cloudwatch.LogGroup("notifier", {
  retentionInDays: config.requireNumber("logRetentionDays"),
});

const deadLetters = deadLetterQueue();

const role = notifierRole({ registry, deadLetters, logGroup, parameterPath });

/** The notifier: Pulumi serializes this callback factory, with the local modules it uses, into the Lambda. */
const notifier = new aws.lambda.CallbackFunction(
  "notifier",
  {
    runtime: aws.lambda.Runtime.NodeJS22dX,
    role: role.role,
    memorySize: 256,
    timeout: 60,
    environment: { variables: { TABLE_NAME: registry.name, PARAMETER_PATH: parameterPath } },
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
      const dynamodb = new dynamodbModule.DynamoDBClient({});
      // A burst starts many containers at once, each reading its receivers' parameters: past the
      // account's GetParameters quota (40 per second, shared with CodeBuild's own reads) the calls are
      // throttled. Six attempts with the SDK's jittered backoff (up to 15 s in all) spread the herd
      // over the next seconds instead of failing the invocation for Lambda to retry a minute later.
      const ssm = new SSMClient({ maxAttempts: 6 });
      const logger = new Logger({ serviceName: "codebuild-webhooks" });
      const notify = createNotifier({
        tableName: process.env.TABLE_NAME ?? "",
        parameterPath: process.env.PARAMETER_PATH ?? DEFAULT_PARAMETER_PATH,
        table: {
          query: (input) => dynamodb.send(new dynamodbModule.QueryCommand(input)),
          getItem: (input) => dynamodb.send(new dynamodbModule.GetItemCommand(input)),
          putItem: (input) => dynamodb.send(new dynamodbModule.PutItemCommand(input)),
          updateItem: (input, options) => dynamodb.send(new dynamodbModule.UpdateItemCommand(input), options),
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
  { dependsOn: [role.policy] },
);

// Alarms notify an existing topic and/or a new one that mails alarmEmail.
const alarmEmail = config.get("alarmEmail");
const alarmEmailTopic = alarmEmail ? emailAlarmTopic(alarmEmail) : undefined;
const alarmActions = [config.get("alarmTopicArn"), alarmEmailTopic?.arn].filter(
  (target): target is NonNullable<typeof target> => Boolean(target),
);

// Lambda retries an event whose receivers were not all delivered, then keeps it as a dead letter; alarms.
watchDeliveryFailures({ notifier, deadLetters, alarmActions });

const rule = new aws.cloudwatch.EventRule("build-state-changes", {
  description: "Every CodeBuild build state change, for the codebuild-webhooks notifier",
  eventPattern: JSON.stringify({
    source: ["aws.codebuild"],
    "detail-type": ["CodeBuild Build State Change"],
  }),
});
rule.onEvent("notifier", notifier);

// Names, ARNs and URLs only: an exported resource would put every one of its properties in the outputs.
export const tableName = registry.name;
export const tableArn = registry.arn;
export const functionName = notifier.name;
export const functionArn = notifier.arn;
export const ruleArn = rule.arn;
export const deadLetterQueueUrl = deadLetters.url;
export const deadLetterQueueArn = deadLetters.arn;
/** The topic mailing alarmEmail; absent without alarmEmail. */
export const alarmEmailTopicArn = alarmEmailTopic?.arn;
export const receiversDeployed = receivers.map((receiver) => ({
  name: receiver.name,
  projects: receiver.projects,
  statuses: receiver.statuses,
}));
