import { listed, table } from "./report";
import type { StreakFinding } from "./streakModel";
import type { StreakRunResult } from "./runStreakRun";
import { ACTION_RECEIVERS } from "./streakReceivers";

function findings(title: string, list: StreakFinding[]): string[] {
  return listed(
    title,
    list.map((finding) => `${finding.receiver} (${finding.project}): ${finding.detail}`),
  );
}

/** The streak run's figures and verdicts as plain text, with the command that runs it again. */
export function renderStreakReport(result: StreakRunResult, command: string): string {
  const { options, model, perBuild } = result;
  const mustBeZero = (count: number) => `${count}${count === 0 ? "" : "  ← must be 0"}`;
  const lines = [
    `Streak run: ${model.builds} builds of ${options.projects} projects × ${ACTION_RECEIVERS} receivers with actions ` +
      "and one with a message per build, " +
      `${options.containers} containers, seed ${options.seed}`,
    "",
    ...table([
      ["failure streaks", `${model.streaks} (${model.fixedStreaks} fixed)`],
      ["tickets opened / closed by the fix", `${model.tickets} / ${model.ticketsClosed}`],
      ["alerts opened / closed", `${model.alertsOpened} / ${model.alertsClosed}`],
      [
        "build messages: builds / posts / updates",
        `${perBuild.messages} / ${perBuild.posts} / ${perBuild.updates}`,
      ],
      ["deliveries taken", `${model.deliveries} (${result.requests} requests)`],
      ["invocations", `${result.invocations} (${result.duplicateEvents} events delivered twice by Lambda)`],
      ["Lambda retries", String(result.lambdaRetries)],
      ["dead letters", `${result.deadLetters}, replayed (exit ${result.replay.exitCode})`],
      ["still dead-lettered", String(model.stillDeadLettered)],
      [
        "table faults",
        `${result.tableFaults.errors} writes failed, ${result.tableFaults.hangs} hung, ` +
          `${result.tableFaults.slowReads} streak reads slowed`,
      ],
      [
        "in a documented window",
        `${model.windows.length + perBuild.windows.length} (allowed: docs/delivery.md)`,
      ],
      ["violations", mustBeZero(model.violations.length + perBuild.violations.length)],
    ]),
    "",
    "Failed invocations by cause (each is retried by Lambda, or dead-lettered after the third)",
    ...(result.failures.length > 0
      ? table(result.failures.map(([cause, count]) => [cause, String(count)]))
      : ["none"]),
    ...findings("Violations", [...model.violations, ...perBuild.violations]),
    ...findings("In a documented window", [...model.windows, ...perBuild.windows]),
    "",
    result.passed
      ? `PASS: every streak's actions and every build's message as the models say (${result.totalS.toFixed(0)} s in all)`
      : `FAIL (seed ${options.seed}): \`${command}\` runs it again`,
  ];
  return `${lines.join("\n")}\n`;
}
