import { RunError } from "@pulumi/pulumi/errors";
import { PLACEHOLDER_NAME } from "./schemaValues";
import { quoteIfHarmless } from "./secretLikeText";

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

export function receiverFinding(parts: Omit<ReceiverFinding, "text">): ReceiverFinding {
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

/** What the checks of one file found. */
export interface FileFindings {
  problems: ReceiverFinding[];
  warnings: ReceiverFinding[];
}

/** By line, those about the whole file first. */
export function inFileOrder(findings: ReceiverFinding[]): ReceiverFinding[] {
  return findings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** A finding on a field; its line is that of `linePath` when the field's own name is not shown. */
export type FieldFinding = (
  fieldPath: readonly PropertyKey[],
  message: string,
  linePath?: readonly PropertyKey[],
) => ReceiverFinding;

/** Reports a finding on a field, as `FieldFinding` makes it. */
export type Report = (...args: Parameters<FieldFinding>) => void;

/**
 * The part of a field path a message may show: up to the first key that may be a pasted secret. The names
 * of `secrets` and of an action's `remember` are the user's own: one is shown only when it is a
 * placeholder name (the pattern it must match) that does not look like a secret. Any other key is shown
 * unless it looks like a secret. The message's line still points at the whole path.
 */
export function visibleFieldPath(fieldPath: readonly PropertyKey[]): readonly PropertyKey[] {
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
export function fieldName(fieldPath: readonly PropertyKey[]): string {
  return fieldPath.reduce<string>(
    (name, key) =>
      typeof key === "number" ? `${name}[${key}]` : name === "" ? String(key) : `${name}.${String(key)}`,
    "",
  );
}
