import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import { getRegionOutput } from "@pulumi/aws/getRegion";
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
  const partition = getPartitionOutput().partition;
  const region = getRegionOutput().region;
  const account = getCallerIdentityOutput().accountId;
  return {
    arn: pulumi.interpolate`arn:${partition}:events:${region}:${account}:event-bus/default`,
    partition,
    region,
    account,
  };
}
