import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { createNotifier, MAX_CONCURRENT_DELIVERIES } from "./src/notifier/createNotifier";
import { createParameterCache } from "./src/notifier/parameterCache";
import { loadReceivers } from "./src/loadReceivers";
import { deadLetterQueue, watchDeliveryFailures } from "./stack/deliveryFailures";
import { notifierRole } from "./stack/notifierRole";
import { registerReceivers } from "./stack/receiverRegistrations";
import { registryTable } from "./stack/registryTable";

const config = new pulumi.Config();
const projectName = pulumi.getProject();

// Validate every receiver file before any resource is registered, so a bad file fails the preview
// instead of leaving a half-deployed stack. Plain config values are read for validation only.
const receivers = loadReceivers(path.resolve(__dirname, config.require("receiversDir")), (key) =>
  pulumi.runtime.getConfig(`${projectName}:${key}`),
);

/** The receiver registry: one item per receiver and project, in the AWS sample's item format. */
export const registry = registryTable();

// Each receiver's secrets become SecureString parameters under /webhooks/<receiver>/, its projects items.
registerReceivers(receivers, registry, { config, ssmKeyId: config.require("ssmKeyId") });

const logGroup = new aws.cloudwatch.LogGroup("notifier", {
  retentionInDays: config.requireNumber("logRetentionDays"),
});

export const deadLetters = deadLetterQueue();

const role = notifierRole({ registry, deadLetters, logGroup });

/** The notifier: Pulumi serializes this callback factory, with the local modules it uses, into the Lambda. */
export const notifier = new aws.lambda.CallbackFunction(
  "notifier",
  {
    runtime: aws.lambda.Runtime.NodeJS22dX,
    role: role.role,
    memorySize: 256,
    timeout: 60,
    environment: { variables: { TABLE_NAME: registry.name, PARAMETER_PATH: "/webhooks/" } },
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
  { dependsOn: [role.policy] },
);

// Lambda retries an event whose receivers were not all delivered, then keeps it as a dead letter; alarms.
watchDeliveryFailures({ notifier, deadLetters, config });

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
