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
 * A parameter name under /webhooks/ where a value, or a word of text, starts: `/webhooks/jira/url`,
 * `--name /webhooks/jira/url`, `{{ssm:/webhooks/jira/url}}`, `{{resolve:ssm-secure:/webhooks/...}}`.
 * Not a segment in a URL's path (`https://discord.com/api/webhooks/...`), which names no parameter.
 */
const WEBHOOKS_NAME = /(?:^|[\s"'`=(,:>/[{])(\/webhooks\/[A-Za-z0-9_.\-/*?]*)/g;

/** An ARN, or an IAM pattern of ARNs (`arn:aws:ssm:*:*:*`, `arn:*`), in text. */
const ARN = /arn:[^\s"'`,;()[\]<>|]*/g;

/** What a message shows of a long name or pattern. */
const SHOWN_LENGTH = 160;

function quoted(text: string): string {
  return JSON.stringify(text.length > SHOWN_LENGTH ? `${text.slice(0, SHOWN_LENGTH)}…` : text);
}

/** The names and ARN patterns in a text that reach parameters under /webhooks/, percent-encoded or not. */
function namesInText(text: string): Set<string> {
  const found = new Set<string>();
  for (const [, name] of text.matchAll(WEBHOOKS_NAME)) found.add(name);
  for (const [arn] of text.matchAll(ARN)) {
    if (reachesParametersUnder(arn, WEBHOOKS_PATH)) found.add(arn);
  }
  if (/%2f/i.test(text)) {
    let decoded = text;
    try {
      decoded = decodeURIComponent(text);
    } catch {
      // Not percent-encoding after all: the text is read as it is.
    }
    if (decoded !== text) for (const name of namesInText(decoded)) found.add(name);
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
 * reaching /webhooks/ (`Resource: "*"` among them).
 */
export function webhooksReferences(inputs: unknown): WebhooksReference[] {
  const found = new Map<string, Set<string>>();
  walk(knownValues(inputs), "", found);
  return [...found].flatMap(([at, shown]) => [...shown].map((item) => ({ at, shown: item })));
}
