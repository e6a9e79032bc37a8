import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export const PROJECT = "codebuild-webhooks";
export const PROJECT_ROOT = path.resolve(__dirname, "..");

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

/**
 * The configuration `pulumi up` would hand the program for a stack: the project's defaults from
 * Pulumi.yaml, then the stack file's plain values, then `overrides` (keys with or without the
 * `codebuild-webhooks:` namespace). Encrypted stack values are skipped: locally, secrets come from
 * `overrides`.
 */
export function stackConfig(stack: string, overrides: Record<string, string> = {}): Record<string, string> {
  const config: Record<string, string> = {};
  const project = parse(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as ProjectFile;
  for (const [key, schema] of Object.entries(project.config ?? {})) {
    if (schema.default !== undefined) config[`${PROJECT}:${key}`] = configValue(schema.default);
  }
  const file = stackFile(stack);
  if (fs.existsSync(file)) {
    const values = (parse(fs.readFileSync(file, "utf8")) as StackFile | null)?.config ?? {};
    for (const [key, value] of Object.entries(values)) {
      if (value !== null && !isEncrypted(value)) config[key] = configValue(value);
    }
  }
  for (const [key, value] of Object.entries(overrides)) {
    config[key.includes(":") ? key : `${PROJECT}:${key}`] = value;
  }
  return config;
}
