// UnknownValueError is what reading a value unknown during a preview throws; @pulumi/policy exports it,
// though its type declarations leave it out.
import { UnknownValueError } from "@pulumi/policy";
import { allowedActions, iamStatements } from "./iamPolicyDocument";
import { PARAMETER_READ_ACTIONS, PARAMETER_WRITE_ACTIONS } from "./parameterActions";
import { grantTargets, reachesParametersUnder, targetReachesUnder } from "./parameterArns";
import { WEBHOOKS_PATH } from "./webhooksScope";

/** A place in a resource's inputs that names the receiver parameters, and what names them there. */
export interface WebhooksReference {
  /** The input's path: `environment.variables.URL_PARAM`, `policy.Statement[0]`. */
  at: string;
  /** What names them, as messages show it: a parameter name or ARN (pattern) in quotes, or a grant. */
  shown: string;
}

/** Every action on parameters the pack knows: a statement allowing one on /webhooks/ names them. */
const PARAMETER_ACTIONS = [...PARAMETER_READ_ACTIONS, ...PARAMETER_WRITE_ACTIONS];

/**
 * A parameter name under /webhooks/, or the path itself (`/webhooks`, which `GetParametersByPath` reads
 * whole), where a value or a word of text starts: `/webhooks/jira/url`, `--name /webhooks/jira/url`,
 * `--path /webhooks --recursive`, `{{ssm:/webhooks/jira/url}}`, `{{resolve:ssm-secure:/webhooks/...}}`.
 * Not a segment in a URL's path (`https://discord.com/api/webhooks/...`), which names no parameter, nor
 * another word that starts like it (`/webhooksx`).
 */
const WEBHOOKS_NAME = /(?:^|[\s"'`=(,:>/[{])(\/webhooks(?:[/*?][A-Za-z0-9_.\-/*?]*)?)(?![A-Za-z0-9_.-])/g;

/** An ARN, or an IAM pattern of ARNs (`arn:aws:ssm:*:*:*`, `arn:*`), in text. */
const ARN = /arn:[^\s"'`,;()[\]<>|]*/g;

/** What a message shows of a long name or pattern. */
const SHOWN_LENGTH = 160;

/** How many layers of encoding are taken off a text, one within another (`%252F`, `%5Cu002f`). */
const DECODED_LAYERS = 3;

function quoted(text: string): string {
  return JSON.stringify(text.length > SHOWN_LENGTH ? `${text.slice(0, SHOWN_LENGTH)}…` : text);
}

/**
 * Percent-encoding taken off, escape by escape: each run of escapes that is UTF-8 is decoded as UTF-8,
 * any other escape as the one byte it stands for, and a `%` that starts no escape is left as it is. So
 * one malformed escape (a Latin-1 `%E9`, a literal "100%") hides nothing else in the text.
 */
function percentDecoded(text: string): string {
  return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    }
  });
}

/**
 * Escapes of JSON, YAML's double-quoted strings, JavaScript and shells taken off (`\u002f`, `\x2f`,
 * `\U0000002f`, `\/`), and HTML character references (`&#47;`, `&#x2f;`): text that names a parameter
 * once a parser or a template reads it.
 */
