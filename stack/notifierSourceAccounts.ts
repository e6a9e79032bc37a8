import * as pulumi from "@pulumi/pulumi";
import type { OrganizationSettings } from "./organizationSettings";

/**
 * The accounts the notifier serves, for its `SOURCE_ACCOUNTS` variable: the hub's and the source accounts,
 * or `*` within an organization, where the event bus's policy is the guard.
 */
export function notifierSourceAccounts(
  settings: OrganizationSettings,
  hubAccount: pulumi.Output<string>,
): pulumi.Output<string> {
  if (settings.organizationId) return pulumi.output("*");
  return hubAccount.apply((hub) => [...new Set([hub, ...settings.sourceAccounts])].join(","));
}
