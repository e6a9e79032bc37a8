import { checkSchema, receiverDefinition } from "./checkSchema";
import { credentialOriginProblems, type ReceiverSecrets } from "./credentialOrigins";
import { doubledNotices } from "./doubledNotices";
import { checkPlaceholders } from "./placeholderChecks";
import { isRecord, readReceiverFile } from "./readReceiverFile";
import type { ReceiverDefinition } from "./receiverDefinition";
import { receiverFiles, sameNameProblems, type ReceiverSource } from "./receiverFiles";
import {
  inFileOrder,
  ReceiverConfigError,
  type FileFindings,
  type ReceiverFinding,
  type Report,
} from "./receiverFinding";
import { checkRegionsHeard } from "./regionsHeard";
import { checkSecretConfig, type ReadConfig } from "./secretConfig";
import { receiverSecrets } from "./secretKeyUses";
import { checkTemplatesAndPaths, type ReceiverTexts } from "./templateChecks";

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
 * Each file goes through the stages in turn (read as YAML, the schema, its secrets against the stack's
 * config, its templates and paths); then the checks across receivers run: the origins a config key
 * serves, the placeholders naming what another receiver remembers, files of one name, doubled notices.
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
  const files = receiverFiles(dir, options.relativeTo ?? process.cwd());
  const checked = files.map((file) => checkReceiverFile(file, readConfig, options.regions));

  // A config key holding a URL or credentials serves receivers of one origin.
  const readable = checked.flatMap(({ read }) => (read ? [read] : []));
  for (const problem of credentialOriginProblems(readable.map(({ secrets }) => secrets))) {
    readable[problem.receiver].report(problem.fieldPath, problem.message);
  }

  const problems: ReceiverFinding[] = [];
  const warnings: ReceiverFinding[] = [];
  for (const [index, { findings, read }] of checked.entries()) {
    if (read) checkPlaceholders(read.texts, rememberedElsewhere(checked, index), read);
    // In file order, which is how the user reads them; problems of the whole file (line 0) first.
    problems.push(...inFileOrder(findings.problems));
    warnings.push(...inFileOrder(findings.warnings));
  }
  problems.push(...sameNameProblems(files));

  if (problems.length > 0) throw new ReceiverConfigError(problems);
  const receivers = checked.flatMap(({ receiver }) => (receiver ? [receiver] : []));
  const warningFindings = [...warnings, ...doubledNotices(receivers)];
  return { receivers, warnings: warningFindings.map((warning) => warning.text), warningFindings };
}

/** One file after its own stages: what they found, and what the checks across receivers need of it. */
export interface CheckedReceiverFile {
  findings: FileFindings;
  /** The receiver, when the file is sound. */
  receiver?: ReceiverDefinition;
  /** The names its actions remember, each with where the first action that does says so. */
  remembers: ReadonlyMap<string, string>;
  /** When the file could be read: what the checks across receivers judge, and how they report on it. */
  read?: {
    texts: ReceiverTexts;
    /** The config keys it names for secrets, and where its URLs lead. */
    secrets: ReceiverSecrets;
    report: Report;
    warn: Report;
  };
}

/** Runs one file through the stages of its own: read as YAML, the schema, its secrets, its templates. */
export function checkReceiverFile(
  { name, file, source, nameProblem }: ReceiverSource,
  readConfig: ReadConfig,
  regions?: readonly string[],
): CheckedReceiverFile {
  const findings: FileFindings = { problems: nameProblem ? [nameProblem] : [], warnings: [] };
  const read = readReceiverFile(source, file, findings.problems);
  if (!read) return { findings, remembers: new Map() };
  const report: Report = (...args) => void findings.problems.push(read.finding(...args));
  const warn: Report = (...args) => void findings.warnings.push(read.finding(...args));

  const parsed = checkSchema(read.content, report);
  const fields = isRecord(read.content) ? read.content : {};
  if (regions) checkRegionsHeard(fields, regions, report);
  const bodyIsJson = checkSecretConfig(fields, readConfig, report);
  const texts = checkTemplatesAndPaths(fields, bodyIsJson, { report, warn });
  return {
    findings,
    ...(parsed ? { receiver: receiverDefinition(parsed, name, file) } : {}),
    remembers: new Map(
      [...texts.remembers].map(([rememberedName, action]) => [
        rememberedName,
        `${file} (${action}.remember)`,
      ]),
    ),
    read: { texts, secrets: receiverSecrets(fields, file, readConfig), report, warn },
  };
}

/** The names the other files' actions remember, each with where: a value another receiver remembers is never this one's. */
function rememberedElsewhere(
  checked: readonly CheckedReceiverFile[],
  index: number,
): ReadonlyMap<string, string> {
  const elsewhere = new Map<string, string>();
  for (const other of checked.filter((_, otherIndex) => otherIndex !== index)) {
    for (const [rememberedName, where] of other.remembers) {
      if (!elsewhere.has(rememberedName)) elsewhere.set(rememberedName, where);
    }
  }
  return elsewhere;
}