function escapesDecoded(text: string): string {
  const character = (code: number) => (code <= 0x10ffff ? String.fromCodePoint(code) : "");
  return text
    .replace(
      /\\(?:u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|U([0-9a-fA-F]{8}))/g,
      (_, ...hex: string[]) =>
        character(parseInt(hex.slice(0, 4).find((digits) => digits !== undefined) ?? "", 16)),
    )
    .replace(/\\\//g, "/")
    .replace(/&#(?:x([0-9a-f]+)|(\d+));?/gi, (_, hex: string | undefined, decimal: string | undefined) =>
      character(hex === undefined ? parseInt(decimal ?? "", 10) : parseInt(hex, 16)),
    );
}

/** The text as it is, and as each decoding of it, up to DECODED_LAYERS layers deep, reads it. */
function readingsOf(text: string): Set<string> {
  const readings = new Set([text]);
  let layer = [text];
  for (let depth = 0; depth < DECODED_LAYERS && layer.length > 0; depth++) {
    layer = layer
      .flatMap((reading) => [percentDecoded(reading), escapesDecoded(reading)])
      .filter((decoded) => !readings.has(decoded));
    for (const decoded of layer) readings.add(decoded);
  }
  return readings;
}

/** The names and ARN patterns in a text that reach parameters under /webhooks/, encoded or not. */
function namesInText(text: string): Set<string> {
  const found = new Set<string>();
  for (const reading of readingsOf(text)) {
    for (const [, name] of reading.matchAll(WEBHOOKS_NAME)) found.add(name);
    for (const [arn] of reading.matchAll(ARN)) {
      if (reachesParametersUnder(arn, WEBHOOKS_PATH)) found.add(arn);
    }
  }
  return found;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A JSON object or list written as text (a policy document, a container definition), parsed. */
function parsedJson(text: string): unknown {
  if (!/^\s*[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function childPath(at: string, key: string | number): string {
  if (typeof key === "number") return `${at}[${key}]`;
  const name = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : JSON.stringify(key);
  return at === "" ? name : /^[A-Za-z_$]/.test(name) ? `${at}.${name}` : `${at}[${name}]`;
}

/**
 * A statement that allows an action on parameters (a read, a write) on a resource reaching /webhooks/:
 * `*`, `arn:aws:ssm:*:*:*`, a NotResource. How the message shows the grant; undefined for others.
 */
function grantOnWebhooks(statement: unknown): string | undefined {
  const [read] = iamStatements({ Statement: [statement] });
  if (!read) return undefined;
  const actions = allowedActions(read, PARAMETER_ACTIONS);
  const targets = grantTargets(read).filter((target) => targetReachesUnder(target, WEBHOOKS_PATH));
  if (actions.length === 0 || targets.length === 0) return undefined;
  return `allows ${actions.join(", ")} on ${targets.map(({ shown }) => shown).join(", ")}`;
}

function walk(value: unknown, at: string, found: Map<string, Set<string>>): void {
  const add = (path: string, shown: Iterable<string>) => {
    for (const item of shown) found.set(path, (found.get(path) ?? new Set()).add(item));
  };
  if (typeof value === "string") {
    const parsed = parsedJson(value);
    if (parsed === undefined) add(at, [...namesInText(value)].map(quoted));
    else walk(parsed, at, found);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => walk(item, childPath(at, index), found));
    return;
  }
  if (!isRecord(value)) return;
  for (const [key, item] of Object.entries(value)) {
    const path = childPath(at, key);
    add(path, [...namesInText(key)].map(quoted));
    if (key !== "Statement") {
      walk(item, path, found);
      continue;
    }
    // A policy document: a statement granting on /webhooks/ is named as the grant it is, whatever it
    // names; the other statements are read like any value (a Deny, a condition may name the path).
    const statements = Array.isArray(item) ? item : [item];
    statements.forEach((statement, index) => {
      const statementPath = Array.isArray(item) ? childPath(path, index) : path;
      const grant = grantOnWebhooks(statement);
      if (grant === undefined) walk(statement, statementPath, found);
      else add(statementPath, [grant]);
    });
  }
}

/**
 * The inputs as plain data, without the values a preview does not know yet: those are checked when the
 * update knows them, before the resource is created.
 */
function knownValues(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
  for (const key of Object.keys(value)) {
    try {
      (copy as Record<string, unknown>)[key] = knownValues((value as Record<string, unknown>)[key]);
    } catch (error) {
      if (!(error instanceof UnknownValueError)) throw error;
    }
  }
  return copy;
}

/**
 * Where a resource's inputs name the receiver parameters under /webhooks/, in any form: a parameter
 * name where a value or a word starts, a parameter ARN or an ARN pattern whose wildcards reach one
 * (`arn:aws:ssm:*:*:parameter/*`, `arn:*`), either percent-encoded, in text or in JSON written as text,
 * in map keys too; and an IAM statement anywhere in them that allows a parameter action on a resource
 * reaching /webhooks/ (`Resource: "*"` among them). `at` is where the inputs stand, for the paths.
 */
export function webhooksReferences(inputs: unknown, at = ""): WebhooksReference[] {
  const found = new Map<string, Set<string>>();
  walk(knownValues(inputs), at, found);
  return [...found].flatMap(([at, shown]) => [...shown].map((item) => ({ at, shown: item })));
}
