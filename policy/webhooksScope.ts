/**
 * What counts as codebuild-webhooks territory. The pack also runs on other stacks of the account (it can
 * be published to the organization): there it must catch what endangers the /webhooks/ secrets without
 * getting in the way of parameters and grants that have nothing to do with them.
 */

/**
 * The Pulumi projects whose stacks deploy the notifier, by the name their Pulumi.yaml gives them. To the
 * pack a stack of any other project must keep away from /webhooks/: a copy of this project renamed in its
 * Pulumi.yaml (`name: team-webhooks`) adds its name here before the pack is published (docs/policy-pack.md).
 */
export const WEBHOOKS_PROJECTS: string[] = ["codebuild-webhooks"];

/** What a message about another project's stack tells the owner of a renamed copy of this project. */
export function renamedCopyHint(project: string): string {
  return (
    `If "${project}" is a renamed copy of codebuild-webhooks: add "${project}" to WEBHOOKS_PROJECTS in ` +
    `policy/webhooksScope.ts, raise the version in policy/package.json and publish the pack again.`
  );
}

/** True for a project whose stacks deploy the notifier (WEBHOOKS_PROJECTS). */
export function isWebhooksProject(project: string): boolean {
  return WEBHOOKS_PROJECTS.includes(project);
}

/** The parameter path every codebuild-webhooks stack keeps its receivers' secrets under. */
export const WEBHOOKS_PATH = "/webhooks/";

/** The project part of a resource URN (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
export function projectOfUrn(urn: string): string {
  return urn.split("::")[1] ?? "";
}

/** True for a parameter name inside a path (`/webhooks/` unless a stack's own path is given). */
export function isUnderWebhooksPath(name: string, path = WEBHOOKS_PATH): boolean {
  return name.startsWith(path) && name.length > path.length;
}

/**
 * True for a hierarchical name whose first level starts like `webhooks` whatever its case or leading
 * slash (`/webhooksx/a`, `webhooks/a`, `/Webhook/a`): someone meant `/webhooks/` and missed it, and the
 * notifier would not be allowed to read the parameter.
 */
export function looksLikeWebhooksPath(name: string): boolean {
  return name.includes("/") && /^\/*webhook/i.test(name);
}

/**
 * True for a stack's parameter path: `/webhooks/`, or a folder below it (`/webhooks/staging/`), made of
 * the characters Parameter Store allows in names, so no wildcard can hide in it.
 */
export function isParameterPath(path: string): boolean {
  return /^\/webhooks\/([A-Za-z0-9_.-]+\/)*$/.test(path);
}
