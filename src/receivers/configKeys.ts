/**
 * A config key without its `codebuild-webhooks:` namespace. Kept to characters that are safe to print
 * in the `pulumi config set` command that messages suggest, and free of the `.` that `--path` reads.
 */
export const CONFIG_KEY = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** The project's config namespace, which `pulumi config set` takes before the key. */
export const CONFIG_NAMESPACE = "codebuild-webhooks";

/** A config key as messages name it: `config "codebuild-webhooks:<key>"`. */
export function configName(key: string): string {
  return `config "${CONFIG_NAMESPACE}:${key}"`;
}

/** The command that sets a secret, as messages suggest it. */
export function setCommand(key: string, value = "<value>"): string {
  return `pulumi config set --secret ${CONFIG_NAMESPACE}:${key} ${value}`;
}
