import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { isMap, isScalar, LineCounter, parseDocument, type YAMLMap } from "yaml";
import { inConfigScope } from "../src/receivers/configKeys";
import { notSetProblem, plainTextProblem } from "../src/receivers/secretConfig";
import { LocalRunInputError } from "./localRunInputError";
import { LOCAL_SECRETS_FILE, secretVariable, type LocalSecrets } from "./localRunSecrets";
import type { StackFileValue } from "./stackConfig";

/** A config key a receiver file names for one of its secrets. */
export interface SecretReference {
  /** The receiver's name (its file name without extension). */
  receiver: string;
  /** The file, relative to the working directory, for messages. */
  file: string;
  /**
   * The receiver file's field: `url`, `headers`, any other field given as `{ secret: <key> }`, and those of
   * `oauth` and `secrets` by their path (`oauth.tokenUrl`, `secrets.ROUTING_KEY`).
   */
  field: string;
  key: string;
  /** The line of `secret:` in the file. */
  line: number;
}

const RECEIVER_FILE = /\.ya?ml$/i;

/** The fields under which a receiver file names secrets by their own names: `oauth.*` and `secrets.*`. */
const NESTED_SECRET_FIELDS = ["oauth", "secrets"];

/**
 * The config keys the receiver files in `dir` name for their secrets (URLs, headers, OAuth credentials,
 * body secrets). Read leniently: a file or field that is not sound is skipped here, and the program's
 * own validation reports it.
 */
export function secretReferences(dir: string): SecretReference[] {
  if (!fs.existsSync(dir)) return [];
  const references: SecretReference[] = [];
  for (const fileName of fs.readdirSync(dir).sort()) {
    const filePath = path.join(dir, fileName);
    if (!RECEIVER_FILE.test(fileName) || !fs.statSync(filePath).isFile()) continue;
    const lines = new LineCounter();
    const document = parseDocument(fs.readFileSync(filePath, "utf8"), { lineCounter: lines });
    if (document.errors.length > 0 || !isMap(document.contents)) continue;
    const readMap = (map: YAMLMap, prefix: string): void => {
      for (const pair of map.items) {
        if (!isScalar(pair.key) || !isMap(pair.value)) continue;
        const field = `${prefix}${String(pair.key.value)}`;
        if (prefix === "" && NESTED_SECRET_FIELDS.includes(field)) {
          readMap(pair.value, `${field}.`);
          continue;
        }
        const key = pair.value.get("secret", true);
        if (!isScalar(key) || typeof key.value !== "string") continue;
        references.push({
          receiver: fileName.replace(RECEIVER_FILE, ""),
          file: path.relative(process.cwd(), filePath).split(path.sep).join("/"),
          field,
          key: key.value,
          line: lines.linePos(key.range?.[0] ?? 0).line,
        });
      }
    };
    readMap(document.contents, "");
  }
  return references;
}

/** Where a run that keeps every request on this machine sends a receiver's requests and token requests. */
export interface LocalEndpoints {
  urlFor(receiver: string): string;
  tokenUrlFor(receiver: string): string;
}

/**
 * Config for a run that keeps every request on this machine: each URL key points at `urlFor` the first
 * receiver naming it, each token URL key at `tokenUrlFor`, and each headers key holds the user's local
 * value when given, else `{}`. An empty object sets no Content-Type, so the body is JSON and the template
 * is checked as JSON, as it is for real headers that set none; a receiver whose real headers send another
 * type should have them given. A signing secret, an OAuth client ID and secret and a body secret take
 * the user's local value, else a stand-in made for the run, so such receivers run without secrets too.
 * Any other secret takes the user's local value; without one, validation names the key.
 */
