import type { StackSecretProblem } from "./localRunConfig";
import type { EventReport, ReceiverReport } from "./localRunStack";

/** Headers whose values say nothing secret; every other value (Authorization, tokens) is redacted. */
const SHOWN_HEADERS = new Set([
  "content-type",
  "content-length",
  "user-agent",
  "accept",
  "accept-encoding",
  "host",
  "connection",
  // Standard Webhooks: the delivery's id and time are public; the signature stays redacted.
  "webhook-id",
  "webhook-timestamp",
]);

export function redactHeaders(headers: readonly [string, string][]): [string, string][] {
  return headers.map(([name, value]) => [name, SHOWN_HEADERS.has(name.toLowerCase()) ? value : "<redacted>"]);
}

/** Whether the event left a receiver it matched without delivery, or the notifier failed outright. */
export function eventFailed(report: EventReport): boolean {
  return report.error !== undefined || report.receivers.some((r) => r.matched && !r.delivered);
}

function indent(text: string, spaces: number): string {
  return text
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => " ".repeat(spaces) + line)
    .join("\n");
}

function answer(receiver: ReceiverReport): string {
  if (receiver.statusCode !== undefined) return `answered ${receiver.statusCode}`;
  if (receiver.errorCode !== undefined) return `no answer (${receiver.errorCode})`;
  return "not sent";
}

function attemptsAndTime(receiver: ReceiverReport): string {
  if (receiver.attempts === undefined) return "";
  const attempts = `${receiver.attempts} attempt${receiver.attempts === 1 ? "" : "s"}`;
  return `, ${attempts}, ${Math.round(receiver.durationMs ?? 0)} ms`;
}

function buildNumberOf(report: EventReport): number | undefined {
  return report.event.detail?.["additional-information"]?.["build-number"];
}

/** The transition the notifier found for the build, when it says: `broken`, or `none`. */
function transitionOf(report: EventReport): string | undefined {
  return report.transition === undefined ? undefined : (report.transition ?? "none");
}

function describeEvent(report: EventReport): string {
  const buildNumber = buildNumberOf(report);
  const build = buildNumber === undefined ? "" : `, build #${buildNumber}`;
  const transition = transitionOf(report);
  return (
    `${report.project} ${report.status}${build} (event ${report.event.id ?? "without id"})` +
    (transition === undefined ? "" : `: transition ${transition}`)
  );
}

/** One event: each receiver, whether it matched, and what it was sent and answered. */
export function formatEventReport(report: EventReport): string {
  const lines = [`== ${describeEvent(report)}`];
  if (report.error) lines.push(`  The notifier failed: ${report.error}`);
  for (const receiver of report.receivers) {
    if (!receiver.matched) {
      lines.push(`  ${receiver.receiver}: not matched (${receiver.unmatchedBecause})`);
      continue;
    }
    const result = receiver.delivered ? "delivered" : "NOT DELIVERED";
    const reason = receiver.reason ? `: ${receiver.reason}` : "";
    const on = receiver.transition ? ` on ${receiver.transition}` : "";
    const url = `${receiver.target}${receiver.path ?? ""}`;
    lines.push(
      `  ${receiver.receiver}: matched${on}, ${result}${reason}`,
      `    ${receiver.method ?? "(no request)"} ${url}: ${answer(receiver)}${attemptsAndTime(receiver)}`,
    );
    if (receiver.tokenRequest === null) {
      lines.push("    OAuth token: the one the notifier got for an earlier event (no token request)");
    } else if (receiver.tokenRequest) {
      const { method, url, fields, basicAuth } = receiver.tokenRequest;
      const form = fields.map(([name, value]) => `${name}=${value}`).join("&");
      const client = basicAuth
        ? "client authentication HTTP Basic (redacted)"
        : "client credentials in the form";
      lines.push(
        `    OAuth token: ${method} ${url} (${form}; ${client}): a token (redacted), sent as Bearer`,
      );
    }
    if (receiver.responseBody) lines.push(`    answer: ${receiver.responseBody}`);
    for (const warning of receiver.warnings) lines.push(`    warning: ${warning}`);
    if (receiver.headers) {
      lines.push("    headers:");
      for (const [name, value] of redactHeaders(receiver.headers)) lines.push(`      ${name}: ${value}`);
    }
    if (receiver.body !== undefined) lines.push("    body:", indent(receiver.body, 6));
  }
  return lines.join("\n");
}

