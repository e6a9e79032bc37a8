import { Config } from "@pulumi/pulumi/config";
import { RunError } from "@pulumi/pulumi/errors";
import { setAllConfig } from "@pulumi/pulumi/runtime/config";
import * as fs from "node:fs";
import * as path from "node:path";
import { LineCounter, parseDocument, isMap, isScalar } from "yaml";
import { ReceiverConfigError, type ReceiverFinding } from "../src/receivers/receiverFinding";
import type { ReadConfig } from "../src/receivers/secretConfig";
import { readStackSettings, type StackSettings } from "../stack/stackSettings";
import { secretReferences } from "./localRunConfig";
import { PROJECT_ROOT, projectDefaults, readStackFile, StackFileError, type Stack } from "./stackConfig";

/** A problem or warning, by its parts: what `npm run check -- --json` prints for each. */
export interface CheckFinding {
  /** The file it is about: a receiver file, or the settings file of the config key it names. */
  file: string;
  /** Every file it is about, when it compares receiver files. */
  files: string[];
  /** The receiver file's field (`url.secret`), or the config key (`codebuild-webhooks:parameterPath`). */
  field: string | null;
  line: number | null;
  column: number | null;
  message: string;
  /** The line preview prints. */
  text: string;
}

/** A check of a secret's value, which needs its value, which only the Pulumi CLI can decrypt. */
export interface CheckLeftToPreview {
  file: string;
  field: string;
  line: number | null;
  /** The config key, `codebuild-webhooks:<key>`. */
  key: string;
  /** What preview checks about its value. */
  checks: string;
}

export interface StackCheck {
  stack: string;
  /** The stack's settings file, relative to the project. */
  stackFile: string;
  /** Whether `pulumi preview` would accept the stack's settings and receivers. */
  accepted: boolean;
  problems: CheckFinding[];
  warnings: CheckFinding[];
  leftToPreview: CheckLeftToPreview[];
  /** The settings and receivers, when accepted. */
  settings?: StackSettings;
}

/** What `npm run check -- --json` prints (docs/receivers.md#checking-a-stack-in-ci). */
export type StackCheckJson = Omit<StackCheck, "settings">;

/** What preview checks of a secret's value, by the receiver field naming it. */
function valueChecks(field: string): string {
  if (field === "url") return "an absolute http(s) URL (https for a receiver with oauth)";
  if (field === "headers") {
    return (
      "a JSON object of header names to string values HTTP allows, without line breaks; its Content-Type " +
      "says whether the template must be JSON"
    );
  }
  if (field === "signingSecret") return 'Standard Webhooks secrets: "whsec_" and base64 of 24 to 64 bytes';
  if (field === "oauth.tokenUrl") return "an absolute https URL";
  return "not empty, on one line";
}

/** The config key of `project` a message names first, without the project's namespace. */
function keyNamed(message: string, project: string): string | undefined {
  const namespace = project.replace(/[.]/g, "\\.");
  return new RegExp(`${namespace}:([A-Za-z][\\w-]*)`).exec(message)?.[1];
}

/** The line of `key` under `config:` in a settings file (Pulumi.yaml writes keys without a namespace). */
function lineOfKey(file: string, project: string, key: string): number | null {
  const lines = new LineCounter();
  const document = parseDocument(fs.readFileSync(file, "utf8"), { lineCounter: lines });
  const config = isMap(document.contents) ? document.contents.get("config", true) : undefined;
  if (!isMap(config)) return null;
  const pair = config.items.find(
    (item) => isScalar(item.key) && [key, `${project}:${key}`].includes(String(item.key.value)),
  );
  const offset = isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
  return offset === undefined ? null : lines.linePos(offset).line;
}

function relative(file: string): string {
  return path.relative(PROJECT_ROOT, file).split(path.sep).join("/");
}

function fromReceiverFinding(finding: ReceiverFinding): CheckFinding {
  return {
    file: finding.files[0],
    files: finding.files,
    field: finding.field ?? null,
    line: finding.line ?? null,
    column: finding.column ?? null,
    message: finding.message,
    text: finding.text,
  };
}

