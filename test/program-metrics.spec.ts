import * as assert from "node:assert/strict";
import {
  ACCOUNT,
  REGION,
  runProgramUnderMocks,
  type MockedResource,
  type ProgramRun,
} from "../local/programUnderMocks";
import { dashboardName } from "../stack/dashboard";
import { receiverAlarmName } from "../stack/receiverAlarms";
import { failureBeforeAnyResource } from "./support/failedProgramRun";
import { ofType, single } from "./support/programResources";
import { withWarnings } from "./support/programWarnings";
import { RECEIVER_SECRETS, specRun, specRunAs } from "./support/specStack";

interface Widget {
  type: string;
  y: number;
  properties: { title: string; region: string; metrics: unknown[][]; alarms?: string[] };
}

function widgetsOf(run: ProgramRun): Widget[] {
  const dashboard = single(run, "aws:cloudwatch/dashboard:Dashboard");
  return (JSON.parse(dashboard.inputs.dashboardBody as string) as { widgets: Widget[] }).widgets;
}

/** Each graph's title and what it plots: search expressions, or metrics as [namespace, name, dimension, value, options]. */
function graphs(run: ProgramRun): Record<string, unknown[]> {
  return Object.fromEntries(
    metricWidgetsOf(run).map((widget) => [
      widget.properties.title,
      widget.properties.metrics.map((metric) => {
        const [first] = metric;
        if (typeof first === "object" && first !== null && "expression" in first) {
          return (first as { expression: string }).expression;
        }
        return metric.slice(0, 4).concat((metric[4] as { stat: string }).stat);
      }),
    ]),
  );
}

function metricWidgetsOf(run: ProgramRun): Widget[] {
  return widgetsOf(run).filter((widget) => widget.type === "metric");
}

/** The alarms the dashboard's alarm status widgets show. */
function alarmTiles(run: ProgramRun): string[] {
  return widgetsOf(run)
    .filter((widget) => widget.type === "alarm")
    .flatMap((widget) => widget.properties.alarms ?? []);
}

/** The alarms on receivers' failed deliveries. */
function receiverAlarms(run: ProgramRun): MockedResource[] {
  return ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").filter(
    (alarm) => alarm.inputs.metricName === "Failed",
  );
}

async function deploy(config: Record<string, string> = {}): Promise<ProgramRun> {
  return runProgramUnderMocks(specRun({ ...config }));
}

