import type { BenchOptions } from "./benchOptions";
import { cpuPerDeliveryRatio, estimatedLambdaDurationMs, ONE_VCPU_MB, type BudgetLine } from "./budget";
import type { ProfileSummary } from "./cpuProfile";
import { formatKiB, formatRatio, formatSpread } from "./formatFigures";
import type { ArchiveFacts } from "./functionsUnderTest";
import type { Machine } from "./machine";
import type { Spread } from "./spread";
import type { CallFigures, CallsRow, ColdStartFigures, FanOutRow, MemoryRow } from "./summarize";

/** A function as the run measured it. */
export interface MeasuredFunction {
  label: string;
  memoryMb: number;
  archive: ArchiveFacts;
}

/** Everything a run found: printed as Markdown tables, written as JSON. */
export interface BenchResults {
  command: string;
  date: string;
  machine: Machine;
  options: Omit<BenchOptions, "baselineInvocations"> & { baselineInvocations: Record<number, number> };
  durationS: number;
  notifier: MeasuredFunction;
  baseline: MeasuredFunction;
  fanOut: FanOutRow[];
  calls: CallsRow[];
  coldStart: { notifier: ColdStartFigures; baseline: ColdStartFigures };
  memory: MemoryRow[];
  budget: BudgetLine[];
  /** Where a warm event's CPU time went: V8 profiles of a few events at the budgeted fan-out, averaged. */
  profile: { receivers: number; delayMs: number; summary: ProfileSummary & { events: number } };
  /** Every event's wall time in ms, per scenario: cold first, then warm, container by container. */
  samples: { receivers: number; delayMs: number; notifier: number[][]; baseline: number[][] }[];
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

function fanOutTable(rows: FanOutRow[]): string {
  return table(
    [
      "Receivers",
      "Delay",
      "Notifier warm, ms",
      "÷ delay",
      "Notifier cold, ms",
      "÷ delay",
      "Baseline, ms",
      "÷ delay",
      "Notifier warm ÷ baseline",
    ],
    rows.map((row) => [
      String(row.receivers),
      `${row.delayMs} ms`,
      formatSpread(row.notifierWarm.wallMs),
      formatRatio(row.notifierWarm.wallMs.median, row.delayMs),
      formatSpread(row.notifierCold.wallMs),
      formatRatio(row.notifierCold.wallMs.median, row.delayMs),
      `${formatSpread(row.baseline.wallMs)} [${row.baseline.wallMs.n}]`,
      formatRatio(row.baseline.wallMs.median, row.delayMs),
      formatRatio(row.notifierWarm.wallMs.median, row.baseline.wallMs.median),
    ]),
  );
}

function workTable(rows: FanOutRow[], memoryMb: number): string {
  return table(
    [
      "Receivers",
      "Delay",
      "Notifier warm CPU, ms",
      `… CPU at ${memoryMb} MB on Lambda (est.), ms`,
      `Duration at ${memoryMb} MB on Lambda (est.), ms`,
      "Notifier cold CPU, ms",
      "Baseline CPU, ms",
      "Notifier warm ÷ baseline",
      "Peak in flight: notifier warm / cold / baseline",
      "Receiver connections opened: notifier warm / cold / baseline",
    ],
    rows.map((row) => [
      String(row.receivers),
      `${row.delayMs} ms`,
      formatSpread(row.notifierWarm.cpuMs),
      (row.notifierWarm.cpuMs.median * (ONE_VCPU_MB / memoryMb)).toFixed(0),
      estimatedLambdaDurationMs(row, memoryMb).toFixed(0),
      formatSpread(row.notifierCold.cpuMs),
      formatSpread(row.baseline.cpuMs),
      formatRatio(row.notifierWarm.cpuMs.median, row.baseline.cpuMs.median),
      `${row.notifierWarm.peakInFlight} / ${row.notifierCold.peakInFlight} / ${row.baseline.peakInFlight}`,
      `${formatSpread(row.notifierWarm.receiverConnections)} / ${formatSpread(row.notifierCold.receiverConnections)} / ` +
        formatSpread(row.baseline.receiverConnections),
    ]),
  );
}

/** Per delivery, in µs: what the breakdown and the CPU-per-delivery table state. */
function microsPerDelivery(ms: number, receivers: number): string {
  return ((1000 * ms) / receivers).toFixed(0);
}

function cpuPerDeliveryTable(rows: FanOutRow[]): string {
  return table(
    [
      "Receivers",
      "Delay",
      "Notifier warm, µs per delivery",
      "… on the JavaScript thread",
      "Bare `node:http` request, µs",
      "… on the JavaScript thread",
      "Notifier ÷ bare",
    ],
    rows.map((row) => {
      const ratio = cpuPerDeliveryRatio(row);
      return [
        String(row.receivers),
        `${row.delayMs} ms`,
        microsPerDelivery(row.notifierWarm.cpuMs.median, row.receivers),
        microsPerDelivery(row.notifierWarm.jsThreadCpuMs.median, row.receivers),
        row.bare ? microsPerDelivery(row.bare.cpuMs.median, row.receivers) : "-",
        row.bare ? microsPerDelivery(row.bare.jsThreadCpuMs.median, row.receivers) : "-",
        ratio === undefined ? "-" : `${ratio.toFixed(1)}×`,
      ];
    }),
  );
}

function operations(figures: CallFigures): string {
  return Object.entries(figures.dynamodbByOperation)
    .map(([operation, count]) => `${count} ${operation}`)
    .join(" + ");
}

function callsTable(rows: CallsRow[]): string {
  return table(
    [
      "Receivers",
      "Parameters",
      "Parameter store: notifier cold / warm",
      "Baseline",
      "Notifier cold ÷ baseline",
      "DynamoDB: notifier cold",
      "Notifier warm",
      "Baseline",
      "Notifier ÷ baseline",
      "DynamoDB connections opened: notifier cold / warm",
    ],
    rows.map((row) => [
      String(row.receivers),
      String(row.parameters),
      `${formatSpread(row.notifierCold.parameterStore)} / ${formatSpread(row.notifierWarm.parameterStore)}`,
      formatSpread(row.baseline.parameterStore),
      formatRatio(row.notifierCold.parameterStore.median, row.baseline.parameterStore.median),
      `${formatSpread(row.notifierCold.dynamodb)} (${operations(row.notifierCold)})`,
      `${formatSpread(row.notifierWarm.dynamodb)} (${operations(row.notifierWarm)})`,
      `${formatSpread(row.baseline.dynamodb)} (${operations(row.baseline)})`,
      formatRatio(row.notifierWarm.dynamodb.median, row.baseline.dynamodb.median),
      `${formatSpread(row.notifierCold.dynamodbConnections)} / ${formatSpread(row.notifierWarm.dynamodbConnections)}`,
    ]),
  );
}

function coldStartTable(
  notifier: ColdStartFigures,
  baseline: ColdStartFigures,
  budgeted: FanOutRow | undefined,
): string {
  const row = (name: string, pick: (figures: ColdStartFigures) => ColdStartFigures["loadMs"]) => [
    name,
    `${formatSpread(pick(notifier))} [${pick(notifier).n}]`,
    `${formatSpread(pick(baseline))} [${pick(baseline).n}]`,
    formatRatio(pick(notifier).median, pick(baseline).median),
  ];
  const fanOut = (name: string, notifierMs: Spread, baselineMs: Spread | undefined) => [
    name,
    `${formatSpread(notifierMs)} [${notifierMs.n}]`,
    baselineMs ? `${formatSpread(baselineMs)} [${baselineMs.n}]` : "-",
    baselineMs ? formatRatio(notifierMs.median, baselineMs.median) : "-",
  ];
  const at = budgeted ? `${budgeted.receivers} receivers at ${budgeted.delayMs} ms` : "";
  return table(
    ["", "Notifier", "Baseline", "Notifier ÷ baseline"],
    [
      row("Load: Init Duration, ms", (figures) => figures.loadMs),
      row("Load: CPU (process start included), ms", (figures) => figures.loadCpuMs),
      row(`First event, 1 receiver at ${notifier.delayMs} ms, ms`, (figures) => figures.firstEventMs),
      row("Load + first event, ms", (figures) => figures.totalMs),
      ...(budgeted
        ? [
            fanOut(`First event, ${at}, ms`, budgeted.notifierCold.wallMs, undefined),
            fanOut(
              "… of which the parameter reads (first read in to last answered, at the store), ms",
              budgeted.notifierCold.parameterReadMs,
              undefined,
            ),
            fanOut(`Load + first event, ${at}, ms`, budgeted.notifierColdWithLoadMs, undefined),
          ]
        : []),
    ],
  );
}

function archiveTable(notifier: ArchiveFacts, baseline: ArchiveFacts): string {
  const row = (name: string, pick: (archive: ArchiveFacts) => number, format: (value: number) => string) => [
    name,
    format(pick(notifier)),
    format(pick(baseline)),
    formatRatio(pick(notifier), pick(baseline)),
  ];
  return table(
    ["", "Notifier", "Baseline", "Notifier ÷ baseline"],
    [
      row("Zipped", (archive) => archive.zippedBytes, formatKiB),
      row("Unpacked", (archive) => archive.unpackedBytes, formatKiB),
      row("… JavaScript", (archive) => archive.bytesByKind.javascript, formatKiB),
      row("… type declarations (.d.ts)", (archive) => archive.bytesByKind.typeDeclarations, formatKiB),
      row("… source maps", (archive) => archive.bytesByKind.sourceMaps, formatKiB),
      row("… README, LICENSE, CHANGELOG", (archive) => archive.bytesByKind.documentation, formatKiB),
      row("… other (package.json, …)", (archive) => archive.bytesByKind.other, formatKiB),
      row("Packages", (archive) => archive.packages.length, String),
    ],
  );
}

function memoryTable(rows: MemoryRow[]): string {
  return table(
    ["Receivers", "Notifier peak RSS, MB", "Baseline peak RSS, MB", "Notifier ÷ baseline"],
    rows.map((row) => [
      String(row.receivers),
      row.notifierPeakRssMb.toFixed(0),
      row.baselinePeakRssMb.toFixed(0),
      formatRatio(row.notifierPeakRssMb, row.baselinePeakRssMb),
    ]),
  );
}

/**
 * A warm delivery's CPU by what it is for. The profiler samples wall-clock intervals, which a loaded
 * machine stretches, so its shares are applied to the JavaScript thread's CPU measured from /proc; the
 * helper threads' CPU is measured the same way. Without measured figures, the profile's own times.
 */
function breakdownTable(profile: BenchResults["profile"], row: FanOutRow | undefined): string {
  const { summary, receivers } = profile;
  const jsThreadMs = row?.notifierWarm.jsThreadCpuMs.median ?? summary.totalMs;
  const perDelivery = (profiledMs: number) =>
    microsPerDelivery((profiledMs / summary.totalMs) * jsThreadMs, receivers);
  const share = (ms: number) => `${((100 * ms) / summary.totalMs).toFixed(0)} %`;
  const measured = (ms: number) => microsPerDelivery(ms, receivers);
  return table(
    ["Per warm delivery", "CPU, µs", "Share of the JavaScript thread"],
    [
      ...summary.byCategory.map((entry) => [entry.category, perDelivery(entry.ms), share(entry.ms)]),
      ["**JavaScript thread**", `**${measured(jsThreadMs)}**`, "100 %"],
      ...(row
        ? [
            [
              "V8's helper threads: concurrent garbage collection, compilation",
              measured(row.notifierWarm.cpuMs.median - row.notifierWarm.jsThreadCpuMs.median),
              "-",
            ],
            ["**All threads**", `**${measured(row.notifierWarm.cpuMs.median)}**`, "-"],
            ...(row.bare
              ? [["A bare keep-alive `node:http` request, all threads", measured(row.bare.cpuMs.median), "-"]]
              : []),
          ]
        : []),
    ],
  );
}

function profileTables(profile: BenchResults["profile"], row: FanOutRow | undefined): string {
  const { summary } = profile;
  const share = (ms: number) => `${((100 * ms) / summary.totalMs).toFixed(0)} %`;
  return [
    `Warm events, ${profile.receivers} receivers at ${profile.delayMs} ms, the mean of ${summary.events} ` +
      `profiled events (V8's sampling profiler, idle and the profiler's own work left out: ` +
      `${summary.totalMs.toFixed(1)} ms of samples on the JavaScript thread per event). Per delivery, by what ` +
      "the work is for (a log line's JSON and its write to stdout count as the log line's, a request's " +
      "sockets as Node.js's); the profile's shares of the JavaScript thread's CPU, and the helper threads', " +
      "as measured in the warm events of the same scenario:",
    "",
    breakdownTable(profile, row),
    "",
    table(
      ["Where", "Self time, ms", "Share"],
      summary.bySource.slice(0, 10).map((entry) => [entry.source, entry.ms.toFixed(1), share(entry.ms)]),
    ),
    "",
    table(
      ["Function", "Where", "Self time, ms"],
      summary.topFunctions.map((entry) => [`\`${entry.name}\``, entry.source, entry.ms.toFixed(1)]),
    ),
  ].join("\n");
}

function budgetTable(lines: BudgetLine[]): string {
  return table(
    ["Budget line", "Verdict", "Measured"],
    lines.map((line) => [line.line, `**${line.verdict}**`, line.measured]),
  );
}

export function renderMarkdown(results: BenchResults): string {
  const { machine, options } = results;
  const profiledRow = results.fanOut.find(
    (row) => row.receivers === results.profile.receivers && row.delayMs === results.profile.delayMs,
  );
  const baselineRuns = [...new Set(Object.values(options.baselineInvocations))]
    .map((events) => {
      const at = Object.entries(options.baselineInvocations)
        .filter(([, count]) => count === events)
        .map(([receivers]) => receivers);
      return `${events} at ${at.join(", ")} receivers`;
    })
    .join("; ");
  return [
    `Command: \`${results.command}\` — ${results.date}, ${results.durationS.toFixed(0)} s`,
    "",
    `Machine: ${machine.cpuModel}, ${machine.cpus} CPUs, ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
      `${machine.kernel}; load average ${machine.loadAverageAtStart} at start. ` +
      `The functions ran on Node ${machine.functionsNode ?? machine.node}.`,
    "",
    `- ${results.notifier.label}; ${results.notifier.memoryMb} MB; ${count(options.repeats, "container")} per ` +
      `scenario, each a cold event, ${count(options.warmUpInvocations, "event")} to warm up (not measured), ` +
      `then ${count(options.warmInvocations, "warm event")}.`,
    `- ${results.baseline.label}; ${results.baseline.memoryMb} MB; one container per scenario, events: ` +
      `${baselineRuns}.`,
    "- Figures: median (min–max); [n]: how many events or containers a figure comes from.",
    "",
    "### Fan-out: wall time per event",
    "",
    fanOutTable(results.fanOut),
    "",
    "### Fan-out: work per event",
    "",
    workTable(results.fanOut, results.notifier.memoryMb),
    "",
    "### CPU per delivery, against a bare request",
    "",
    "After each event, the same container makes the same fan-out with nothing but `node:http` and a " +
      "keep-alive agent: the same receivers, body size and concurrency limit, warmed by as many rounds.",
    "",
    cpuPerDeliveryTable(results.fanOut),
    "",
    "### Calls per event",
    "",
    callsTable(results.calls),
    "",
    "### Cold start",
    "",
    coldStartTable(results.coldStart.notifier, results.coldStart.baseline, profiledRow),
    "",
    "### Archive",
    "",
    archiveTable(results.notifier.archive, results.baseline.archive),
    "",
    `Notifier packages: ${results.notifier.archive.packages.join(", ")}`,
    "",
    "### Memory",
    "",
    memoryTable(results.memory),
    "",
    "### CPU profile of a warm event",
    "",
    profileTables(results.profile, profiledRow),
    "",
    "### Budget",
    "",
    budgetTable(results.budget),
    "",
  ].join("\n");
}
