import * as fs from "node:fs";
import { validateHeaderName, validateHeaderValue } from "node:http";
import * as path from "node:path";
import { RunError } from "@pulumi/pulumi";
import {
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type YAMLError,
} from "yaml";
import { actionPathEscape } from "../notifier/actionPath";
import { REGION } from "./awsIdentifiers";
import {
  credentialOriginProblems,
  originOf,
  type ReceiverSecrets,
  type SecretKeyUse,
} from "./credentialOrigins";
import { findJsonSyntaxError } from "./jsonSyntaxError";
import { renderTemplate } from "../notifier/renderTemplate";
import { isJsonBody, parseHeadersParameter } from "../notifier/requestHeaders";
import { isSecureUrl } from "../notifier/secureUrl";
import { BUILT_IN_PLACEHOLDER_NAMES, BUILT_IN_PLACEHOLDERS, nearestName } from "../shared/placeholders";
import { TRANSITIONS, type BuildStatus, type Transition } from "../shared/buildStatuses";
import { EVERY_PROJECT, type ReceiverAction } from "../shared/registryFormat";
import type { ReceiverDefinition } from "./receiverDefinition";
import {
  CONFIG_KEY,
  CONFIG_NAMESPACE,
  configName,
  PLACEHOLDER_NAME,
  receiverFileSchema,
  type ReceiverFile,
} from "./receiverSchema";
import { looksLikeSecret, PASTED_SECRET, quoteIfHarmless, shownPlaceholder } from "./secretLikeText";

const RECEIVER_FILE = /\.ya?ml$/i;
/** The name goes into `/webhooks/<name>/...` parameter paths and Pulumi resource names. */
const RECEIVER_NAME = /^[A-Za-z0-9_.-]+$/;

/** A problem or a warning about receiver files: the line preview prints, and its parts. */
export interface ReceiverFinding {
  /** The files it is about, as the line names them: one, or the files it compares. */
  files: string[];
  /** The field, as the line names it (`url.secret`, `statuses[1]`); absent when it is about the whole file. */
  field?: string;
  line?: number;
  column?: number;
  message: string;
  /** The line: the files, the field, the line (and column), then the message. */
  text: string;
}

function receiverFinding(parts: Omit<ReceiverFinding, "text">): ReceiverFinding {
  const { files, field, line, column, message } = parts;
  const where =
    line === undefined ? "" : ` (line ${line}${column === undefined ? "" : `, column ${column}`})`;
  return { ...parts, text: `${files.join(", ")}${field ? `: ${field}` : ""}${where}: ${message}` };
}

/**
 * Every problem found in the receiver files, one line each. A `RunError` so that preview prints the
 * message alone, without a stack trace.
 */
export class ReceiverConfigError extends RunError {
  readonly problems: readonly string[];
  readonly findings: readonly ReceiverFinding[];

  constructor(findings: readonly ReceiverFinding[]) {
    const problems = findings.map((finding) => finding.text);
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(`The receiver files have ${count}:\n${problems.join("\n")}`);
    this.name = "ReceiverConfigError";
    this.problems = problems;
    this.findings = findings;
  }
}

/**
 * A stack config value, and whether it was set with `pulumi config set --secret` (stored encrypted).
 * Without `value`, the value is set but cannot be read here: an encrypted value, which only the Pulumi CLI
 * decrypts. The checks of a value then do not run (npm run check says which).
 */
export type ConfigValue = { value: string; secret: boolean } | { value?: undefined; secret: true };

/** Reads the stack config value of `codebuild-webhooks:<key>`; undefined when it is not set. */
export type ReadConfig = (key: string) => ConfigValue | undefined;

export interface LoadedReceivers {
  receivers: ReceiverDefinition[];
  /**
   * Likely mistakes that do not stop a deploy (a notice sent twice, a placeholder no built-in value
   * fills), one line each, naming the file, field and line as problems do.
   */
  warnings: string[];
  /** The same warnings, by their parts. */
  warningFindings: ReceiverFinding[];
}

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
  options: {
    relativeTo?: string;
    /** The regions whose builds reach the stack (its own and its spokes'); a receiver may name no other. */
    regions?: readonly string[];
  } = {},
): LoadedReceivers {
  const relativeTo = options.relativeTo ?? process.cwd();
  const forMessages = (target: string): string => path.relative(relativeTo, target).split(path.sep).join("/");
  // A mistyped folder must not read as "no receivers", which would delete every deployed one.
  if (!fs.existsSync(dir)) {
    throw new ReceiverConfigError([
      receiverFinding({
        files: [forMessages(dir)],
        message:
          "the receiver folder does not exist; create it (a folder without receiver files deploys no receivers)",
      }),
    ]);
  }
  const problems: ReceiverFinding[] = [];
  const warnings: ReceiverFinding[] = [];
  const receivers: ReceiverDefinition[] = [];
  const filesByName = new Map<string, string[]>();

  const read: ReadReceiverFile[] = [];
  for (const fileName of receiverFileNames(dir)) {
    const filePath = path.join(dir, fileName);
    const file = forMessages(filePath);
    const name = fileName.replace(RECEIVER_FILE, "");
    filesByName.set(name, [...(filesByName.get(name) ?? []), file]);

    const findings: FileFindings = { problems: [], warnings: [] };
    if (!RECEIVER_NAME.test(name)) {
      findings.problems.push(
        receiverFinding({
          files: [file],
          message:
            `"${name}" cannot name a receiver; rename the file using only letters, digits, "_", "-" and "." ` +
            "(the name goes into the /webhooks/<name>/ parameter paths and resource names)",
        }),
      );
    }
    read.push({
      findings,
      ...readReceiverFile(
        fs.readFileSync(filePath, "utf8"),
        name,
        file,
        readConfig,
        findings,
        options.regions,
      ),
    });
  }

  // A config key holding a URL or credentials serves receivers of one origin.
  const withSecrets = read.flatMap(({ secrets }) => (secrets ? [secrets] : []));
  for (const problem of credentialOriginProblems(withSecrets.map(({ receiver }) => receiver))) {
    withSecrets[problem.receiver].report(problem.fieldPath, problem.message);
  }

  for (const [index, { findings, checkPlaceholders }] of read.entries()) {
    // A value another receiver remembers is never this receiver's.
    const rememberedElsewhere = new Map<string, string>();
    for (const other of read.filter((_, otherIndex) => otherIndex !== index)) {
      for (const [rememberedName, where] of other.remembers) {
        if (!rememberedElsewhere.has(rememberedName)) rememberedElsewhere.set(rememberedName, where);
      }
    }
    checkPlaceholders(rememberedElsewhere);
    // In file order, which is how the user reads them; problems of the whole file (line 0) first.
    problems.push(...inFileOrder(findings.problems));
    warnings.push(...inFileOrder(findings.warnings));
  }
  receivers.push(...read.flatMap(({ receiver }) => (receiver ? [receiver] : [])));

  for (const [name, files] of filesByName) {
    if (files.length > 1) {
      problems.push(
        receiverFinding({ files, message: `these files all name the receiver "${name}"; keep one of them` }),
      );
    }
  }

  if (problems.length > 0) throw new ReceiverConfigError(problems);
  const warningFindings = [...warnings, ...doubledNotices(receivers)];
  return { receivers, warnings: warningFindings.map((warning) => warning.text), warningFindings };
}

