import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The hub's default event bus, where CodeBuild events of the hub and its spokes meet the notifier's rule. */
export interface HubEventBus {
  arn: pulumi.Output<string>;
  partition: pulumi.Output<string>;
  region: pulumi.Output<string>;
  account: pulumi.Output<string>;
}

/** The default event bus of the account and region the stack deploys to. */
export function hubEventBus(): HubEventBus {
  const partition = aws.getPartitionOutput().partition;
  const region = aws.getRegionOutput().region;
  const account = aws.getCallerIdentityOutput().accountId;
  return {
    arn: pulumi.interpolate`arn:${partition}:events:${region}:${account}:event-bus/default`,
    partition,
    region,
    account,
  };
}
