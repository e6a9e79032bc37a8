import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as pulumi from "@pulumi/pulumi";
import type { HubEventBus } from "./hubEventBus";
import type { OrganizationSettings } from "./organizationSettings";

/**
 * The hub's default event bus admits events from the source accounts, or from any account of the
 * organization, and from nobody else: `events:PutEvents` is the only action it grants, a wildcard
 * principal only with the `aws:PrincipalOrgID` condition. The hub's own account needs no grant.
 * Without source accounts or an organization there is no policy: the bus keeps whatever it had.
 */
export function eventBusPolicy(
  bus: HubEventBus,
  settings: Pick<OrganizationSettings, "sourceAccounts" | "organizationId">,
): cloudwatch.EventBusPolicy | undefined {
  const { sourceAccounts, organizationId } = settings;
  if (sourceAccounts.length === 0 && !organizationId) return undefined;
  const statements = [
    ...(sourceAccounts.length > 0
      ? [
          {
            Sid: "SourceAccountsPutEvents",
            Effect: "Allow",
            Principal: {
              AWS: sourceAccounts.map(
                (account) => pulumi.interpolate`arn:${bus.partition}:iam::${account}:root`,
              ),
            },
            Action: "events:PutEvents",
            Resource: bus.arn,
          },
        ]
      : []),
    ...(organizationId
      ? [
          {
            Sid: "OrganizationPutEvents",
            Effect: "Allow",
            Principal: "*",
            Action: "events:PutEvents",
            Resource: bus.arn,
            Condition: { StringEquals: { "aws:PrincipalOrgID": organizationId } },
          },
        ]
      : []),
  ];
  return new cloudwatch.EventBusPolicy("hub-event-bus", {
    eventBusName: "default",
    policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements }),
  });
}