function receiverFileNames(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((entry) => RECEIVER_FILE.test(entry) && fs.statSync(path.join(dir, entry)).isFile())
    .sort();
}

interface FileFindings {
  problems: ReceiverFinding[];
  warnings: ReceiverFinding[];
}

/** By line, those about the whole file first. */
function inFileOrder(findings: ReceiverFinding[]): ReceiverFinding[] {
  return findings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** What reading one file gives, beside its findings. */
interface ReadFile {
  /** The receiver, when the file is sound. */
  receiver?: ReceiverDefinition;
  /** The names its actions remember, each with where the first action that does says so. */
  remembers: Map<string, string>;
  /**
   * Judges the placeholders naming no built-in value nor one this receiver remembers, once every file is
   * read: `rememberedElsewhere` holds the names other receivers remember, with where.
   */
  checkPlaceholders(rememberedElsewhere: ReadonlyMap<string, string>): void;
  /** The config keys it names for secrets and where its URLs lead, and how to report on one of them. */
  secrets?: { receiver: ReceiverSecrets; report: Report };
}

interface ReadReceiverFile extends ReadFile {
  findings: FileFindings;
}

const UNREADABLE: ReadFile = { remembers: new Map(), checkPlaceholders: () => undefined };

/** The statuses a receiver with actions hears, and the one each transition falls on. */
const TRANSITION_STATUSES: BuildStatus[] = ["FAILED", "SUCCEEDED"];
export const TRANSITION_STATUS: Record<Transition, BuildStatus> = {
  broken: "FAILED",
  "still-failing": "FAILED",
  fixed: "SUCCEEDED",
};

/** The statuses of a build that failed; FAILED stands for all three in a receiver's statuses. */
const FAILURE_STATUSES: readonly BuildStatus[] = ["FAILED", "FAULT", "TIMED_OUT"];

/**
 * The statuses a receiver is told of, in the order it lists them: each it lists, and with FAILED the
 * builds that timed out or faulted, which failed too.
 */
export function statusesHeard(statuses: readonly BuildStatus[]): BuildStatus[] {
  const heard = statuses.flatMap((status) => (status === "FAILED" ? FAILURE_STATUSES : [status]));
  return [...new Set(heard)];
}

/** Validates one file's text, adding what it finds to `findings`. */
function readReceiverFile(
  source: string,
  name: string,
  file: string,
  readConfig: ReadConfig,
  findings: FileFindings,
  regions?: readonly string[],
): ReadFile {
  const lines = new LineCounter();
  const document = parseDocument(source, { lineCounter: lines, prettyErrors: false });
  const finding = (fieldPath: readonly PropertyKey[], message: string, linePath = fieldPath) =>
    receiverFinding({
      files: [file],
      field: fieldName(visibleFieldPath(fieldPath)) || undefined,
      line: lineOf(document, lines, linePath),
      message,
    });
  const report: Report = (...args) => void findings.problems.push(finding(...args));
  const warn: Report = (...args) => void findings.warnings.push(finding(...args));

  // Later syntax errors are mostly echoes of the first; its fix is what the user needs.
  const [syntaxError] = document.errors;
  if (syntaxError) {
    const { line, col } = lines.linePos(syntaxError.pos[0]);
    const message = yamlSyntaxProblem(syntaxError, source);
    findings.problems.push(
      receiverFinding({ files: [file], line, column: col, message: `not valid YAML: ${message}` }),
    );
    return UNREADABLE;
  }
  if (document.contents === null) {
    findings.problems.push(
      receiverFinding({
        files: [file],
        message: "the file is empty; a receiver needs at least projects, url, and statuses or on",
      }),
    );
    return UNREADABLE;
  }
  const alias = unresolvedAlias(document);
  if (alias) {
    const { line, col } = lines.linePos(alias.offset);
    // The alias's name is never quoted: it may be a pasted secret that happens to start with "*".
    const secret = SECRET_FIELDS.includes(alias.fieldPath[0] as SecretField) || looksLikeSecret(alias.name);
    findings.problems.push(
      receiverFinding({
        files: [file],
        field: fieldName(alias.fieldPath) || undefined,
        line,
        column: col,
        message:
          "not valid YAML: an unquoted * starts a YAML alias, and no anchor (&name) of its name comes before " +
          `it; put the value in quotes${secret ? `; ${PASTED_SECRET}` : ""}`,
      }),
    );
    return UNREADABLE;
  }

  let content: unknown;
  try {
    content = document.toJS();
  } catch {
    // Every alias has its anchor, so the parser stopped them from expanding past its limit.
    findings.problems.push(
      receiverFinding({
        files: [file],
        message: "not valid YAML: its aliases (*name) expand past the parser's limit; write the values out",
      }),
    );
    return UNREADABLE;
  }

  const parsed = receiverFileSchema.safeParse(content);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code !== "unrecognized_keys") {
        report(issue.path, issue.message);
        continue;
      }
      for (const key of issue.keys) {
        // A field's name may be a pasted secret (a URL written as a key): the message then names its parent.
        if (quoteIfHarmless(key) === undefined) {
          const message = `${issue.message}; the field's name is not shown: ${PASTED_SECRET}`;
          report(issue.path, message, [...issue.path, key]);
        } else {
          report([...issue.path, key], issue.message);
        }
      }
    }
  }

  const fields = isRecord(content) ? content : {};
  if (regions) checkRegionsHeard(fields, regions, report);
  const bodyIsJson = checkSecretConfig(fields, readConfig, report);
  const { texts, remembers, rememberedBy } = substitutedTexts(fields);
  const fixedRemembers =
    isRecord(fields.on) && isRecord(fields.on.fixed) ? fields.on.fixed.remember : undefined;
  if (isRecord(fixedRemembers) && Object.keys(fixedRemembers).length > 0) {
    warn(
      ["on", "fixed", "remember"],
      "fixed ends the failure streak, and the next streak remembers afresh: no action can use what fixed " +
        "remembers; remove remember here",
    );
  }
  // Body secrets are known names of the templates; they may not take a name the actions remember.
  const bodySecrets = new Set(
    Object.keys(isRecord(fields.secrets) ? fields.secrets : {}).filter((secret) =>
      PLACEHOLDER_NAME.test(secret),
    ),
  );
  for (const secret of bodySecrets) {
    if (remembers.has(secret)) {
      report(
        ["secrets", secret],
        `${shownPlaceholder(secret)} is also a value ${remembers.get(secret)} remembers; a body secret needs a ` +
          "name of its own",
      );
    }
  }
  for (const { fieldPath, text, in: where } of texts) {
    if (where === "template") checkJsonBody(text, fieldPath, bodyIsJson, report);
    else checkPath(text, fieldPath, report);
  }
  const checkPlaceholders = (rememberedElsewhere: ReadonlyMap<string, string>): void => {
    for (const text of texts) {
      checkPlaceholderNames(text, { remembers, rememberedBy }, rememberedElsewhere, bodySecrets, {
        report,
        warn,
      });
    }
  };
  const read = {
    remembers: new Map(
      [...remembers].map(([rememberedName, action]) => [rememberedName, `${file} (${action}.remember)`]),
    ),
    checkPlaceholders,
    secrets: { receiver: receiverSecrets(fields, file, readConfig), report },
  };

  if (!parsed.success) return read;
  return { ...read, receiver: receiverDefinition(parsed.data, name, file) };
}

