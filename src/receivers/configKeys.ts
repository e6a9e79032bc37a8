/**
 * A config key without its project namespace (`codebuild-webhooks:`). Kept to characters that are safe to
 * print in the `pulumi config set` command that messages suggest, and free of the `.` that `--path` reads.
 */
export const CONFIG_KEY = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** The config namespace of the project as it ships: the `name:` of its Pulumi.yaml. */
export const SHIPPED_NAMESPACE = "codebuild-webhooks";

/** Whose config keys messages name, and how the commands they suggest reach them. */
export interface ConfigScope {
  /** The running project's name, the namespace of its config keys (`pulumi.getProject()`). */
  project: string;
  /**
   * The stack the commands set keys on, given as `--stack`, when the message is read away from the stack
   * `pulumi` has selected (npm run check of a named stack); without it, the selected stack's.
   */
  stack?: string;
}

let scope: ConfigScope = { project: SHIPPED_NAMESPACE };

/**
 * Runs `read` (the stack's settings and receiver files being read and checked) with messages naming the
 * keys of `project`, and the commands setting them on `stack`: a copy of the project renamed in its
 * Pulumi.yaml reads `<its name>:<key>`, which is what `pulumi config set` must set. Outside, messages
 * name the shipped namespace.
 */
export function inConfigScope<T>(within: ConfigScope, read: () => T): T {
  const outer = scope;
  scope = within;
  try {
    return read();
  } finally {
    scope = outer;
  }
}

/** The config namespace messages name: the running project's. */
export function configNamespace(): string {
  return scope.project;
}

/** A config key with its namespace: `<project>:<key>`. */
export function fullConfigKey(key: string): string {
  return `${scope.project}:${key}`;
}

/** A config key as messages name it: `config "<project>:<key>"`. */
export function configName(key: string): string {
  return `config "${fullConfigKey(key)}"`;
}

/** The command that sets a setting (`secret` false) or a secret, as messages suggest it. */
export function setCommand(key: string, value = "<value>", secret = true): string {
  const flags = [...(secret ? ["--secret"] : []), ...(scope.stack ? ["--stack", scope.stack] : [])];
  return ["pulumi config set", ...flags, fullConfigKey(key), value].join(" ");
}
