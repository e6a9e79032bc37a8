import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as lambda from "@pulumi/aws/lambda";
import * as pulumi from "@pulumi/pulumi";
import {
  deliveryMetricsReport,
  deliverySlots,
  httpClient,
  keepAliveAgents,
  notifierLogger,
  parameterStoreReads,
  registryTableClient,
} from "./src/notifier/containerDependencies";
import { createNotifier } from "./src/notifier/createNotifier";
import { METRICS_NAMESPACE_VARIABLE } from "./src/notifier/deliveryMetrics";
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
import { notifierSourceAccounts } from "./stack/notifierSourceAccounts";
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

const logGroup = new cloudwatch.LogGroup("notifier", {
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
const notifier = new lambda.Function(
  "notifier",
  {
    runtime: lambda.Runtime.NodeJS22dX,
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
      // Runs once per container: what the container keeps for its life is made here (see
      // containerDependencies.ts for why those functions require their modules themselves).
      const logger = notifierLogger();
      // Not the stack's parameterPath: the container reads its own environment, which the stack sets.
      const receiversPath = process.env.PARAMETER_PATH ?? DEFAULT_PARAMETER_PATH;
      const notify = createNotifier({
        tableName: process.env.TABLE_NAME ?? "",
        parameterPath: receiversPath,
        sourceAccounts: process.env.SOURCE_ACCOUNTS,
        table: registryTableClient(),
        // Five minutes: a rotated secret reaches warm containers within that time.
        parameters: createParameterCache(parameterStoreReads(), 5 * 60_000),
        got: httpClient(),
        agent: keepAliveAgents(),
        log: logger,
        limit: deliverySlots(),
        attemptTimeoutMs: 10_000,
        report: deliveryMetricsReport(logger, receiversPath),
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

const rule = new cloudwatch.EventRule("build-state-changes", {
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
