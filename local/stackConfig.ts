import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export const PROJECT = "codebuild-webhooks";
export const PROJECT_ROOT = path.resolve(__dirname, "..");

/** The stack a program run deploys: its name and where its settings come from. */
export interface Stack {
  /** The stack's name, as `pulumi.getStack()` gives it. */
  name: string;
  /**
   * Its settings file (`Pulumi.<stack>.yaml`, what `pulumi config set` writes); without one, the stack
   * has the project's defaults only.
   */
  file?: string;
}

interface ProjectFile {
  config?: Record<string, { default?: unknown }>;
}

interface StackFile {
  config?: Record<string, unknown>;
}

/** A value as Pulumi hands it to the program: text, and lists and mappings as JSON. */
function configValue(value: unknown): string {
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** A `pulumi config set --secret` value: `{ secure: <ciphertext> }`. */
function isEncrypted(value: unknown): boolean {
  return typeof value === "object" && value !== null && "secure" in value;
}

/** The file `pulumi -s <stack>` reads a stack's settings from: `Pulumi.<stack>.yaml` beside Pulumi.yaml. */
export function stackFile(stack: string): string {
  return path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`);
}

/** A stack of this project, with the settings file `pulumi -s <name>` reads. */
export function projectStack(name: string): Required<Stack> {
  return { name, file: stackFile(name) };
}

/** A stack setting as its file holds it: the value, or that it is encrypted (set with `--secret`). */
export type StackFileValue = { value: string; encrypted: false } | { encrypted: true };

/**
 * The settings a stack file holds, by full key (`codebuild-webhooks:receiversDir`, `aws:region`), in
 * file order. Encrypted values stay encrypted: only the Pulumi CLI can decrypt them.
 */
export function readStackFile(file: string): Map<string, StackFileValue> {
  const values = (parse(fs.readFileSync(file, "utf8")) as StackFile | null)?.config ?? {};
  const settings = new Map<string, StackFileValue>();
  for (const [key, value] of Object.entries(values)) {
    if (value === null) continue;
    settings.set(
      key,
      isEncrypted(value) ? { encrypted: true } : { value: configValue(value), encrypted: false },
    );
  }
  return settings;
}

/** The project's defaults from Pulumi.yaml, by full key (`<project>:<key>`). */
export function projectDefaults(project = PROJECT): Record<string, string> {
  const file = parse(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as ProjectFile;
  const defaults: Record<string, string> = {};
  for (const [key, schema] of Object.entries(file.config ?? {})) {
    if (schema.default !== undefined) defaults[`${project}:${key}`] = configValue(schema.default);
  }
  return defaults;
}

/**
 * The configuration `pulumi up` would hand the program for a stack: the project's defaults from
 * Pulumi.yaml, then the stack file's plain values, then `overrides` (keys with or without the
 * project's namespace). Encrypted stack values are skipped: locally, secrets come from `overrides`.
 */
export function stackConfig(
  stack: Stack,
  overrides: Record<string, string> = {},
  project = PROJECT,
): Record<string, string> {
  const config = projectDefaults(project);
  if (stack.file !== undefined && fs.existsSync(stack.file)) {
    for (const [key, setting] of readStackFile(stack.file)) {
      if (!setting.encrypted) config[key] = setting.value;
    }
  }
  for (const [key, value] of Object.entries(overrides)) {
    config[key.includes(":") ? key : `${project}:${key}`] = value;
  }
  return config;
}
