import { Provider } from "@pulumi/aws/provider";
import type { Region } from "@pulumi/aws/types/enums";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as awsConfig from "@pulumi/aws/config";
import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import { BUILD_STATE_CHANGES_PATTERN } from "./buildStateChanges";
import type { HubEventBus } from "./hubEventBus";
import type { Spoke } from "./organizationSettings";

export interface DeployedSpokes {
  /** The forwarding rules, one per spoke. */
  ruleArns: pulumi.Output<string[]>;
  /** The roles EventBridge assumes to put the spokes' events on the hub's bus. */
  roleArns: pulumi.Output<string[]>;
}

/** What names a spoke's resources: its region, and its account when that is not the hub's. */
function spokeKey(spoke: Spoke): string {
  return spoke.account ? `${spoke.account}-${spoke.region}` : spoke.region;
}

interface HubIdentity {
  account: string;
  region: string;
  partition: string;
}

/**
 * What only the hub's own identity, known from the deploy's credentials, tells apart: a spoke whose role
 * is in the hub's account and region, so it is the hub itself (its events reach the notifier already;
 * forwarding them would repeat them), a spoke that repeats an earlier one, and a role of another partition
 * (EventBridge delivers within one partition). A spoke without a role in the hub's region is refused
 * before any resource (readOrganizationSettings); it is checked here too for a stack whose region is
 * known only to the provider.
 */
function conflictsWithHub(spoke: Spoke, earlier: readonly Spoke[], hub: HubIdentity): string[] {
  const problems: string[] = [];
  const account = spoke.account ?? hub.account;
  if (account === hub.account && spoke.region === hub.region) {
    problems.push("it is the hub's own account and region, whose builds reach the notifier already");
  }
  const twin = earlier.find(
    (other) => other.region === spoke.region && (other.account ?? hub.account) === account,
  );
  if (twin) problems.push(`it repeats ${twin.label}: both are account ${account}`);
  const partition = spoke.roleArn?.split(":")[1];
  if (partition !== undefined && partition !== hub.partition) {
    problems.push(
      `its role is in partition ${partition}, the hub in ${hub.partition}; EventBridge delivers within one partition`,
    );
  }
  return problems;
}

/**
 * Each spoke region forwards its CodeBuild build state changes to the hub's default event bus, where the
 * hub's rule hands them to the notifier. A spoke's rule, target and role are created through a provider
 * for its region, assuming its deploy role when it is in another account, so that they live in the
 * spoke's account. The role may put events on the hub's bus and nothing else.
 */
export function forwardSpokes(
  spokes: readonly Spoke[],
  hub: HubEventBus,
  options: { busPolicy?: cloudwatch.EventBusPolicy },
): DeployedSpokes {
  const identity = pulumi
    .all([hub.account, hub.region, hub.partition])
    .apply(([account, region, partition]): HubIdentity => ({ account, region, partition }));

  const deployed = spokes.map((spoke, index) => {
    const key = spokeKey(spoke);
    // Checked once the hub's identity is known, before the spoke's provider is configured: a spoke that
    // fails the check gets no resource, and the preview fails naming it.
    const region = identity.apply((hubIdentity) => {
      const problems = conflictsWithHub(spoke, spokes.slice(0, index), hubIdentity);
      if (problems.length === 0) return spoke.region as Region;
      throw new pulumi.RunError(
        `${spoke.label} cannot be deployed: ${problems.join("; ")}. See docs/organization.md.`,
      );
    });
    const provider = new Provider(`spoke-${key}`, {
      region,
      ...(spoke.roleArn ? { assumeRoles: [{ roleArn: spoke.roleArn }] } : {}),
      // An explicit provider reads no `aws:` stack settings: keep the profile the hub deploys with.
      ...(awsConfig.profile ? { profile: awsConfig.profile } : {}),
    });
    const rule = new cloudwatch.EventRule(
      `build-state-changes-${key}`,
      {
        description: "Every CodeBuild build state change, forwarded to the codebuild-webhooks hub",
        eventPattern: BUILD_STATE_CHANGES_PATTERN,
      },
      { provider },
    );
    const role = new iam.Role(
      `forward-to-hub-${key}`,
      { assumeRolePolicy: iam.assumeRolePolicyForPrincipal({ Service: "events.amazonaws.com" }) },
      { provider },
    );
    const policy = new iam.RolePolicy(
      `forward-to-hub-${key}`,
      {
        role: role.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            { Sid: "PutEventsOnHubBus", Effect: "Allow", Action: ["events:PutEvents"], Resource: [hub.arn] },
          ],
        }),
      },
      { provider },
    );
    new cloudwatch.EventTarget(
      `build-state-changes-${key}-to-hub`,
      { rule: rule.name, arn: hub.arn, roleArn: role.arn },
      // Events flow once the role may send them and, for other accounts, the hub's bus admits them.
      { provider, dependsOn: [policy, ...(options.busPolicy ? [options.busPolicy] : [])] },
    );
    return { ruleArn: rule.arn, roleArn: role.arn };
  });

  return {
    ruleArns: pulumi.all(deployed.map((spoke) => spoke.ruleArn)),
    roleArns: pulumi.all(deployed.map((spoke) => spoke.roleArn)),
  };
}