/**
 * Every text the notifier substitutes values into, as written: the template, or each action's template
 * and path; and the names the actions remember, each with the first action that does.
 */
function substitutedTexts(fields: Record<string, unknown>): {
  texts: PlaceholderText[];
  remembers: Map<string, string>;
  rememberedBy: Map<string, Transition[]>;
} {
  const texts: PlaceholderText[] = [];
  const remembers = new Map<string, string>();
  const rememberedBy = new Map<string, Transition[]>();
  if (typeof fields.template === "string") {
    texts.push({ fieldPath: ["template"], text: fields.template, in: "template" });
  }
  const actions = isRecord(fields.on) ? fields.on : {};
  for (const transition of TRANSITIONS) {
    const action = actions[transition];
    if (!isRecord(action)) continue;
    for (const field of ["template", "path"] as const) {
      const text = action[field];
      if (typeof text === "string") texts.push({ fieldPath: ["on", transition, field], text, in: field });
    }
    for (const name of Object.keys(isRecord(action.remember) ? action.remember : {})) {
      const usable = PLACEHOLDER_NAME.test(name) && !Object.hasOwn(BUILT_IN_PLACEHOLDERS, name);
      if (!usable) continue;
      if (!remembers.has(name)) remembers.set(name, `on.${transition}`);
      rememberedBy.set(name, [...(rememberedBy.get(name) ?? []), transition]);
    }
  }
  return { texts, remembers, rememberedBy };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The receiver a sound file declares. */
function receiverDefinition(receiver: ReceiverFile, name: string, file: string): ReceiverDefinition {
  const actions: Partial<Record<Transition, ReceiverAction>> = {};
  for (const transition of TRANSITIONS) {
    const action = receiver.on?.[transition];
    if (action === undefined) continue;
    actions[transition] = {
      template: action.template,
      ...(action.path === undefined ? {} : { path: action.path }),
      // An action without a method of its own takes the receiver's.
      method: action.method ?? receiver.method,
      ...(action.remember === undefined ? {} : { remember: action.remember }),
    };
  }
  return {
    name,
    file,
    projects: receiver.projects,
    // The schema asks for statuses unless the receiver declares actions.
    statuses: receiver.on ? [...TRANSITION_STATUSES] : (receiver.statuses ?? []),
    method: receiver.method,
    ...(receiver.template === undefined ? {} : { template: receiver.template }),
    urlConfigKey: receiver.url.secret,
    ...(receiver.headers === undefined ? {} : { headersConfigKey: receiver.headers.secret }),
    ...(receiver.signingSecret === undefined
      ? {}
      : { signingSecretConfigKey: receiver.signingSecret.secret }),
    ...(receiver.oauth === undefined
      ? {}
      : {
          oauth: {
            tokenUrlConfigKey: receiver.oauth.tokenUrl.secret,
            clientIdConfigKey: receiver.oauth.clientId.secret,
            clientSecretConfigKey: receiver.oauth.clientSecret.secret,
            ...(receiver.oauth.scope === undefined ? {} : { scope: receiver.oauth.scope }),
            ...(receiver.oauth.audience === undefined ? {} : { audience: receiver.oauth.audience }),
            clientAuth: receiver.oauth.clientAuth,
          },
        }),
    ...(receiver.secrets === undefined
      ? {}
      : {
          bodySecretConfigKeys: Object.fromEntries(
            Object.entries(receiver.secrets).map(([name, reference]) => [name, reference.secret]),
          ),
        }),
    onlyOnChange: receiver.onlyOnChange ?? false,
    ...(receiver.on ? { actions } : {}),
    ...(receiver.accounts ? { accounts: receiver.accounts } : {}),
    ...(receiver.regions ? { regions: receiver.regions } : {}),
  };
}

/**
 * A region no build reaches the stack from could never match: only the stack's own region and its
 * spokes' forward builds to it.
 */
function checkRegionsHeard(fields: Record<string, unknown>, heard: readonly string[], report: Report): void {
  if (!Array.isArray(fields.regions)) return;
  fields.regions.forEach((region, index) => {
    if (typeof region === "string" && REGION.test(region) && !heard.includes(region)) {
      report(
        ["regions", index],
        `no build of ${region} reaches this stack, so the receiver would never hear of one there; the ` +
          `stack hears of ${heard.join(", ")} (its own region and its spokes'): add a spoke for ${region} ` +
          "(docs/organization.md) or remove it here",
      );
    }
  });
}

/** Reports a finding on a field; its line is that of `linePath` when the field's own name is not shown. */
type Report = (fieldPath: readonly PropertyKey[], message: string, linePath?: readonly PropertyKey[]) => void;

/**
 * The parser's own words, unless they quote the file: its messages about an escape sequence, a tag, a
 * directive or a block scalar header repeat it as written, and the file may hold a pasted secret there.
 * Those are said otherwise. (Its other messages quote one indicator character at most.)
 */
function yamlSyntaxProblem(error: YAMLError, source: string): string {
  if (error.code === "MULTIPLE_DOCS") {
    return 'a second YAML document ("---") starts here; a file holds one receiver';
  }
  if (error.code === "BAD_ALIAS" && source.slice(...error.pos).trim() === EVERY_PROJECT) {
    return 'an unquoted * starts a YAML alias; write every project as "*" in quotes: projects: ["*"]';
  }
  if (error.code === "BAD_DQ_ESCAPE") {
    return 'an invalid escape sequence in a "double-quoted" string; write a backslash as \\\\, or put the value in single quotes';
  }
  if (error.code === "TAG_RESOLVE_FAILED") {
    return 'a YAML tag ("!" and a name) that cannot be resolved; receiver files need no tags: remove it';
  }
  if (error.code === "BAD_DIRECTIVE") {
    return 'a YAML directive (a line starting with "%") that cannot be used; remove it';
  }
  if (error.message.startsWith("Block scalar header includes extra characters")) {
    return "text after the | or > that starts a block scalar; the text starts on the next line, indented";
  }
  return error.message;
}

/** The first alias (`*name`) without an anchor (`&name`) before it, where it stands. */
function unresolvedAlias(
  document: Document,
): { name: string; offset: number; fieldPath: readonly PropertyKey[] } | undefined {
  let found: { name: string; offset: number; fieldPath: readonly PropertyKey[] } | undefined;
  visit(document, {
    Alias(_key, alias, ancestors) {
      if (alias.resolve(document)) return undefined;
      const fieldPath: PropertyKey[] = [];
      [...ancestors, alias].forEach((node, index, chain) => {
        const child = chain[index + 1];
        if (isPair(node) && isScalar(node.key) && child === node.value) {
          fieldPath.push(String(node.key.value));
        } else if (isSeq(node)) {
          fieldPath.push(node.items.indexOf(child as never));
        }
      });
      found = { name: alias.source, offset: alias.range?.[0] ?? 0, fieldPath: visibleFieldPath(fieldPath) };
      return visit.BREAK;
    },
  });
  return found;
}

/** The config key a well-formed `{ secret: <key> }` at `fieldPath` names. */
function referencedKey(fields: Record<string, unknown>, fieldPath: readonly string[]): string | undefined {
  let reference: unknown = fields;
  for (const key of fieldPath) reference = isRecord(reference) ? reference[key] : undefined;
  const key = isRecord(reference) ? reference.secret : undefined;
  return typeof key === "string" && CONFIG_KEY.test(key) ? key : undefined;
}

/**
 * The config keys a file names for its secrets, each set, and the origins its URL and OAuth token URL
 * have by their config: what the rule of one origin per key is judged on.
 */
function receiverSecrets(
  fields: Record<string, unknown>,
  file: string,
  readConfig: ReadConfig,
): ReceiverSecrets {
  const oauthFields = isRecord(fields.oauth) ? ["tokenUrl", "clientId", "clientSecret"] : [];
  const secretPaths = [
    ...["url", "headers", "signingSecret"].map((field) => [field]),
    ...oauthFields.map((field) => ["oauth", field]),
    ...Object.keys(isRecord(fields.secrets) ? fields.secrets : {}).map((name) => ["secrets", name]),
  ];
  const uses: SecretKeyUse[] = [];
  for (const fieldPath of secretPaths) {
    const key = referencedKey(fields, fieldPath);
    if (key === undefined || readConfig(key) === undefined) continue;
    const field = fieldName(visibleFieldPath(fieldPath));
    uses.push({ key, field, fieldPath: [...fieldPath, "secret"], oauth: fieldPath[0] === "oauth" });
  }
  const originOfConfig = (fieldPath: readonly string[]) => {
    const key = referencedKey(fields, fieldPath);
    return originOf(key === undefined ? undefined : readConfig(key)?.value);
  };
  return {
    file,
    uses,
    origin: originOfConfig(["url"]),
    ...(oauthFields.length > 0 ? { tokenOrigin: originOfConfig(["oauth", "tokenUrl"]) } : {}),
  };
}

/** The fields that hold secrets (or, for oauth and secrets, references to them). */
const SECRET_FIELDS = ["url", "headers", "signingSecret", "oauth", "secrets"] as const;
type SecretField = (typeof SECRET_FIELDS)[number];

/**
 * Checks the config each secret field names: set, set as a secret, and a value the notifier can use.
 * The checks run on whatever references are well formed, so that one pass reports everything. Returns
 * whether the body is JSON, as the notifier will judge it; undefined when the headers cannot tell.
 */
function checkSecretConfig(
  fields: Record<string, unknown>,
  readConfig: ReadConfig,
  report: Report,
): boolean | undefined {
  /** The config a `{ secret: <key> }` at `fieldPath` names, when it is well formed, set and readable. */
  const configOf = (fieldPath: readonly string[]): { key: string; value: string } | undefined => {
    const key = referencedKey(fields, fieldPath);
    if (key === undefined) return undefined;
    const config = readConfig(key);
    if (config === undefined) {
      report([...fieldPath, "secret"], notSetProblem(fieldPath.join("."), key));
      return undefined;
    }
    if (!config.secret) report([...fieldPath, "secret"], plainTextProblem(key));
    return config.value === undefined ? undefined : { key, value: config.value };
  };
  const check = (
    fieldPath: readonly string[],
    problem: (key: string, value: string) => string | undefined,
  ) => {
    const config = configOf(fieldPath);
    const issue = config && problem(config.key, config.value);
    if (issue) report([...fieldPath, "secret"], issue);
  };

  const oauth = isRecord(fields.oauth);
  check(
    ["url"],
    (key, value) => urlProblem(key, value) ?? (oauth ? oauthUrlProblem(key, value, "url") : undefined),
  );
  check(["signingSecret"], signingSecretProblem);
  if (oauth) {
    check(
      ["oauth", "tokenUrl"],
      (key, value) => urlProblem(key, value) ?? oauthUrlProblem(key, value, "tokenUrl"),
    );
    check(["oauth", "clientId"], plainSecretProblem);
    check(["oauth", "clientSecret"], plainSecretProblem);
  }
  for (const name of Object.keys(isRecord(fields.secrets) ? fields.secrets : {})) {
    check(["secrets", name], plainSecretProblem);
  }
  if (fields.headers === undefined) return true;
  const headersConfig = configOf(["headers"]);
  if (headersConfig === undefined) return undefined;
  const headers = parseHeaders(headersConfig.key, headersConfig.value);
  if (typeof headers === "string") {
    report(["headers", "secret"], headers);
    return undefined;
  }
  // The notifier's own rule decides whether the body is JSON.
  return isJsonBody(headers);
}

function setCommand(key: string, value = "<value>"): string {
  return `pulumi config set --secret ${CONFIG_NAMESPACE}:${key} ${value}`;
}

/** A command that sets a new secret of 64 random bytes; openssl wraps base64 at 64 characters, tr unwraps it. */
const NEW_SIGNING_SECRET = `"whsec_$(openssl rand -base64 64 | tr -d '\\n')"`;

/** What preview says of a secret a receiver names at `field` that the stack does not set. */
export function notSetProblem(field: string, key: string): string {
  // A value pasted where the key belongs can pass for a key name, and must not be repeated.
  if (looksLikeSecret(key)) return `the config key named here is not set; ${PASTED_SECRET}`;
  return `${configName(key)} is not set; run: ${setCommand(key, field === "signingSecret" ? NEW_SIGNING_SECRET : undefined)}`;
}

/** What preview says of a secret a receiver names that the stack sets without --secret. */
export function plainTextProblem(key: string): string {
  return (
    `${configName(key)} is set without --secret, so its value is stored in plain text in the stack's ` +
    `Pulumi.<stack>.yaml; set it again as a secret: ${setCommand(key)}`
  );
}

function urlProblem(key: string, value: string): string | undefined {
  if (!URL.canParse(value) || !["http:", "https:"].includes(new URL(value).protocol)) {
    return `${configName(key)} is not an absolute http(s) URL; set it again: ${setCommand(key)}`;
  }
  return undefined;
}

/**
 * The token URL gets the client secret, the receiver's URL the bearer token: both https, as the notifier
 * requires (http only to a loopback address, which never leaves the machine).
 */
function oauthUrlProblem(key: string, value: string, field: "url" | "tokenUrl"): string | undefined {
  if (isSecureUrl(value)) return undefined;
  const carries =
    field === "tokenUrl"
      ? "the client secret goes to the token endpoint"
      : "the bearer token goes to the receiver";
  return (
    `${configName(key)} is an http URL; ${carries}, so a receiver with oauth takes https only (RFC 6749 ` +
    `requires TLS; http only to a loopback address): set it again: ${setCommand(key)}`
  );
}

/** A client ID, client secret or body secret: a value on one line. */
function plainSecretProblem(key: string, value: string): string | undefined {
  if (value === "") return `${configName(key)} is empty; set it again: ${setCommand(key)}`;
  if (/[\r\n]/.test(value)) {
    return `${configName(key)} has a line break inside; set it again, on one line: ${setCommand(key)}`;
  }
  return undefined;
}

/** Standard Webhooks secrets: "whsec_" and padded standard base64, which every verifier library decodes. */
const SIGNING_SECRET = /^whsec_((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)$/;
/** The Standard Webhooks specification asks for secrets of 24 to 64 bytes. */
const MIN_SIGNING_KEY_BYTES = 24;

/**
 * One secret, or several separated by whitespace while a secret is rotated (the notifier signs with
 * each). The message says which one is wrong by its position, never by its value.
 */
function signingSecretProblem(key: string, value: string): string | undefined {
  const config = configName(key);
  const setAgain = `set it again: ${setCommand(key, NEW_SIGNING_SECRET)}`;
  // [secret, separator, secret, ...]: a line break followed by anything but another secret is a wrapped one.
  const parts = value.trim().split(/(\s+)/);
  const wrapped = parts.some(
    (part, index) =>
      index % 2 === 0 && index > 0 && /[\r\n]/.test(parts[index - 1]) && !part.startsWith("whsec_"),
  );
  if (wrapped) {
    return (
      `${config} has a line break inside a secret (openssl rand -base64 writes lines of 64 characters; ` +
      `tr -d '\\n' joins them); ${setAgain}`
    );
  }
  const secrets = parts.filter((_, index) => index % 2 === 0);
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

/**
 * The headers config as an object, or the problem with it: judged as the notifier judges it, and by
 * the rules of HTTP, which Node.js applies when the notifier sends the request. Header names are values
 * too: the message names neither.
 */
function parseHeaders(key: string, value: string): Record<string, string> | string {
  const headers = parseHeadersParameter(value);
  const lineBreak =
    `${configName(key)} has a line break inside a header value (GNU base64 writes lines of 76 characters: ` +
    `encode with base64 -w0); set it again: ${setCommand(key)}`;
  if (headers instanceof Error) {
    // A line break is all that stops it being JSON: a value encoded without -w0.
    if (/[\r\n]/.test(value) && !(parseHeadersParameter(value.replace(/[\r\n]/g, "")) instanceof Error)) {
      return lineBreak;
    }
    const expected = `it must be a JSON object of header names to string values, e.g. {"Authorization": "Bearer <token>"}`;
    return `${configName(key)} ${headers.message}; ${expected}`;
  }
  for (const [name, headerValue] of Object.entries(headers)) {
    if (/[\r\n]/.test(headerValue)) return lineBreak;
    try {
      validateHeaderName(name);
      validateHeaderValue(name, headerValue);
    } catch {
      return `${configName(key)} has a header name or value with a character HTTP does not allow; set it again: ${setCommand(key)}`;
    }
  }
  return headers;
}

/** A template, as JSON when the body is JSON (without a readable headers config the format is unknown). */
function checkJsonBody(
  template: string,
  fieldPath: readonly PropertyKey[],
  bodyIsJson: boolean | undefined,
  report: Report,
): void {
  const jsonError = bodyIsJson ? findJsonSyntaxError(template) : undefined;
  if (jsonError) {
    report(
      fieldPath,
      `not valid JSON at line ${jsonError.line}, column ${jsonError.column} of the template: ${jsonError.problem}`,
    );
  }
}

/**
 * What a URL path takes as written (RFC 3986: unreserved and sub-delimiter characters, ":", "@", "/"),
 * and "?" and "#", which the schema reports on their own.
 */
const URL_PATH = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#]|%[0-9A-Fa-f]{2})*$/;

/**
 * An action's path, placeholders aside: the notifier percent-encodes what it substitutes, not the rest.
 * What is written must keep the request below the receiver URL's path, whatever the values (each stands
 * for one ordinary segment here; a value that makes a dot segment is refused when the action is sent).
 */
function checkPath(urlPath: string, fieldPath: readonly PropertyKey[], report: Report): void {
  const names = renderTemplate(urlPath, {}, "text").unknownNames;
  const withValues = (value: string) =>
    renderTemplate(urlPath, Object.fromEntries(names.map((name) => [name, value])), "path").body;
  const escape = actionPathEscape(withValues("x"));
  if (escape) {
    report(fieldPath, escape);
  } else if (!URL_PATH.test(withValues(""))) {
    report(
      fieldPath,
      'holds a character a URL path takes only percent-encoded (a space, a quote, "{", a "%" not followed ' +
        "by two hex digits...); write it encoded, e.g. %20 for a space",
    );
  }
}

/** A text the notifier substitutes values into, and where it is. */
interface PlaceholderText {
  fieldPath: readonly PropertyKey[];
  text: string;
  in: "template" | "path";
}

/**
 * The placeholders of a template or path that name neither a built-in value nor one the receiver's
 * actions remember. In a template such a name may be a build variable, which only the build knows: a
 * warning, unless it can never be filled (a value another receiver remembers, or a mistyped remembered
 * name). A path takes no build variable, as build variables never reach a URL: there it is a problem.
 */
function checkPlaceholderNames(
  { fieldPath, text, in: where }: PlaceholderText,
  {
    remembers,
    rememberedBy,
  }: { remembers: ReadonlyMap<string, string>; rememberedBy: ReadonlyMap<string, readonly Transition[]> },
  rememberedElsewhere: ReadonlyMap<string, string>,
  bodySecrets: ReadonlySet<string>,
  { report, warn }: { report: Report; warn: Report },
): void {
  const hasActions = fieldPath[0] === "on";
  const own = [...remembers.keys()];
  const shownOwn = own.filter((known) => !looksLikeSecret(known));
  const builtIn = Object.fromEntries(BUILT_IN_PLACEHOLDER_NAMES.map((name) => [name, ""]));
  // The notifier's own renderer finds the names, so `$$`, `${NAME}` and the rest read as it reads them.
  for (const name of renderTemplate(text, builtIn, "text").unknownNames) {
    const shown = shownPlaceholder(name);
    const at =
      where === "path"
        ? `${shown} in the path`
        : `${shown} at line ${placeholderLine(text, name)} of the template`;
    if (bodySecrets.has(name)) {
      if (where === "path") {
        report(
          fieldPath,
          `${at} is a body secret (${looksLikeSecret(name) ? "under secrets" : `secrets.${name}`}); secrets ` +
            "reach bodies only, never a URL, where proxies and servers log them: put it in the template",
        );
      }
      continue;
    }
    if (remembers.has(name)) {
      checkRememberedName(at, rememberedBy.get(name) ?? [], { fieldPath, where }, { report, warn });
      continue;
    }
    const elsewhere = rememberedElsewhere.get(name);
    if (elsewhere !== undefined) {
      report(
        fieldPath,
        `${at} is remembered by ${elsewhere}, not by an action of this receiver; remembered values belong ` +
          "to the receiver that remembered them, so it could never be filled here",
      );
      continue;
    }
    // A remembered name that looks like a secret is never suggested, as it would be shown.
    const nearest = nearestName(name, [...BUILT_IN_PLACEHOLDER_NAMES, ...shownOwn]);
    const didYouMean =
      nearest === undefined
        ? ""
        : Object.hasOwn(BUILT_IN_PLACEHOLDERS, nearest)
          ? ` (did you mean $${nearest}, ${BUILT_IN_PLACEHOLDERS[nearest as keyof typeof BUILT_IN_PLACEHOLDERS]}?)`
          : ` (did you mean $${nearest}, which ${remembers.get(nearest)} remembers?)`;
    const rememberedNames =
      own.length === 0
        ? "no action of this receiver remembers a value (remember: { NAME: field } keeps one from an answer)"
        : `its actions remember ${rememberedList(shownOwn, own.length - shownOwn.length, remembers)}`;
    if (where === "path") {
      report(
        fieldPath,
        `${at} is neither a built-in placeholder nor a value an action of this receiver remembers` +
          `${didYouMean}; ${rememberedNames}; build variables never reach a URL, so it could never be filled`,
      );
    } else if (nearest !== undefined && remembers.has(nearest)) {
      report(
        fieldPath,
        `${at} is not a value an action of this receiver remembers${didYouMean}; as written it could never ` +
          "be filled",
      );
    } else {
      warn(
        fieldPath,
        `${at} is ${hasActions ? "neither a built-in placeholder nor a value this receiver remembers" : "not a built-in placeholder"}` +
          `${didYouMean}; unless the build sets a variable of that name it is sent as written (write $$ for a literal $)`,
      );
    }
  }
}

/**
 * A remembered value named in an action: each streak remembers afresh, from the answers to its own
 * actions: broken's (which opens it), then each still-failing's; fixed ends it, and what it remembers
 * with it. So broken can use no remembered value, nothing can use one only fixed remembers, and one only
 * still-failing remembers is missing for the first still-failing of a streak and for the fix of a
 * streak of one failed build (the path is then not sent, the template sent with it as written).
 */
function checkRememberedName(
  at: string,
  rememberedBy: readonly Transition[],
  { fieldPath, where }: { fieldPath: readonly PropertyKey[]; where: "template" | "path" },
  { report, warn }: { report: Report; warn: Report },
): void {
  const transition = fieldPath[1] as Transition;
  if (transition === "broken") {
    report(
      fieldPath,
      `${at} is a value on.${rememberedBy[0]} remembers from an answer, and broken opens the failure ` +
        "streak: nothing of the streak is remembered yet when it is sent, so it could never be filled here",
    );
  } else if (rememberedBy.every((rememberer) => rememberer === "fixed")) {
    report(
      fieldPath,
      `${at} is a value only on.fixed remembers from an answer, and fixed ends the failure streak, whose ` +
        "remembered values end with it: it could never be filled here",
    );
  } else if (!rememberedBy.includes("broken")) {
    const without =
      transition === "still-failing"
        ? "the first still-failing of each streak"
        : "the fix of a streak without a still-failing (a single failed build)";
    warn(
      fieldPath,
      `${at} is a value only on.still-failing remembers from an answer, so ${without} has none: for it, ` +
        (where === "path" ? "the action is not sent" : "the placeholder is sent as written"),
    );
  }
}

/** `$JIRA_ISSUE (on.broken), $ALERT (on.broken) and 1 name that looks like a secret (not shown)`. */
function rememberedList(
  shown: readonly string[],
  hidden: number,
  remembers: ReadonlyMap<string, string>,
): string {
  const listed = shown.map((known) => `$${known} (${remembers.get(known)})`).join(", ");
  if (hidden === 0) return listed;
  const notShown =
    hidden === 1 ? "1 name that looks like a secret" : `${hidden} names that look like secrets`;
  return `${listed === "" ? "" : `${listed} and `}${notShown} (not shown)`;
}

/** The template line where `$name` or `${name}` first stands as a placeholder (not after `$$`). */
function placeholderLine(template: string, name: string): number {
  const occurrence = new RegExp(`\\$\\$|\\$(?:${name}(?![A-Za-z0-9_])|\\{${name}\\})`, "g");
  for (const match of template.matchAll(occurrence)) {
    if (match[0] !== "$$") return template.slice(0, match.index).split("\n").length;
  }
  return 1;
}

/**
 * Two receivers that send to the URL in the same config key, for the same builds, send each such notice
 * twice: what happens when a preset is copied beside the shipped receiver of the same service. A receiver
 * with actions sends for the builds its transitions fall on: those are named by their transitions.
 */
function doubledNotices(receivers: readonly ReceiverDefinition[]): ReceiverFinding[] {
  const warnings: ReceiverFinding[] = [];
  receivers.forEach((first, index) => {
    for (const second of receivers.slice(index + 1)) {
      if (first.urlConfigKey !== second.urlConfigKey) continue;
      // Filters that leave no build in common: one hears of some accounts or regions, the other of others.
      const disjoint = (a?: string[], b?: string[]) =>
        a !== undefined && b !== undefined && !a.some((x) => b.includes(x));
      if (disjoint(first.accounts, second.accounts) || disjoint(first.regions, second.regions)) continue;
      const projects = first.projects.includes(EVERY_PROJECT)
        ? second.projects
        : second.projects.includes(EVERY_PROJECT)
          ? first.projects
          : first.projects.filter((project) => second.projects.includes(project));
      if (projects.length === 0) continue;
      const ofProjects = projects.includes(EVERY_PROJECT) ? "every project" : projects.join(", ");
      const builds = doubledBuilds(first, second, ofProjects);
      if (builds === undefined) continue;
      warnings.push(
        receiverFinding({
          files: [first.file, second.file],
          message:
            `both send to the URL in ${configName(first.urlConfigKey)}, so each ${builds} is notified twice; ` +
            "delete one of the files, or give one its own secret keys",
        }),
      );
    }
  });
  return warnings;
}

/**
 * The builds of `ofProjects` both receivers send for, if any: `FAILED, SUCCEEDED build of my-app`, or by
 * transitions, `broken, fixed build of my-app`. FAILED names the timed-out and faulted builds with it; a
 * receiver of statuses that hears only some failed builds (TIMED_OUT, FAULT) doubles a transition's
 * notice for those only, and the phrase says so.
 */
function doubledBuilds(
  first: ReceiverDefinition,
  second: ReceiverDefinition,
  ofProjects: string,
): string | undefined {
  const transitionsOf = (receiver: ReceiverDefinition): Transition[] =>
    TRANSITIONS.filter((transition) => receiver.actions?.[transition] !== undefined);
  if (!first.actions && !second.actions) {
    const heard = statusesHeard(second.statuses);
    const both = statusesHeard(first.statuses).filter((status) => heard.includes(status));
    const named = both.includes("FAILED")
      ? both.filter((status) => status === "FAILED" || !FAILURE_STATUSES.includes(status))
      : both;
    return named.length === 0 ? undefined : `${named.join(", ")} build of ${ofProjects}`;
  }
  if (first.actions && second.actions) {
    const both = transitionsOf(first).filter((transition) => second.actions?.[transition] !== undefined);
    return both.length === 0 ? undefined : `${both.join(", ")} build of ${ofProjects}`;
  }
  const [withActions, withStatuses] = first.actions ? [first, second] : [second, first];
  const heard = statusesHeard(withStatuses.statuses);
  const whole: Transition[] = [];
  const partly: Transition[] = [];
  const failedEndings = FAILURE_STATUSES.filter((status) => heard.includes(status));
  for (const transition of transitionsOf(withActions)) {
    const status = TRANSITION_STATUS[transition];
    if (heard.includes(status)) whole.push(transition);
    else if (status === "FAILED" && failedEndings.length > 0) partly.push(transition);
  }
  const endings = `that ends ${failedEndings.join(" or ")}`;
  if (partly.length === 0) {
    return whole.length === 0 ? undefined : `${whole.join(", ")} build of ${ofProjects}`;
  }
  return whole.length === 0
    ? `${partly.join(", ")} build of ${ofProjects} ${endings}`
    : `${whole.join(", ")} build of ${ofProjects}, and each ${partly.join(", ")} one ${endings},`;
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

/**
 * The part of a field path a message may show: up to the first key that may be a pasted secret. The names
 * of `secrets` and of an action's `remember` are the user's own: one is shown only when it is a
 * placeholder name (the pattern it must match) that does not look like a secret. Any other key is shown
 * unless it looks like a secret. The message's line still points at the whole path.
 */
function visibleFieldPath(fieldPath: readonly PropertyKey[]): readonly PropertyKey[] {
  const hidden = fieldPath.findIndex((key, index) => {
    if (typeof key !== "string") return false;
    const named =
      (index === 1 && fieldPath[0] === "secrets") ||
      (index === 3 && fieldPath[0] === "on" && fieldPath[2] === "remember");
    return quoteIfHarmless(key) === undefined || (named && !PLACEHOLDER_NAME.test(key));
  });
  return hidden < 0 ? fieldPath : fieldPath.slice(0, hidden);
}

/** `statuses[1]`, `url.secret`: the field as the user would point at it. */
function fieldName(fieldPath: readonly PropertyKey[]): string {
  return fieldPath.reduce<string>(
    (name, key) =>
      typeof key === "number" ? `${name}[${key}]` : name === "" ? String(key) : `${name}.${String(key)}`,
    "",
  );
}
