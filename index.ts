import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createNotifier, MAX_CONCURRENT_DELIVERIES } from "./src/notifier/createNotifier";
import {
  createDeliveryMetrics,
  DEFAULT_METRICS_NAMESPACE,
  METRICS_NAMESPACE_VARIABLE,
} from "./src/notifier/deliveryMetrics";
import { createParameterCache } from "./src/notifier/parameterCache";
import { DEFAULT_PARAMETER_PATH } from "./src/notifier/registryEntries";
import { emailAlarmTopic } from "./stack/alarmTopic";
import { BUILD_STATE_CHANGES_PATTERN } from "./stack/buildStateChanges";
import { deliveryDashboard } from "./stack/dashboard";
import { deadLetterQueue, notifierOnlySender, watchDeliveryFailures } from "./stack/deliveryFailures";
import { NOTIFIER_HANDLER, notifierCode } from "./stack/notifierCode";
import { eventBusPolicy } from "./stack/eventBusPolicy";
import { hubEventBus } from "./stack/hubEventBus";
import { notifierRole } from "./stack/notifierRole";
import { notifierSourceAccounts } from "./stack/organizationSettings";
import { receiverFailureAlarms } from "./stack/receiverAlarms";
import { registerReceivers } from "./stack/receiverRegistrations";
import { registryTable } from "./stack/registryTable";
import { readStackSettings } from "./stack/stackSettings";
import { forwardSpokes } from "./stack/spokes";

const config = new pulumi.Config();
const projectName = pulumi.getProject();
/**
 * Whether a key was set with `pulumi config set --secret`, from the list of secret keys the engine hands
 * the program. Pulumi marks the function internal, so its type declarations leave it out.
 */
const { isConfigSecret } = pulumi.runtime as unknown as { isConfigSecret(key: string): boolean };

// Every setting and receiver file is checked before any resource is registered (npm run check runs the
// same checks offline). Config values are read here for validation only; whether a value is a secret is
// read too, as a receiver's secrets set without --secret would sit in plain text.
const settings = readStackSettings(
  config,
  (key) => {
    const fullKey = `${projectName}:${key}`;
    const value = pulumi.runtime.getConfig(fullKey);
    return value === undefined ? undefined : { value, secret: isConfigSecret(fullKey) };
  },
  __dirname,
);
for (const warning of settings.warnings) void pulumi.log.warn(warning.text);
const { organization, receivers, parameterPath, metricsNamespace, receiverAlarmPeriods } = settings;

/** The receiver registry: one item per receiver and project, in the AWS sample's item format. */
const registry = registryTable({ deletionProtection: settings.registryDeletionProtection });

// Each receiver's secrets become SecureString parameters under <parameterPath><receiver>/, its projects items.
registerReceivers(receivers, registry, { config, ssmKeyId: settings.ssmKeyId, parameterPath });

const logGroup = new aws.cloudwatch.LogGroup("notifier", {
  retentionInDays: settings.logRetentionDays,
});

const deadLetters = deadLetterQueue();

const hubBus = hubEventBus();

const role = notifierRole({ registry, deadLetters, logGroup, parameterPath });
// The replay invokes the notifier with what the dead-letter queue holds: only the notifier puts messages there.
notifierOnlySender({ deadLetters, notifierRole: role.role });

/**
 * The notifier: Pulumi serializes this callback factory, with the local modules it uses, into the
 * Lambda's code archive (see stack/notifierCode.ts for what the archive leaves out).
 */