describe("delivery metrics in the stack (index.ts under Pulumi mocks)", () => {
  let run: ProgramRun;

  before(async () => {
    run = await deploy();
  });

  it("has the notifier write its metrics to the CodeBuildWebhooks namespace", () => {
    const fn = single(run, "aws:lambda/function:Function");
    const { variables } = fn.inputs.environment as { variables: Record<string, string> };
    assert.equal(variables.POWERTOOLS_METRICS_NAMESPACE, "CodeBuildWebhooks");
  });

  it("draws a dashboard: every receiver's deliveries, failures, attempts and latency, the notifier and its dead letters", () => {
    const dashboard = single(run, "aws:cloudwatch/dashboard:Dashboard");
    assert.equal(dashboard.inputs.dashboardName, "codebuild-webhooks-dev");
    const fn = single(run, "aws:lambda/function:Function").outputs.name;
    const queue = single(run, "aws:sqs/queue:Queue").outputs.name;
    assert.deepEqual(graphs(run), {
      "Deliveries per receiver": [
        `SEARCH('{CodeBuildWebhooks,Receiver} MetricName="Delivered"', 'Sum', 300)`,
      ],
      "Failed deliveries per receiver": [
        `SEARCH('{CodeBuildWebhooks,Receiver} MetricName="Failed"', 'Sum', 300)`,
      ],
      "Delivery latency p50 per receiver (ms)": [
        `SEARCH('{CodeBuildWebhooks,Receiver} MetricName="DeliveryLatency"', 'p50', 300)`,
      ],
      "Delivery latency p99 per receiver (ms)": [
        `SEARCH('{CodeBuildWebhooks,Receiver} MetricName="DeliveryLatency"', 'p99', 300)`,
      ],
      "Attempts per receiver (retries included)": [
        `SEARCH('{CodeBuildWebhooks,Receiver} MetricName="Attempts"', 'Sum', 300)`,
      ],
      "Notifier invocations, errors and throttles": [
        ["AWS/Lambda", "Invocations", "FunctionName", fn, "Sum"],
        ["AWS/Lambda", "Errors", "FunctionName", fn, "Sum"],
        ["AWS/Lambda", "Throttles", "FunctionName", fn, "Sum"],
      ],
      "Notifier duration (ms)": [
        ["AWS/Lambda", "Duration", "FunctionName", fn, "p50"],
        ["AWS/Lambda", "Duration", "FunctionName", fn, "p99"],
        ["AWS/Lambda", "Duration", "FunctionName", fn, "Maximum"],
      ],
      "Dead letters waiting": [
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", queue, "Maximum"],
      ],
    });
    for (const widget of metricWidgetsOf(run)) assert.equal(widget.properties.region, REGION);
    assert.equal(
      run.outputs.dashboardUrl,
      `https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#dashboards/dashboard/codebuild-webhooks-dev`,
    );
    assert.equal(
      dashboard.outputs.dashboardArn,
      `arn:aws:cloudwatch::${ACCOUNT}:dashboard/codebuild-webhooks-dev`,
    );
  });

  it("shows each deployed receiver's alarm on top of the dashboard, also before the receiver has had a notice", () => {
    const alarms = receiverAlarms(run);
    assert.equal(alarms.length, 2);
    assert.deepEqual(
      alarmTiles(run),
      alarms.map((alarm) => alarm.outputs.arn),
    );
    for (const receiver of ["jira-failures", "slack-builds"]) {
      assert.ok(
        alarmTiles(run).some((arn) => arn.endsWith(`:alarm:codebuild-webhooks-dev-${receiver}-failing`)),
      );
    }
    const [tiles, ...graphWidgets] = widgetsOf(run);
    assert.deepEqual([tiles.type, tiles.y, tiles.properties.title], ["alarm", 0, "Receiver alarms"]);
    for (const widget of graphWidgets) assert.ok(widget.y >= 6, "the graphs come below the alarms");
  });

  it("alarms for each receiver the stack deploys as soon as a delivery to it fails, notifying nobody unless configured", () => {
    const alarms = receiverAlarms(run);
    assert.deepEqual(
      alarms.map((alarm) => [alarm.name, alarm.inputs.name, alarm.inputs.dimensions]),
      [
        [
          "jira-failures/failing",
          "codebuild-webhooks-dev-jira-failures-failing",
          { Receiver: "jira-failures" },
        ],
        ["slack-builds/failing", "codebuild-webhooks-dev-slack-builds-failing", { Receiver: "slack-builds" }],
      ],
    );
    for (const alarm of alarms) {
      assert.equal(alarm.inputs.namespace, "CodeBuildWebhooks");
      assert.equal(alarm.inputs.statistic, "Sum");
      assert.equal(alarm.inputs.period, 300);
      assert.equal(alarm.inputs.evaluationPeriods, 1);
      assert.equal(alarm.inputs.datapointsToAlarm, 1);
      assert.equal(alarm.inputs.comparisonOperator, "GreaterThanThreshold");
      assert.equal(alarm.inputs.threshold, 0);
      assert.equal(alarm.inputs.treatMissingData, "notBreaching");
      assert.deepEqual(alarm.inputs.alarmActions, []);
    }
  });

  it("notifies the alarm topics the stack's other alarms notify", async () => {
    const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:platform-alerts`;
    const withTopics = await deploy({ alarmEmail: "platform@example.com", alarmTopicArn: topicArn });
    const topic = single(withTopics, "aws:sns/topic:Topic");
    const alarms = receiverAlarms(withTopics);
    assert.equal(alarms.length, 2);
    for (const alarm of alarms) assert.deepEqual(alarm.inputs.alarmActions, [topicArn, topic.outputs.arn]);
  });

  it("honours metricsNamespace and receiverFailureAlarmPeriods", async () => {
    const custom = await deploy({ metricsNamespace: "Platform/Webhooks", receiverFailureAlarmPeriods: "3" });
    const fn = single(custom, "aws:lambda/function:Function");
    const { variables } = fn.inputs.environment as { variables: Record<string, string> };
    assert.equal(variables.POWERTOOLS_METRICS_NAMESPACE, "Platform/Webhooks");
    // A namespace with other than letters and digits is quoted in a search.
    assert.deepEqual(graphs(custom)["Failed deliveries per receiver"], [
      `SEARCH('{"Platform/Webhooks",Receiver} MetricName="Failed"', 'Sum', 300)`,
    ]);
    const alarms = receiverAlarms(custom);
    assert.equal(alarms.length, 2);
    for (const alarm of alarms) {
      assert.equal(alarm.inputs.namespace, "Platform/Webhooks");
      assert.equal(alarm.inputs.evaluationPeriods, 3);
      assert.equal(alarm.inputs.datapointsToAlarm, 3);
      assert.match(alarm.inputs.alarmDescription as string, /in each of 3 consecutive 5-minute periods/);
    }
  });

  it("leaves the receiver alarms out with receiverFailureAlarms false, and keeps the dashboard and the other alarms", async () => {
    const without = await deploy({ receiverFailureAlarms: "false" });
    assert.deepEqual(receiverAlarms(without), []);
    assert.deepEqual(
      ofType(without, "aws:cloudwatch/metricAlarm:MetricAlarm").map((alarm) => alarm.name),
      ["dead-letters", "notifier-errors"],
    );
    single(without, "aws:cloudwatch/dashboard:Dashboard");
    assert.deepEqual(alarmTiles(without), []);
    assert.equal(metricWidgetsOf(without)[0].y, 0);
  });

  it("warns when a stack with a parameter path of its own writes its metrics to the shared namespace", async () => {
    const shared = await withWarnings(() => deploy({ parameterPath: "/webhooks/staging/" }));
    assert.deepEqual(shared.warnings, [
      "codebuild-webhooks:metricsNamespace: this stack keeps its parameters under /webhooks/staging/, " +
        "apart from other stacks, but writes its metrics to the shared namespace CodeBuildWebhooks: a receiver " +
        "of the same name in another stack of the account and region writes to the same metrics, sets off this " +
        "stack's receiver alarm and shares its dashboard lines. Give the stack a namespace of its own: pulumi " +
        "config set codebuild-webhooks:metricsNamespace CodeBuildWebhooks/staging",
    ]);
    const own = await withWarnings(() =>
      deploy({ parameterPath: "/webhooks/staging/", metricsNamespace: "CodeBuildWebhooks/staging" }),
    );
    assert.deepEqual(own.warnings, []);
    assert.deepEqual((await withWarnings(() => deploy())).warnings, []);
  });

  it("refuses a namespace CloudWatch would not take, naming the config key, before any resource", async () => {
    for (const [namespace, problem] of [
      ["AWS/Lambda", '"AWS/" namespaces belong to AWS services'],
      ["builds'metrics", "use 1 to 255 letters, digits, spaces and the characters . - _ / # :"],
      ["", "use 1 to 255 letters"],
    ]) {
      const error = await failureBeforeAnyResource(
        { ...RECEIVER_SECRETS, metricsNamespace: namespace },
        `metricsNamespace ${namespace}`,
      );
      assert.ok(
        error.message.startsWith(
          `codebuild-webhooks:metricsNamespace ${JSON.stringify(namespace)} is not a CloudWatch namespace: `,
        ),
        error.message,
      );
      assert.ok(error.message.includes(problem), error.message);
    }
  });

  it("refuses a number of alarm periods CloudWatch cannot evaluate, naming the config key, before any resource", async () => {
    for (const periods of ["0", "1.5", "289"]) {
      const error = await failureBeforeAnyResource(
        { ...RECEIVER_SECRETS, receiverFailureAlarmPeriods: periods },
        `receiverFailureAlarmPeriods ${periods}`,
      );
      assert.equal(
        error.message,
        `codebuild-webhooks:receiverFailureAlarmPeriods ${periods} is not a number of 5-minute periods ` +
          "CloudWatch can evaluate: use a whole number from 1 to 288 (a day).\n" +
          "Set it with: pulumi config set codebuild-webhooks:receiverFailureAlarmPeriods 1",
      );
    }
  });

  it("keeps alarm names within CloudWatch's 255 characters, distinct for long receiver names", () => {
    const long = "a".repeat(300);
    const [first, second] = [`${long}-one`, `${long}-two`].map((receiver) =>
      receiverAlarmName("codebuild-webhooks", "production", receiver),
    );
    assert.equal(first.length, 255);
    assert.notEqual(first, second);
    assert.match(first, /^codebuild-webhooks-production-a+-[0-9a-f]{8}-failing$/);
    assert.equal(
      receiverAlarmName("codebuild-webhooks", "prod", "jira"),
      "codebuild-webhooks-prod-jira-failing",
    );
  });

  it("names the dashboard and alarms by project and stack: two projects' stacks of one name in an account keep their own", async () => {
    // A copy of the project named otherwise in its Pulumi.yaml, its dev stack beside this project's, in
    // the same account, with the parameterPath and metricsNamespace of its own that docs/settings.md asks for.
    const other = await runProgramUnderMocks(
      specRunAs("platform-webhooks", {
        parameterPath: "/webhooks/platform/",
        metricsNamespace: "CodeBuildWebhooks/platform",
      }),
    );
    /** The names a stack gives its resources itself, which must be unique in the account and region. */
    const explicitNames = (stack: ProgramRun) =>
      stack.resources.flatMap((resource) =>
        [resource.inputs.name, resource.inputs.dashboardName].filter(
          (name): name is string => typeof name === "string",
        ),
      );
    assert.equal(
      single(other, "aws:cloudwatch/dashboard:Dashboard").inputs.dashboardName,
      "platform-webhooks-dev",
    );
    assert.deepEqual(
      receiverAlarms(other).map((alarm) => alarm.inputs.name),
      ["platform-webhooks-dev-jira-failures-failing", "platform-webhooks-dev-slack-builds-failing"],
    );
    assert.ok(explicitNames(run).length >= 6, "the dashboard, alarms and parameters are named");
    const shared = explicitNames(other).filter((name) => explicitNames(run).includes(name));
    assert.deepEqual(shared, [], "no name is taken by both stacks");
  });

  it("keeps the dashboards of two projects apart whose names differ only where dashboard names take no dot (team.webhooks, team-webhooks)", async () => {
    // Both are valid Pulumi project names (letters, digits, "-", "_" and "."), in one account, each with
    // the parameterPath and metricsNamespace of its own that docs/settings.md asks for.
    const stackOf = (project: string, name: string) =>
      runProgramUnderMocks(
        specRunAs(project, {
          parameterPath: `/webhooks/${name}/`,
          metricsNamespace: `CodeBuildWebhooks/${name}`,
        }),
      );
    const dashboardOf = (stack: ProgramRun) =>
      single(stack, "aws:cloudwatch/dashboard:Dashboard").inputs.dashboardName as string;
    const dotted = dashboardOf(await stackOf("team.webhooks", "dotted"));
    const dashed = dashboardOf(await stackOf("team-webhooks", "dashed"));
    // Dashboards are named per account: one name would have the second `pulumi up` take the first's over.
    assert.notEqual(dotted, dashed);
    assert.equal(dashed, "team-webhooks-dev");
    assert.match(dotted, /^team-webhooks-dev-[0-9a-f]{8}$/);
    // A stack name with a dot is kept apart the same way, and every name stays one dashboards allow.
    assert.notEqual(
      dashboardName("codebuild-webhooks", "prod.eu"),
      dashboardName("codebuild-webhooks", "prod-eu"),
    );
    for (const name of [dotted, dashed, dashboardName("codebuild-webhooks", "prod.eu")]) {
      assert.match(name, /^[A-Za-z0-9_-]{1,255}$/);
    }
  });
});