export function captureConfig(
  references: readonly SecretReference[],
  secrets: LocalSecrets,
  endpoints: LocalEndpoints,
): Record<string, string> {
  const config: Record<string, string> = {};
  for (const reference of references) {
    if (reference.key in config) continue;
    const value =
      reference.field === "url"
        ? endpoints.urlFor(reference.receiver)
        : reference.field === "oauth.tokenUrl"
          ? endpoints.tokenUrlFor(reference.receiver)
          : (secrets(reference.key) ?? localDefault(reference.field));
    if (value !== undefined) config[reference.key] = value;
  }
  return config;
}

function localDefault(field: string): string | undefined {
  if (field === "headers") return "{}";
  if (field === "signingSecret") return `whsec_${randomBytes(24).toString("base64")}`;
  if (field === "oauth.clientId") return "local-client-id";
  if (field === "oauth.clientSecret" || field.startsWith("secrets.")) {
    return `local-${randomBytes(12).toString("hex")}`;
  }
  return undefined;
}

/** What a secret field holds, for messages. */
function holds(field: string): string {
  const known: Record<string, string> = {
    url: "the receiver's URL",
    headers: "its headers as a JSON object",
    "oauth.tokenUrl": "the OAuth token endpoint's URL",
    "oauth.clientId": "the OAuth client ID",
    "oauth.clientSecret": "the OAuth client secret",
  };
  return (
    known[field] ?? (field.startsWith("secrets.") ? `the body secret ${field.slice(8)}` : `its ${field}`)
  );
}

/** Notes for the headers that `captureConfig` left empty because the user gave no value for them. */
export function emptyHeadersNotes(references: readonly SecretReference[], secrets: LocalSecrets): string[] {
  return references
    .filter((reference) => reference.field === "headers" && secrets(reference.key) === undefined)
    .map(
      (reference) =>
        `${reference.file}: headers: ${secretVariable(reference.key)} is not set, so the receiver's own ` +
        `headers are left out and the body is JSON`,
    );
}

/** Config for a run that sends to the real receivers: every value comes from the user's local secrets. */
export function sendConfig(
  references: readonly SecretReference[],
  secrets: LocalSecrets,
): Record<string, string> {
  const config: Record<string, string> = {};
  const missing: string[] = [];
  for (const reference of references) {
    const value = secrets(reference.key);
    if (value === undefined) {
      const variable = secretVariable(reference.key);
      missing.push(
        `${reference.file}: ${reference.field}.secret (line ${reference.line}): ${variable} is not set; ` +
          `with --send it holds ${holds(reference.field)}, in the environment or in ${LOCAL_SECRETS_FILE}`,
      );
    } else {
      config[reference.key] = value;
    }
  }
  if (missing.length > 0) {
    throw new LocalRunInputError(`--send needs every receiver's secrets:\n${missing.join("\n")}`);
  }
  return config;
}

/** A secret a receiver names that the stack does not hold as a secret, so that `pulumi up` refuses it. */
export interface StackSecretProblem {
  reference: SecretReference;
  /** What preview says: the config key, and the `pulumi config set --secret` command that sets it. */
  message: string;
}

/**
 * The secrets the receiver files name that a stack's settings file (`stored`, as readStackFile reads it)
 * does not hold encrypted in `project`'s namespace, as `pulumi config set --secret` writes them: not
 * set, or set in plain text. Preview refuses the receivers naming them; a local run stands in for them,
 * and says so.
 */
export function stackSecretProblems(
  references: readonly SecretReference[],
  stored: ReadonlyMap<string, StackFileValue>,
  project: string,
): StackSecretProblem[] {
  const problems: StackSecretProblem[] = [];
  for (const reference of references) {
    const setting = stored.get(`${project}:${reference.key}`);
    if (setting?.encrypted) continue;
    const message = inConfigScope({ project }, () =>
      setting ? plainTextProblem(reference.key) : notSetProblem(reference.field, reference.key),
    );
    if (
      !problems.some(
        (problem) => problem.reference.receiver === reference.receiver && problem.message === message,
      )
    ) {
      problems.push({ reference, message });
    }
  }
  return problems;
}
