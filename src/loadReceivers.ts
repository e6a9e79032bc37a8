import * as fs from "node:fs";
import * as path from "node:path";
import { RunError } from "@pulumi/pulumi";
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import { findJsonSyntaxError } from "./jsonSyntaxError";
import { isJsonBody, parseHeadersParameter } from "./notifier/requestHeaders";
import { EVERY_PROJECT, type ReceiverDefinition } from "./receiverDefinition";
import { CONFIG_KEY, receiverFileSchema } from "./receiverSchema";

const CONFIG_NAMESPACE = "codebuild-webhooks";
const RECEIVER_FILE = /\.ya?ml$/i;
/** The name goes into `/webhooks/<name>/...` parameter paths and Pulumi resource names. */
const RECEIVER_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * Every problem found in the receiver files, one line each. A `RunError` so that preview prints the
 * message alone, without a stack trace.
 */
export class ReceiverConfigError extends RunError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(`The receiver files have ${count}:\n${problems.join("\n")}`);
    this.name = "ReceiverConfigError";
    this.problems = problems;
  }
}

/** Reads the stack config value of `codebuild-webhooks:<key>`; undefined when it is not set. */
export type ReadConfig = (key: string) => string | undefined;

/**
 * Reads and validates every `*.yaml`/`*.yml` receiver file in `dir` against the schema and the stack
 * config, and throws one `ReceiverConfigError` listing all problems of all files. Config values are
 * read only to validate them and never appear in a message: they are secrets.
 *
 * A folder without receiver files means no receivers; a folder that does not exist is a problem.
 */
export function loadReceivers(
  dir: string,
  readConfig: ReadConfig,
  options: { relativeTo?: string } = {},
): ReceiverDefinition[] {
  const relativeTo = options.relativeTo ?? process.cwd();
  const forMessages = (target: string): string => path.relative(relativeTo, target).split(path.sep).join("/");
  // A mistyped folder must not read as "no receivers", which would delete every deployed one.
  if (!fs.existsSync(dir)) {
    throw new ReceiverConfigError([
      `${forMessages(dir)}: the receiver folder does not exist; create it (a folder without receiver ` +
        `files deploys no receivers)`,
    ]);
  }
  const problems: string[] = [];
  const receivers: ReceiverDefinition[] = [];
  const filesByName = new Map<string, string[]>();

  for (const fileName of receiverFileNames(dir)) {
    const filePath = path.join(dir, fileName);
    const file = forMessages(filePath);
    const name = fileName.replace(RECEIVER_FILE, "");
    filesByName.set(name, [...(filesByName.get(name) ?? []), file]);

    if (!RECEIVER_NAME.test(name)) {
      problems.push(
        `${file}: "${name}" cannot name a receiver; rename the file using only letters, digits, "_", "-" ` +
          `and "." (the name goes into the /webhooks/<name>/ parameter paths and resource names)`,
      );
    }
    const fileProblems: FileProblem[] = [];
    const receiver = readReceiverFile(
      fs.readFileSync(filePath, "utf8"),
      name,
      file,
      readConfig,
      fileProblems,
    );
    // In file order, which is how the user reads them; problems of the whole file (line 0) first.
    problems.push(...fileProblems.sort((a, b) => a.line - b.line).map((problem) => problem.text));
    if (receiver) receivers.push(receiver);
  }

  for (const [name, files] of filesByName) {
    if (files.length > 1) {
      problems.push(`${files.join(", ")}: these files all name the receiver "${name}"; keep one of them`);
    }
  }

  if (problems.length > 0) throw new ReceiverConfigError(problems);
  return receivers;
}

function receiverFileNames(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((entry) => RECEIVER_FILE.test(entry) && fs.statSync(path.join(dir, entry)).isFile())
    .sort();
}

/** A problem in one file, with the line it is on (0 when it concerns the whole file). */
interface FileProblem {
  line: number;
  text: string;
}

