import type { PairFinding } from "./invariants";
import type { LoadTestResult } from "./runLoadTest";

const MAX_FINDINGS_SHOWN = 10;

/** Rows of a label and a value, the values aligned. */
export function table(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
}

/** A titled list of findings, the first few of them; nothing when there are none. */
export function listed(title: string, lines: string[]): string[] {
  if (lines.length === 0) return [];
  return [
    "",
    `${title} (${lines.length}):`,
    ...lines.slice(0, MAX_FINDINGS_SHOWN).map((line) => `  ${line}`),
    ...(lines.length > MAX_FINDINGS_SHOWN ? [`  … and ${lines.length - MAX_FINDINGS_SHOWN} more`] : []),
  ];
}

function findings(title: string, list: PairFinding[]): string[] {
  return listed(
    title,
    list.map((finding) => `${finding.receiver} ← event ${finding.eventId}: ${finding.detail}`),
  );
}

/** The run's figures and verdicts as plain text, one row a figure. */
export function renderReport(result: LoadTestResult): string {
  const { options, invariants, answers } = result;
  const on = Object.entries(options.faults).filter(([, enabled]) => enabled).length;
  const mustBeZero = (count: number) => `${count}${count === 0 ? "" : "  ← must be 0"}`;
  const lines = [
    `${result.command}`,
    `${options.events} events of ${result.projects} projects × ${options.receivers} receivers, ` +
      `${options.containers} containers, seed ${options.seed}, ${on} of ${Object.keys(options.faults).length} faults on`,
    "",
    ...table([
      ["events per second", `${result.eventsPerSecond.toFixed(1)} (burst of ${result.burstS.toFixed(1)} s)`],
      [
        "delivery latency p50/p95/p99",
        `${result.latencyMs.p50} / ${result.latencyMs.p95} / ${result.latencyMs.p99} ms`,
      ],
      ["notices called for", String(invariants.expected)],
      [
        "attempts (receiver requests)",
        `${result.requests} (${(result.requests / Math.max(1, invariants.expected)).toFixed(2)} per notice)`,
      ],
      ["invocations", `${result.invocations} (${result.duplicateEvents} events delivered twice by Lambda)`],
      ["Lambda retries", String(result.lambdaRetries)],
      ["dead letters", String(result.deadLetters)],
      ["replayed", `${result.replayed} (exit ${result.replay.exitCode})`],
      ["still dead-lettered, with reason", String(invariants.stillDeadLettered.length)],
      ["delivered exactly once", `${invariants.deliveredOnce} of ${invariants.expected}`],
      [
        "duplicates in the crash window",
        `${invariants.crashWindowDuplicates.length} (allowed: docs/delivery.md)`,
      ],
      ["duplicates", mustBeZero(invariants.duplicates.length)],
      ["lost", mustBeZero(invariants.lost.length)],
      ["unexpected notices", mustBeZero(invariants.unexpected.length)],
      ["unstable webhook-ids", mustBeZero(invariants.unstableWebhookIds.length)],
    ]),
    "",
    "Faults met",
    ...table([
      ["receiver 5xx", String(answers.errors)],
      ["receiver 429 + Retry-After", String(answers.rateLimited)],
      ["receiver hangs", String(answers.hung)],
      ["receiver resets", String(answers.reset)],
      ["receiver down (503)", String(answers.outage)],
      [
        "parameter store throttled",
        `${result.parameterStore.throttled} of the notifier's ${result.parameterStore.reads} reads, ` +
          `${result.parameterStore.buildReadsThrottled} of the builds' ${result.parameterStore.buildReads}`,
      ],
      ["DynamoDB throttled", `${result.dynamoDb.throttled} of ${result.dynamoDb.calls} calls`],
      ["containers killed", `${result.containersKilled} (${result.coldStarts} cold starts in all)`],
    ]),
    "",
    "Failed invocations by cause (each is retried by Lambda, or dead-lettered after the third)",
    ...(result.failures.length > 0
      ? table(result.failures.map(([cause, count]) => [cause, String(count)]))
      : ["none"]),
    ...findings("Duplicates", invariants.duplicates),
    ...findings("Lost", invariants.lost),
    ...findings("Unexpected notices", invariants.unexpected),
    ...findings("Unstable webhook-ids", invariants.unstableWebhookIds),
    ...findings("Duplicates in the crash window", invariants.crashWindowDuplicates),
    ...findings("Still dead-lettered", invariants.stillDeadLettered),
    "",
    `${result.passed ? "PASS" : "FAIL"}: every notice ${result.passed ? "arrived once or is dead-lettered with its reason" : "did not arrive once"} ` +
      `(${result.totalS.toFixed(0)} s in all)`,
  ];
  return `${lines.join("\n")}\n`;
}
