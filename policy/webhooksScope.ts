/**
 * What counts as codebuild-webhooks territory. The pack also runs on other stacks of the account (it can
 * be published to the organization): there it must catch what endangers the /webhooks/ secrets without
 * getting in the way of parameters and grants that have nothing to do with them.
 */

/** The Pulumi project of the stacks that deploy the notifier. */
export const WEBHOOKS_PROJECT = "codebuild-webhooks";

/** The parameter path the notifier's IAM grant covers (`parameter/webhooks/*`). */
const WEBHOOKS_PATH = "/webhooks/";

/** The project part of a resource URN (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
export function projectOfUrn(urn: string): string {
  return urn.split("::")[1] ?? "";
}

/** True for a parameter name the notifier's grant covers: a name inside the `/webhooks/` path. */
export function isUnderWebhooksPath(name: string): boolean {
  return name.startsWith(WEBHOOKS_PATH) && name.length > WEBHOOKS_PATH.length;
}

/**
 * True for a hierarchical name whose first level starts like `webhooks` whatever its case or leading
 * slash (`/webhooksx/a`, `webhooks/a`, `/Webhook/a`): someone meant `/webhooks/` and missed it, and the
 * notifier would not be allowed to read the parameter.
 */
export function looksLikeWebhooksPath(name: string): boolean {
  return name.includes("/") && /^\/*webhook/i.test(name);
}