/** Validates one file's text, adding each problem to `problems`; returns the receiver when it is sound. */
function readReceiverFile(
  source: string,
  name: string,
  file: string,
  readConfig: ReadConfig,
  problems: FileProblem[],
): ReceiverDefinition | undefined {
  const lines = new LineCounter();
  const document = parseDocument(source, { lineCounter: lines, prettyErrors: false });
  const report = (fieldPath: readonly PropertyKey[], message: string): void => {
    const line = lineOf(document, lines, fieldPath);
    const field = fieldName(fieldPath);
    const where = line === undefined ? "" : ` (line ${line})`;
    const text = field ? `${file}: ${field}${where}: ${message}` : `${file}${where}: ${message}`;
    problems.push({ line: line ?? 0, text });
  };

  // Later syntax errors are mostly echoes of the first; its fix is what the user needs.
  const [syntaxError] = document.errors;
  if (syntaxError) {
    const { line, col } = lines.linePos(syntaxError.pos[0]);
    const message =
      syntaxError.code === "MULTIPLE_DOCS"
        ? 'a second YAML document ("---") starts here; a file holds one receiver'
        : syntaxError.code === "BAD_ALIAS" && source.slice(...syntaxError.pos).trim() === EVERY_PROJECT
          ? 'an unquoted * starts a YAML alias; write every project as "*" in quotes: projects: ["*"]'
          : syntaxError.message;
    problems.push({ line, text: `${file} (line ${line}, column ${col}): not valid YAML: ${message}` });
    return undefined;
  }
  if (document.contents === null) {
    problems.push({
      line: 0,
      text: `${file}: the file is empty; a receiver needs at least projects, statuses and url`,
    });
    return undefined;
  }

  let content: unknown;
  try {
    content = document.toJS();
  } catch (error) {
    // An alias without its anchor, or aliases that expand past the parser's limit.
    problems.push({ line: 0, text: `${file}: not valid YAML: ${(error as Error).message}` });
    return undefined;
  }

  const parsed = receiverFileSchema.safeParse(content);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) report([...issue.path, key], issue.message);
      } else {
        report(issue.path, issue.message);
      }
    }
  }

  // The config checks run on whatever references are well formed, so that one pass reports everything.
  const fields = (typeof content === "object" && content !== null ? content : {}) as Record<string, unknown>;
  const urlKey = configKeyIn(fields.url);
  if (urlKey !== undefined) {
    const problem = urlProblem(urlKey, readConfig(urlKey));
    if (problem) report(["url", "secret"], problem);
  }
  const signingSecretKey = configKeyIn(fields.signingSecret);
  if (signingSecretKey !== undefined) {
    const problem = signingSecretProblem(signingSecretKey, readConfig(signingSecretKey));
    if (problem) report(["signingSecret", "secret"], problem);
  }
  const headersKey = configKeyIn(fields.headers);
  let bodyIsJson: boolean | undefined = fields.headers === undefined ? true : undefined;
  if (headersKey !== undefined) {
    const headers = parseHeaders(headersKey, readConfig(headersKey));
    if (typeof headers === "string") {
      report(["headers", "secret"], headers);
    } else {
      bodyIsJson = isJsonBody(headers);
    }
  }
  // The notifier's own rule decides whether the body is JSON. Without a readable headers config the
  // format is unknown, and the headers problem is reported above.
  if (bodyIsJson && typeof fields.template === "string") {
    const jsonError = findJsonSyntaxError(fields.template);
    if (jsonError) {
      report(
        ["template"],
        `not valid JSON at line ${jsonError.line}, column ${jsonError.column} of the template: ${jsonError.problem}`,
      );
    }
  }

  if (!parsed.success) return undefined;
  const receiver = parsed.data;
  return {
    name,
    file,
    projects: receiver.projects,
    statuses: receiver.statuses,
    method: receiver.method,
    ...(receiver.template === undefined ? {} : { template: receiver.template }),
    urlConfigKey: receiver.url.secret,
    ...(receiver.headers === undefined ? {} : { headersConfigKey: receiver.headers.secret }),
    ...(receiver.signingSecret === undefined
      ? {}
      : { signingSecretConfigKey: receiver.signingSecret.secret }),
    onlyOnChange: receiver.onlyOnChange,
  };
}

function configKeyIn(reference: unknown): string | undefined {
  if (typeof reference !== "object" || reference === null) return undefined;
  const key = (reference as Record<string, unknown>).secret;
  return typeof key === "string" && CONFIG_KEY.test(key) ? key : undefined;
}

