import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { DELIVERY_METRICS, RECEIVER_DIMENSION } from "../src/notifier/deliveryMetrics";
import { PERIOD_SECONDS } from "./alarmPeriods";

/** CloudWatch's limit on alarm names. */
const MAX_ALARM_NAME = 255;

/**
 * `<project>-<stack>-<receiver>-failing`: alarm notices name the project, the stack and the receiver, and
 * alarms are named per account and region, so stacks of two projects keep theirs apart even under one
 * stack name. A receiver name too long for CloudWatch is cut, and a hash of the whole keeps it apart
 * from others.
 */
export function receiverAlarmName(project: string, stack: string, receiver: string): string {
  const prefix = `${project}-${stack}-`;
  const suffix = "-failing";
  if (prefix.length + receiver.length + suffix.length <= MAX_ALARM_NAME) return prefix + receiver + suffix;
  const hash = createHash("sha256").update(receiver).digest("hex").slice(0, 8);
  const room = MAX_ALARM_NAME - prefix.length - suffix.length - hash.length - 1;
  return `${prefix}${receiver.slice(0, room)}-${hash}${suffix}`;
}

/**
 * One alarm per receiver the stack deploys: its `Failed` delivery metric above zero in `periods`
 * consecutive 5-minute periods. Receivers registered by hand have no alarm of their own; the dashboard
 * shows them, and the notifier-errors alarm goes off for any failed invocation.
 */
export function receiverFailureAlarms(options: {
  receivers: readonly string[];
  namespace: string;
  periods: number;
  alarmActions: pulumi.Input<string>[];
}): cloudwatch.MetricAlarm[] {
  const { receivers, namespace, periods, alarmActions } = options;
  const [project, stack] = [pulumi.getProject(), pulumi.getStack()];
  return receivers.map(
    (receiver) =>
      new cloudwatch.MetricAlarm(`${receiver}/failing`, {
        name: receiverAlarmName(project, stack, receiver),
        alarmDescription:
          `The receiver's deliveries failed in ${periods === 1 ? "a 5-minute period" : `each of ${periods} consecutive 5-minute periods`}. ` +
          'The notifier\'s logs say why ("Not delivered", with the receiver); events Lambda gave up on wait ' +
          "in the dead-letter queue for replay.",
        namespace,
        metricName: DELIVERY_METRICS.failed,
        dimensions: { [RECEIVER_DIMENSION]: receiver },
        statistic: "Sum",
        period: PERIOD_SECONDS,
        evaluationPeriods: periods,
        datapointsToAlarm: periods,
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
        // No deliveries in a period is no failure.
        treatMissingData: "notBreaching",
        alarmActions,
      }),
  );
}