const notifier = new aws.lambda.Function(
  "notifier",
  {
    runtime: aws.lambda.Runtime.NodeJS22dX,
    role: role.role.arn,
    memorySize: 256,
    timeout: 60,
    environment: {
      variables: {
        TABLE_NAME: registry.name,
        PARAMETER_PATH: parameterPath,
        // The accounts whose events the notifier serves: it refuses events of others.
        SOURCE_ACCOUNTS: notifierSourceAccounts(organization, hubBus.account),
        [METRICS_NAMESPACE_VARIABLE]: metricsNamespace,
      },
    },
    ...(organization.notifierReservedConcurrency === undefined
      ? {}
      : { reservedConcurrentExecutions: organization.notifierReservedConcurrency }),
    loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
    handler: NOTIFIER_HANDLER,
    code: notifierCode(() => {
      // Modules are required here, once per container, rather than imported at the top of the file:
      // the serializer would capture an import's namespace object by value and fail. Those only events
      // with receivers to notify need are loaded when the first such event comes, not at cold start.
      /* eslint-disable @typescript-eslint/no-require-imports */
      const whenNeeded = <T>(load: () => T): (() => T) => {
        let loaded: T | undefined;
        return () => (loaded ??= load());
      };
      const dynamodbModule = require("@aws-sdk/client-dynamodb") as typeof import("@aws-sdk/client-dynamodb");
      const { Logger } =
        require("@aws-lambda-powertools/logger") as typeof import("@aws-lambda-powertools/logger");
      const http = require("node:http") as typeof import("node:http");
      const https = require("node:https") as typeof import("node:https");
      const getParameters = whenNeeded(() => {
        const ssmModule = require("@aws-sdk/client-ssm") as typeof import("@aws-sdk/client-ssm");
        // One attempt per call: the parameter cache paces its calls within the account's GetParameters
        // quota and makes a throttled one again until the invocation's deadline; the SDK's retries
        // would add calls the pace does not count, and stop after a number of attempts, not in time.
        const ssm = new ssmModule.SSMClient({ maxAttempts: 1 });
        return (
          input: import("@aws-sdk/client-ssm").GetParametersCommandInput,
          options: { abortSignal: AbortSignal },
        ) => ssm.send(new ssmModule.GetParametersCommand(input), options);
      });
      const got = whenNeeded(() => (require("got") as typeof import("got")).default);
      const limit = whenNeeded(() =>
        (require("p-limit") as typeof import("p-limit")).default(MAX_CONCURRENT_DELIVERIES),
      );
      const metricsModule = () =>
        require("@aws-lambda-powertools/metrics") as typeof import("@aws-lambda-powertools/metrics");
      /* eslint-enable @typescript-eslint/no-require-imports */
      const dynamodb = new dynamodbModule.DynamoDBClient({});
      const logger = new Logger({ serviceName: "codebuild-webhooks" });
      const receiversPath = process.env.PARAMETER_PATH ?? DEFAULT_PARAMETER_PATH;
      const notify = createNotifier({
        tableName: process.env.TABLE_NAME ?? "",
        parameterPath: receiversPath,
        sourceAccounts: process.env.SOURCE_ACCOUNTS,
        table: {
          query: (input, options) => dynamodb.send(new dynamodbModule.QueryCommand(input), options),
          getItem: (input, options) => dynamodb.send(new dynamodbModule.GetItemCommand(input), options),
          putItem: (input) => dynamodb.send(new dynamodbModule.PutItemCommand(input)),
          updateItem: (input, options) => dynamodb.send(new dynamodbModule.UpdateItemCommand(input), options),
        },
        // Five minutes: a rotated secret reaches warm containers within that time.
        parameters: createParameterCache((input, options) => getParameters()(input, options), 5 * 60_000),
        got,
        // Connections to receivers are kept open across invocations of a warm container.
        agent: { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) },
        log: logger,
        limit: (task) => limit()(task),
        attemptTimeoutMs: 10_000,
        // Delivery metrics per receiver, in the namespace POWERTOOLS_METRICS_NAMESPACE names; the
        // module is loaded when the first event with receivers is reported.
        report: createDeliveryMetrics({
          parameterPath: receiversPath,
          // Named outright: without a namespace, Powertools warns at every flush.
          createWriter: () =>
            new (metricsModule().Metrics)({
              logger,
              namespace: process.env[METRICS_NAMESPACE_VARIABLE] ?? DEFAULT_METRICS_NAMESPACE,
            }),
          log: logger,
        }),
      });
      return async (event: Parameters<typeof notify>[0], context: Parameters<typeof notify>[1]) => {
        logger.addContext(context as never);
        return notify(event, context);
      };
    }),
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
watchDeliveryFailures({ notifier, deadLetters, deadLetterGrant: role.policy, alarmActions });

// Each receiver the stack deploys alarms when its deliveries keep failing; the dashboard shows every
// receiver, those registered by hand too.
const receiverAlarms =
  receiverAlarmPeriods === undefined
    ? []
    : receiverFailureAlarms({
        receivers: receivers.map((receiver) => receiver.name),
        namespace: metricsNamespace,
        periods: receiverAlarmPeriods,
        alarmActions,
      });
const dashboard = deliveryDashboard({ namespace: metricsNamespace, notifier, deadLetters, receiverAlarms });

const rule = new aws.cloudwatch.EventRule("build-state-changes", {
  description: "Every CodeBuild build state change, for the codebuild-webhooks notifier",
  eventPattern: BUILD_STATE_CHANGES_PATTERN,
});
rule.onEvent("notifier", notifier);

// Other accounts may put events on the hub's default bus, where the rule above picks them up; spokes
// forward their regions' build events there.
const busPolicy = eventBusPolicy(hubBus, organization);
const spokes = forwardSpokes(organization.spokes, hubBus, { busPolicy });

// Names, ARNs and URLs only: an exported resource would put every one of its properties in the outputs.
export const tableName = registry.name;
export const tableArn = registry.arn;
export const functionName = notifier.name;
export const functionArn = notifier.arn;
export const ruleArn = rule.arn;
export const deadLetterQueueUrl = deadLetters.url;
export const deadLetterQueueArn = deadLetters.arn;
/** The CloudWatch dashboard of deliveries per receiver and of the notifier, in the console. */
export const dashboardUrl = dashboard.url;
/** The topic mailing alarmEmail; absent without alarmEmail. */
export const alarmEmailTopicArn = alarmEmailTopic?.arn;
/** The event bus other accounts and regions send to; absent for a stack of one account and region. */
export const hubEventBusArn = busPolicy || organization.spokes.length > 0 ? hubBus.arn : undefined;
export const spokeRuleArns = spokes.ruleArns;
export const spokeRoleArns = spokes.roleArns;
export const receiversDeployed = receivers.map((receiver) => ({
  name: receiver.name,
  projects: receiver.projects,
  statuses: receiver.statuses,
}));
