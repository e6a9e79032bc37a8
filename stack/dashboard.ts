import * as cloudwatch from "@pulumi/aws/cloudwatch";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import * as lambda from "@pulumi/aws/lambda";
import * as sqs from "@pulumi/aws/sqs";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { DELIVERY_METRICS, RECEIVER_DIMENSION } from "../src/notifier/deliveryMetrics";

/** Every graph sums or takes percentiles over five minutes, the period of the alarms. */
const PERIOD_SECONDS = 300;
/** Graphs are half the dashboard's 24 columns wide, two to a row. */
const WIDTH = 12;
const HEIGHT = 6;
/** CloudWatch's limit on the alarms of one alarm status widget. */
const ALARMS_PER_WIDGET = 100;

/**
 * A CloudWatch search of one delivery metric over every receiver that reported it, one line each:
 * receivers registered by hand appear as well as those the stack deploys. A namespace with other than
 * letters and digits is quoted, as the search syntax asks.
 */
export function receiverSearch(namespace: string, metric: string, statistic: string): string {
  const schema = /^[A-Za-z0-9]+$/.test(namespace) ? namespace : `"${namespace}"`;
  return `SEARCH('{${schema},${RECEIVER_DIMENSION}} MetricName="${metric}"', '${statistic}', ${PERIOD_SECONDS})`;
}

/**
 * The dashboard's name: the project's and the stack's, `<project>-<stack>`. Dashboards are named per
 * account, so stacks of two projects (say, a copy of this one named otherwise in its Pulumi.yaml) keep
 * dashboards of their own even under one stack name. Dashboard names allow letters, digits, "-" and "_";
 * Pulumi names allow "." too, which becomes "-", and then a hash of the names as given follows, so that
 * `team.webhooks` and `team-webhooks` keep names of their own: `team-webhooks-dev-1a2b3c4d`.
 */
export function dashboardName(project: string, stack: string): string {
  const name = `${project}-${stack}`;
  const allowed = name.replace(/[^A-Za-z0-9_-]/g, "-");
  if (allowed === name) return name;
  return `${allowed}-${createHash("sha256").update(`${project}/${stack}`).digest("hex").slice(0, 8)}`;
}

/**
 * The stack's dashboard: on top, the state of each deployed receiver's alarm (when the stack has them);
 * then deliveries, failures, attempts and latency (p50, p99) per receiver, the notifier's invocations,
 * errors, throttles and duration, and the dead letters waiting. Its console URL is the stack output
 * `dashboardUrl`.
 */
export function deliveryDashboard(resources: {
  namespace: string;
  notifier: lambda.Function;
  deadLetters: sqs.Queue;
  receiverAlarms: readonly cloudwatch.MetricAlarm[];
}): { dashboard: cloudwatch.Dashboard; url: pulumi.Output<string> } {
  const { namespace, notifier, deadLetters, receiverAlarms } = resources;
  const region = getRegionOutput().region;
  const name = dashboardName(pulumi.getProject(), pulumi.getStack());

  const alarmWidgets = receiverAlarmWidgets(receiverAlarms);
  const graphs = deliveryGraphs(namespace, notifier, deadLetters);
  const graphsTop = alarmWidgets.length * HEIGHT;

  const dashboard = new cloudwatch.Dashboard("delivery-health", {
    dashboardName: name,
    dashboardBody: pulumi.jsonStringify({
      widgets: [
        ...alarmWidgets,
        ...graphs.map(({ title, metrics }, index) => ({
          type: "metric",
          x: (index % 2) * WIDTH,
          y: graphsTop + Math.floor(index / 2) * HEIGHT,
          width: WIDTH,
          height: HEIGHT,
          properties: {
            title,
            metrics,
            region,
            view: "timeSeries",
            period: PERIOD_SECONDS,
            yAxis: { left: { min: 0 } },
          },
        })),
      ],
    }),
  });
  const url = pulumi.interpolate`https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${dashboard.dashboardName}`;
  return { dashboard, url };
}

/**
 * The dashboard's graphs, by title: deliveries, failures, latency and attempts per receiver, the
 * notifier's invocations, errors, throttles and duration, and the dead letters waiting.
 */
function deliveryGraphs(
  namespace: string,
  notifier: lambda.Function,
  deadLetters: sqs.Queue,
): { title: string; metrics: unknown[] }[] {
  const perReceiver = (title: string, metric: string, statistic: string) => ({
    title,
    metrics: [
      [
        {
          id: "receivers",
          expression: receiverSearch(namespace, metric, statistic),
          label: `\${PROP('Dim.${RECEIVER_DIMENSION}')}`,
        },
      ],
    ],
  });
  const notifierMetric = (metric: string, stat: string, label: string) => [
    "AWS/Lambda",
    metric,
    "FunctionName",
    notifier.name,
    { stat, label },
  ];
  return [
    perReceiver("Deliveries per receiver", DELIVERY_METRICS.delivered, "Sum"),
    perReceiver("Failed deliveries per receiver", DELIVERY_METRICS.failed, "Sum"),
    perReceiver("Delivery latency p50 per receiver (ms)", DELIVERY_METRICS.latency, "p50"),
    perReceiver("Delivery latency p99 per receiver (ms)", DELIVERY_METRICS.latency, "p99"),
    perReceiver("Attempts per receiver (retries included)", DELIVERY_METRICS.attempts, "Sum"),
    {
      title: "Notifier invocations, errors and throttles",
      metrics: [
        notifierMetric("Invocations", "Sum", "Invocations"),
        notifierMetric("Errors", "Sum", "Errors"),
        notifierMetric("Throttles", "Sum", "Throttles"),
      ],
    },
    {
      title: "Notifier duration (ms)",
      metrics: [
        notifierMetric("Duration", "p50", "p50"),
        notifierMetric("Duration", "p99", "p99"),
        notifierMetric("Duration", "Maximum", "Maximum"),
      ],
    },
    {
      title: "Dead letters waiting",
      metrics: [
        [
          "AWS/SQS",
          "ApproximateNumberOfMessagesVisible",
          "QueueName",
          deadLetters.name,
          { stat: "Maximum", label: "Dead letters" },
        ],
      ],
    },
  ];
}

/**
 * A receiver's alarm shows at a glance whether it is failing, also when it has had no notice yet (a
 * search draws only receivers with data). Full width, a row of tiles per widget.
 */
function receiverAlarmWidgets(receiverAlarms: readonly cloudwatch.MetricAlarm[]): object[] {
  const alarmWidgets = [];
  for (let start = 0; start < receiverAlarms.length; start += ALARMS_PER_WIDGET) {
    alarmWidgets.push({
      type: "alarm",
      x: 0,
      y: alarmWidgets.length * HEIGHT,
      width: 2 * WIDTH,
      height: HEIGHT,
      properties: {
        title: "Receiver alarms",
        alarms: receiverAlarms.slice(start, start + ALARMS_PER_WIDGET).map((alarm) => alarm.arn),
        sortBy: "stateUpdatedTimestamp",
      },
    });
  }
  return alarmWidgets;
}
