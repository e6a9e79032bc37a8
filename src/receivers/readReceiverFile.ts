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
import { EVERY_PROJECT } from "../shared/registryFormat";
import {
  fieldName,
  receiverFinding,
  visibleFieldPath,
  type FieldFinding,
  type ReceiverFinding,
} from "./receiverFinding";
import { looksLikeSecret, PASTED_SECRET } from "./secretLikeText";

/** A receiver file read as YAML: its content, and how to point a finding at a field's line. */
export interface ReadReceiverFile {
  /** The content as written: anything YAML can hold, which the schema then judges. */
  content: unknown;
  /** A finding on a field of the file, at the field's line. */
  finding: FieldFinding;
}

/** The fields that hold secrets (or, for oauth and secrets, references to them). */
const SECRET_FIELDS = ["url", "headers", "signingSecret", "oauth", "secrets"] as const;
type SecretField = (typeof SECRET_FIELDS)[number];

/**
 * Reads one file's text as YAML, with line numbers. A file that is not YAML, is empty, or has an alias that
 * cannot be resolved or expanded gets one problem, and no content: what follows would be echoes of it.
 */
export function readReceiverFile(
  source: string,
  file: string,
  problems: ReceiverFinding[],
): ReadReceiverFile | undefined {
  const lines = new LineCounter();
  const document = parseDocument(source, { lineCounter: lines, prettyErrors: false });
  const problem = yamlProblem(document, lines, source, file);
  if (problem) {
    problems.push(problem);
    return undefined;
  }
  let content: unknown;
  try {
    content = document.toJS();
  } catch {
    // Every alias has its anchor, so the parser stopped them from expanding past its limit.
    problems.push(
      receiverFinding({
        files: [file],
        message: "not valid YAML: its aliases (*name) expand past the parser's limit; write the values out",
      }),
    );
    return undefined;
  }
  const finding: FieldFinding = (fieldPath, message, linePath = fieldPath) =>
    receiverFinding({
      files: [file],
      field: fieldName(visibleFieldPath(fieldPath)) || undefined,
      line: lineOf(document, lines, linePath),
      message,
    });
  return { content, finding };
}

/** What stops the document from being read: a syntax error, no content, or an alias without its anchor. */
function yamlProblem(
  document: Document,
  lines: LineCounter,
  source: string,
  file: string,
): ReceiverFinding | undefined {
  // Later syntax errors are mostly echoes of the first; its fix is what the user needs.
  const [syntaxError] = document.errors;
  if (syntaxError) {
    const { line, col } = lines.linePos(syntaxError.pos[0]);
    const message = yamlSyntaxProblem(syntaxError, source);
    return receiverFinding({ files: [file], line, column: col, message: `not valid YAML: ${message}` });
  }
  if (document.contents === null) {
    return receiverFinding({
      files: [file],
      message: "the file is empty; a receiver needs at least projects, url, and statuses or on",
    });
  }
  const alias = unresolvedAlias(document);
  if (!alias) return undefined;
  const { line, col } = lines.linePos(alias.offset);
  // The alias's name is never quoted: it may be a pasted secret that happens to start with "*".
  const secret = SECRET_FIELDS.includes(alias.fieldPath[0] as SecretField) || looksLikeSecret(alias.name);
  return receiverFinding({
    files: [file],
    field: fieldName(alias.fieldPath) || undefined,
    line,
    column: col,
    message:
      "not valid YAML: an unquoted * starts a YAML alias, and no anchor (&name) of its name comes before " +
      `it; put the value in quotes${secret ? `; ${PASTED_SECRET}` : ""}`,
  });
}

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

/** A YAML mapping's content; anything else reads as no fields. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