/**
 * Checks a stack's settings and receiver files as `pulumi preview` does, with the same checks and messages,
 * without the Pulumi CLI or its passphrase: the settings come from Pulumi.yaml and the stack's settings
 * file, as the CLI reads them, in the namespace of the project Pulumi.yaml names. The secrets there are
 * encrypted: that a receiver's secret is set, and set with --secret, is checked; what preview checks of
 * their values is listed as left to it. The commands messages suggest name the stack (`--stack`).
 */
export function checkStack(stack: Required<Stack>): StackCheck {
  const { project } = stack;
  const stackFile = relative(stack.file);
  const stored = readStackFile(stack.file);
  const plain = projectDefaults(project);
  for (const [key, setting] of stored) if (!setting.encrypted) plain[key] = setting.value;
  // The program reads its project and stack as the Pulumi CLI hands them over, and its config.
  process.env.PULUMI_NODEJS_PROJECT = project;
  process.env.PULUMI_NODEJS_STACK = stack.name;
  setAllConfig(plain, []);
  const readConfig: ReadConfig = (key) => {
    const fullKey = `${project}:${key}`;
    if (stored.get(fullKey)?.encrypted) return { secret: true };
    const value = plain[fullKey];
    return value === undefined ? undefined : { value, secret: false };
  };
  const settingFinding = (message: string): CheckFinding => {
    const key = keyNamed(message, project);
    const inStack = key !== undefined && stored.has(`${project}:${key}`);
    const file = inStack ? stack.file : path.join(PROJECT_ROOT, "Pulumi.yaml");
    return {
      file: relative(file),
      files: [relative(file)],
      field: key === undefined ? null : `${project}:${key}`,
      line: key === undefined ? null : lineOfKey(file, project, key),
      column: null,
      message,
      text: message,
    };
  };

  const check: StackCheck = {
    stack: stack.name,
    stackFile,
    accepted: false,
    problems: [],
    warnings: [],
    leftToPreview: [],
  };
  try {
    const settings = readStackSettings(new Config(project), readConfig, PROJECT_ROOT, stack.name);
    check.accepted = true;
    check.settings = settings;
    check.warnings = settings.warnings.map((warning) =>
      warning.receivers ? fromReceiverFinding(warning.receivers) : settingFinding(warning.text),
    );
    for (const spoke of settings.organization.spokes.filter((candidate) => candidate.roleArn)) {
      check.leftToPreview.push({
        file: stackFile,
        field: spoke.label,
        line: lineOfKey(stack.file, project, "spokes"),
        key: `${project}:spokes`,
        checks: "that its account is not the hub's own, which the deploy's AWS credentials tell",
      });
    }
  } catch (error) {
    if (error instanceof ReceiverConfigError) check.problems = error.findings.map(fromReceiverFinding);
    else if (RunError.isInstance(error)) check.problems = [settingFinding(error.message)];
    else throw error;
  }

  const receiversDir = path.resolve(PROJECT_ROOT, plain[`${project}:receiversDir`] ?? "receivers");
  const encrypted = secretReferences(receiversDir).filter(
    (reference) => stored.get(`${project}:${reference.key}`)?.encrypted,
  );
  check.leftToPreview.unshift(
    ...encrypted.map((reference) => ({
      file: relative(path.resolve(PROJECT_ROOT, reference.file)),
      field: `${reference.field}.secret`,
      line: reference.line,
      key: `${project}:${reference.key}`,
      checks: valueChecks(reference.field),
    })),
  );
  return check;
}

/** The check of a stack whose settings file, or Pulumi.yaml, is not YAML: refused, naming the file and line. */
export function unreadableStack(stack: string, error: StackFileError): StackCheck {
  return {
    stack,
    stackFile: `Pulumi.${stack}.yaml`,
    accepted: false,
    problems: [
      {
        file: error.file,
        files: [error.file],
        field: null,
        line: error.line,
        column: error.column,
        message: error.reason,
        text: error.message,
      },
    ],
    warnings: [],
    leftToPreview: [],
  };
}