function setCommand(key: string, value = "<value>"): string {
  return `pulumi config set --secret ${CONFIG_NAMESPACE}:${key} ${value}`;
}

function urlProblem(key: string, value: string | undefined): string | undefined {
  if (value === undefined) return `config "${CONFIG_NAMESPACE}:${key}" is not set; run: ${setCommand(key)}`;
  if (!URL.canParse(value) || !["http:", "https:"].includes(new URL(value).protocol)) {
    return `config "${CONFIG_NAMESPACE}:${key}" is not an absolute http(s) URL; set it again: ${setCommand(key)}`;
  }
  return undefined;
}

/** Standard Webhooks secrets: "whsec_" and padded standard base64, which every verifier library decodes. */
const SIGNING_SECRET = /^whsec_((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)$/;
/** The Standard Webhooks specification asks for secrets of 24 to 64 bytes. */
const MIN_SIGNING_KEY_BYTES = 24;
/** A command that sets a new secret of 32 random bytes, for messages. */
const NEW_SIGNING_SECRET = `"whsec_$(openssl rand -base64 32)"`;

/**
 * One secret, or several separated by whitespace while a secret is rotated (the notifier signs with
 * each). The message says which one is wrong by its position, never by its value.
 */
function signingSecretProblem(key: string, value: string | undefined): string | undefined {
  const config = `config "${CONFIG_NAMESPACE}:${key}"`;
  if (value === undefined) return `${config} is not set; run: ${setCommand(key, NEW_SIGNING_SECRET)}`;
  const secrets = value.trim().split(/\s+/);
  const setAgain = `set it again: ${setCommand(key, NEW_SIGNING_SECRET)}`;
  for (const [index, secret] of secrets.entries()) {
    const which =
      secrets.length === 1
        ? `${config} is`
        : `${config} holds ${secrets.length} secrets; secret ${index + 1} is`;
    const base64 = SIGNING_SECRET.exec(secret)?.[1];
    if (!base64) {
      return `${which} not a Standard Webhooks signing secret ("whsec_" followed by standard, padded base64); ${setAgain}`;
    }
    if (Buffer.from(base64, "base64").length < MIN_SIGNING_KEY_BYTES) {
      return `${which} a signing secret of fewer than ${MIN_SIGNING_KEY_BYTES} bytes; Standard Webhooks secrets are 24 to 64 random bytes; ${setAgain}`;
    }
  }
  return undefined;
}

/** The headers config as an object, or the problem with it, judged as the notifier judges it. */
function parseHeaders(key: string, value: string | undefined): Record<string, string> | string {
  if (value === undefined) return `config "${CONFIG_NAMESPACE}:${key}" is not set; run: ${setCommand(key)}`;
  const headers = parseHeadersParameter(value);
  if (!(headers instanceof Error)) return headers;
  const expected = `it must be a JSON object of header names to string values, e.g. {"Authorization": "Bearer <token>"}`;
  return `config "${CONFIG_NAMESPACE}:${key}" ${headers.message}; ${expected}`;
}

/** The line of the deepest part of `fieldPath` present in the file (a key's own line for a mapping entry). */
function lineOf(
  document: Document,
  lines: LineCounter,
  fieldPath: readonly PropertyKey[],
): number | undefined {
  let node: unknown = document.contents;
  let offset: number | undefined;
  for (const key of fieldPath) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(key));
      if (!pair || !isScalar(pair.key)) break;
      offset = pair.key.range?.[0];
      node = pair.value;
    } else if (isSeq(node) && typeof key === "number") {
      const item = node.items[key];
      if (!isNode(item)) break;
      offset = item.range?.[0];
      node = item;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lines.linePos(offset).line;
}

/** `statuses[1]`, `url.secret`: the field as the user would point at it. */
function fieldName(fieldPath: readonly PropertyKey[]): string {
  return fieldPath.reduce<string>(
    (name, key) =>
      typeof key === "number" ? `${name}[${key}]` : name === "" ? String(key) : `${name}.${String(key)}`,
    "",
  );
}
