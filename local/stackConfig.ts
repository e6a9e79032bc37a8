import * as fs from "node:fs";
import * as path from "node:path";
import { parse, YAMLParseError } from "yaml";
import { LocalRunInputError } from "./localRunInputError";

/** The project as the product ships it: the `name:` of its Pulumi.yaml, the namespace the specs deploy. */
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
  /**
   * The project it is a stack of, as `pulumi.getProject()` gives it: the `name:` of Pulumi.yaml, which is
   * the namespace of its config keys (`<project>:receiversDir`). The shipped name when not given.
   */
  project?: string;
}

interface ProjectFile {
  name?: unknown;
  config?: Record<string, { default?: unknown }>;
}

interface StackFile {
  config?: Record<string, unknown>;
}

/** A settings file that is not YAML the Pulumi CLI can read: named with the line, said without a stack trace. */
export class StackFileError extends LocalRunInputError {
  constructor(
    /** The file, relative to the project. */
    readonly file: string,
    readonly line: number | null,
    readonly column: number | null,
    readonly reason: string,
  ) {
    super(`${file}${line === null ? "" : `: line ${line}, column ${column}`}: ${reason}`);
    this.name = "StackFileError";
  }
}

/** A settings file's YAML, or a StackFileError naming the file and the line that is not YAML. */
function readYaml(file: string): unknown {
  const name = path.relative(PROJECT_ROOT, file).split(path.sep).join("/");
  try {
    return parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    if (!(error instanceof YAMLParseError)) throw error;
    const [start] = error.linePos ?? [];
    const reason = error.message.replace(/ at line \d+, column \d+:[\s\S]*$/, "");
    throw new StackFileError(name, start?.line ?? null, start?.col ?? null, `not YAML: ${reason}`);
  }
}

/** A value as Pulumi hands it to the program: text, and lists and mappings as JSON. */
function configValue(value: unknown): string {
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/**
 * Whether a stack value holds a `pulumi config set --secret` value, `{ secure: <ciphertext> }`, itself or
 * anywhere inside: `pulumi config set --path --secret 'key.Authorization'` writes a mapping with a secure
 * leaf, and the CLI hands the program the whole key, decrypted, as a secret.
 */
function isEncrypted(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (!Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value) return true;
  return Object.values(value).some(isEncrypted);
}

/** The file `pulumi -s <stack>` reads a stack's settings from: `Pulumi.<stack>.yaml` beside Pulumi.yaml. */
export function stackFile(stack: string): string {
  return path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`);
}

function readProjectFile(): ProjectFile {
  return (readYaml(path.join(PROJECT_ROOT, "Pulumi.yaml")) ?? {}) as ProjectFile;
}

/** The project's name, the `name:` of Pulumi.yaml: the namespace of its config keys. */
export function projectName(): string {
  const { name } = readProjectFile();
  if (typeof name !== "string" || name === "") {
    throw new StackFileError("Pulumi.yaml", null, null, "has no name: (the project's name)");
  }
  return name;
}

/** A stack of this project, with the settings file `pulumi -s <name>` reads and the project Pulumi.yaml names. */
export function projectStack(name: string): Required<Stack> {
  return { name, file: stackFile(name), project: projectName() };
}

/** The project a stack is of: the namespace of its config keys. */
export function stackProject(stack: Stack): string {
  return stack.project ?? PROJECT;
}

/** A stack setting as its file holds it: the value, or that it is encrypted (set with `--secret`). */
export type StackFileValue = { value: string; encrypted: false } | { encrypted: true };

/**
 * The settings a stack file holds, by full key (`codebuild-webhooks:receiversDir`, `aws:region`), in
 * file order. Encrypted values stay encrypted: only the Pulumi CLI can decrypt them.
 */
export function readStackFile(file: string): Map<string, StackFileValue> {
  const values = (readYaml(file) as StackFile | null)?.config ?? {};
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
  const defaults: Record<string, string> = {};
  for (const [key, schema] of Object.entries(readProjectFile().config ?? {})) {
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
  project = stackProject(stack),
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
