import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as iam from "@pulumi/aws/iam";
import * as lambda from "@pulumi/aws/lambda";
import * as sqs from "@pulumi/aws/sqs";
import * as pulumi from "@pulumi/pulumi";

/**
 * Events whose receivers stayed undelivered after Lambda's retries, kept with the reason for replay. No
 * other queue may use it as its dead-letter queue: SQS moves a message there on behalf of the source
 * queue's redrive policy, not as a SendMessage the queue policy could deny, and without a redrive allow
 * policy any queue of the account and region may name it (a message planted there, received once,
 * would be moved in).
 */
export function deadLetterQueue(): sqs.Queue {
  return new sqs.Queue("dead-letters", {
    sqsManagedSseEnabled: true,
    messageRetentionSeconds: 14 * 24 * 3600,
    redriveAllowPolicy: JSON.stringify({ redrivePermission: "denyAll" }),
  });
}

/**
 * Only the notifier puts messages on the dead-letter queue: `npm run replay-dead-letters` invokes the
 * notifier with what it finds there, so a message planted by anyone else in the account (an IAM grant of
 * `sqs:SendMessage` is enough within one account) would be sent to the receivers. Lambda's on-failure
 * destination sends with the function's execution role, the one principal left out of the Deny. Only
 * SendMessage is denied: the replay's ReceiveMessage and DeleteMessage, and the deployer's changes to the
 * queue and this policy, stay with IAM.
 */
export function notifierOnlySender(resources: {
  deadLetters: sqs.Queue;
  notifierRole: iam.Role;
}): sqs.QueuePolicy {
  const { deadLetters, notifierRole } = resources;
  return new sqs.QueuePolicy("dead-letters", {
    queueUrl: deadLetters.url,
    policy: pulumi.jsonStringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "OnlyTheNotifierSends",
          Effect: "Deny",
          Principal: "*",
          // SendMessageBatch is authorized as sqs:SendMessage.
          Action: "sqs:SendMessage",
          Resource: deadLetters.arn,
          // A principal without an ARN (an AWS service's) has no aws:PrincipalArn, and is denied too.
          Condition: { ArnNotEquals: { "aws:PrincipalArn": notifierRole.arn } },
        },
      ],
    }),
  });
}

/**
 * What happens when a notice cannot be delivered: Lambda retries the event twice, then sends it with the
 * error to the dead-letter queue; a dead letter or a failed invocation sets off an alarm, which notifies
 * the SNS topics `alarmActions` names.
 */
export function watchDeliveryFailures(resources: {
  notifier: lambda.Function;
  deadLetters: sqs.Queue;
  /** The role policy that lets the notifier's role send to the dead-letter queue. */
  deadLetterGrant: iam.RolePolicy;
  alarmActions: pulumi.Input<string>[];
}): void {
  const { notifier, deadLetters, deadLetterGrant, alarmActions } = resources;
  // Lambda refuses a failure destination the execution role may not send to, and checks it when the
  // destination is set: the grant comes first, in its own right rather than through the function's
  // dependencies. The provider retries the refusal while IAM propagates the grant (docs/deploying.md).
  new lambda.FunctionEventInvokeConfig(
    "notifier",
    {
      functionName: notifier.name,
      maximumRetryAttempts: 2,
      maximumEventAgeInSeconds: 6 * 3600,
      destinationConfig: { onFailure: { destination: deadLetters.arn } },
    },
    { dependsOn: [deadLetterGrant] },
  );

  /** Both alarms go off on the first occurrence: a dead letter, or a failed invocation, needs a look. */
  const onAnyOccurrence = {
    period: 300,
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
    alarmActions,
  };

  new cloudwatch.MetricAlarm("dead-letters", {
    alarmDescription: "Build notices gave up on a receiver: see the dead-letter queue, then replay it.",
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: deadLetters.name },
    statistic: "Maximum",
    ...onAnyOccurrence,
  });

  new cloudwatch.MetricAlarm("notifier-errors", {
    alarmDescription:
      "The notifier failed invocations (a receiver undelivered, or an error); Lambda retries them.",
    namespace: "AWS/Lambda",
    metricName: "Errors",
    dimensions: { FunctionName: notifier.name },
    statistic: "Sum",
    ...onAnyOccurrence,
  });
}
