import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import * as kms from "@pulumi/aws/kms";
import * as sns from "@pulumi/aws/sns";
import * as pulumi from "@pulumi/pulumi";

/**
 * A topic mailing the alarms to `email`. It is encrypted with a key of its own: the AWS managed key
 * `alias/aws/sns` does not let CloudWatch use it, and alarm actions on a topic encrypted with it fail
 * without a word. The key and the topic admit CloudWatch alarms of this account, and nothing else.
 */
export function emailAlarmTopic(email: string): sns.Topic {
  const partition = getPartitionOutput();
  const region = getRegionOutput();
  const account = getCallerIdentityOutput();
  const fromThisAccountsAlarms = {
    StringEquals: { "aws:SourceAccount": account.accountId },
    ArnLike: {
      "aws:SourceArn": pulumi.interpolate`arn:${partition.partition}:cloudwatch:${region.region}:${account.accountId}:alarm:*`,
    },
  };

  const key = new kms.Key("alarms", {
    description: "Encrypts the codebuild-webhooks alarm topic; CloudWatch alarms of this account use it",
    enableKeyRotation: true,
    policy: pulumi.jsonStringify({
      Version: "2012-10-17",
      Statement: [
        {
          // The key's default: the account administers it through IAM, so it can never become unmanageable.
          Sid: "AccountAdministersKey",
          Effect: "Allow",
          Principal: { AWS: pulumi.interpolate`arn:${partition.partition}:iam::${account.accountId}:root` },
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
      ],
    }),
  });

  const topic = new sns.Topic("alarms", { kmsMasterKeyId: key.arn });
  new sns.TopicPolicy("alarms", {
    arn: topic.arn,
    policy: pulumi.jsonStringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "CloudWatchAlarmsPublish",
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: ["sns:Publish"],
          Resource: [topic.arn],
          Condition: fromThisAccountsAlarms,
        },
      ],
    }),
  });
  new sns.TopicSubscription("alarms-email", { topic: topic.arn, protocol: "email", endpoint: email });
  return topic;
}