function resultCell(receiver: ReceiverReport): string {
  const code = receiver.statusCode ?? receiver.errorCode;
  return `${receiver.delivered ? "delivered" : "FAILED"}${code === undefined ? "" : ` (${code})`}`;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * A table of the deliveries (an event to a receiver that is told of it) and their totals: a row per
 * delivery, and one for an event told to no receiver, whose reasons its block above gives. An event is
 * named by its project and status, and by its build number too where a project has several builds of
 * one status (a failure streak); the TRANSITION column shows when the notifier says what each build's
 * transition was.
 */
export function formatSummary(reports: readonly EventReport[]): string {
  const showTransitions = reports.some((report) => report.transition !== undefined);
  const header = [
    "EVENT",
    ...(showTransitions ? ["TRANSITION"] : []),
    "RECEIVER",
    "RESULT",
    "ATTEMPTS",
    "TIME",
  ];
  const rows: string[][] = [header];
  const seen = reports.map((report) => `${report.project} ${report.status}`);
  let delivered = 0;
  let failed = 0;
  for (const [index, report] of reports.entries()) {
    const repeated = seen.filter((event) => event === seen[index]).length > 1;
    const buildNumber = buildNumberOf(report);
    const event = repeated && buildNumber !== undefined ? `${seen[index]} #${buildNumber}` : seen[index];
    const columns = (cells: string[]) => [
      event,
      ...(showTransitions ? [transitionOf(report) ?? ""] : []),
      ...cells,
    ];
    const told = report.receivers.filter((receiver) => receiver.matched);
    if (report.error && told.length === 0) rows.push(columns(["(notifier)", "FAILED", "", ""]));
    else if (told.length === 0) rows.push(columns(["-", "told to no receiver", "", ""]));
    for (const receiver of told) {
      if (receiver.delivered) delivered++;
      else failed++;
      rows.push(
        columns([
          receiver.receiver,
          resultCell(receiver),
          receiver.attempts === undefined ? "" : String(receiver.attempts),
          receiver.durationMs === undefined ? "" : `${Math.round(receiver.durationMs)} ms`,
        ]),
      );
    }
  }
  const failedEvents = reports.filter(eventFailed).length;
  const totals =
    `${plural(delivered + failed, "delivery", "deliveries")} of ${plural(reports.length, "event")}: ` +
    `${delivered} delivered, ${failed} failed` +
    (failedEvents > 0 ? `; ${plural(failedEvents, "event")} with failures` : "");
  return ["Summary: each delivery (an event to a receiver told of it)", ...formatTable(rows), totals].join(
    "\n",
  );
}

/**
 * The receivers' secrets the stack's settings file does not hold as secrets, with preview's message for
 * each: what `pulumi up` would refuse, though this run stood in for them.
 */
export function formatStackSecretProblems(
  stackFile: string,
  problems: readonly StackSecretProblem[],
): string {
  if (problems.length === 0) return "";
  const receivers = [...new Set(problems.map((problem) => problem.reference.receiver))];
  return [
    `pulumi up would refuse ${plural(receivers.length, "receiver")} of this run (${receivers.join(", ")}): ` +
      `${stackFile} does not hold as secrets what they name (this run took local values or stand-ins):`,
    ...problems.map(
      ({ reference, message }) =>
        `  ${reference.file}: ${reference.field}.secret (line ${reference.line}): ${message}`,
    ),
  ].join("\n");
}

/** Rows as lines of columns two spaces apart, each as wide as its widest cell. */
export function formatTable(rows: readonly string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]))
      .join("  ")
      .trimEnd(),
  );
}
