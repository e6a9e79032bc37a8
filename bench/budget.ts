import type { ArchiveFacts } from "./functionsUnderTest";
import { formatSpread } from "./formatFigures";
import type { CallsRow, ColdStartFigures, FanOutRow, MemoryRow } from "./summarize";

export type Verdict = "PASS" | "FAIL" | "NOT MEASURED";

export interface BudgetLine {
  line: string;
  verdict: Verdict;
  measured: string;
}

export interface BudgetInputs {
  fanOut: FanOutRow[];
  calls: CallsRow[];
  memory: MemoryRow[];
  coldStart: { notifier: ColdStartFigures; baseline: ColdStartFigures };
  archive: ArchiveFacts;
  configuredMemoryMb: number;
  /** The notifier's limit on deliveries in flight (per container). */
  deliveryConcurrency: number;
  /** Packages only deploy time needs: the project's devDependencies. */
  deployTimePackages: string[];
}

/** The budgeted fan-out: 50 receivers at 200 ms, under 3 × the delay here, 1.5 × on Lambda at its memory. */
const BUDGETED_FAN_OUT = { receivers: 50, delayMs: 200, maxDelays: 3, maxDelaysOnLambda: 1.5 };
const BOUNDED_FAN_OUT_RECEIVERS = 500;
const NAMES_PER_PARAMETER_READ = 10;
/** Table calls per event, whatever the number of receivers. */
const MAX_TABLE_CALLS = 6;
/**
 * Warm CPU per delivery, at 50 and at 500 receivers, as a multiple of a warm bare keep-alive `node:http`
 * request's, both measured in the same container process: a ratio holds on a loaded machine, where an
 * absolute figure moves with the load.
 */
const MAX_CPU_PER_DELIVERY_RATIO = 8;
const CPU_BUDGET_RECEIVERS = [50, 500];
/** Init Duration against the baseline's. */
const MAX_LOAD_RATIO = 1.3;
const ARCHIVE_LIMIT_BYTES = 300 * 1024;
/** Memory at which Lambda gives a function the equivalent of one vCPU; below it, a proportional share. */
export const ONE_VCPU_MB = 1769;
/** Room above the measured peak for receivers' larger answers and heap growth between collections. */
const MEMORY_HEADROOM = 1.25;
/** What the Lambda Node.js runtime provides: an archive copy would only shadow it. */
const RUNTIME_PACKAGES = /^@aws-sdk\/|^@smithy\/|^@aws-crypto\//;
/** Packages of type declarations only: nothing requires them at run time. */
const TYPE_ONLY_PACKAGES = /^@types\/|^type-fest$/;

function fanOutLine(rows: FanOutRow[], which: "warm" | "cold"): BudgetLine {
  const { receivers, delayMs, maxDelays } = BUDGETED_FAN_OUT;
  const line =
    `${receivers} receivers at ${delayMs} ms, ` +
    (which === "warm"
      ? "warm: wall time"
      : "cold: Init Duration (module load) + the first event (loading got, the parameter reads, new connections)") +
    ` under ${maxDelays} × ${delayMs} ms`;
  const row = rows.find((candidate) => candidate.receivers === receivers && candidate.delayMs === delayMs);
  if (!row) return { line, verdict: "NOT MEASURED", measured: "-" };
  const wall = which === "warm" ? row.notifierWarm.wallMs : row.notifierColdWithLoadMs;
  return {
    line,
    verdict: wall.median < maxDelays * delayMs ? "PASS" : "FAIL",
    measured: `median ${formatSpread(wall)} ms = ${(wall.median / delayMs).toFixed(2)} × the delay`,
  };
}

function concurrencyLine(rows: FanOutRow[], limit: number): BudgetLine {
  const line = `${BOUNDED_FAN_OUT_RECEIVERS} receivers: requests in flight bounded by the notifier's concurrency limit`;
  const measuredRows = rows.filter((row) => row.receivers === BOUNDED_FAN_OUT_RECEIVERS);
  if (measuredRows.length === 0) return { line, verdict: "NOT MEASURED", measured: "-" };
  const peak = Math.max(
    ...measuredRows.flatMap((row) => [row.notifierWarm.peakInFlight, row.notifierCold.peakInFlight]),
  );
  return {
    line,
    verdict: peak <= limit ? "PASS" : "FAIL",
    measured: `peak ${peak} in flight, limit ${limit}`,
  };
}

function warmParameterLine(rows: CallsRow[]): BudgetLine {
  const most = Math.max(...rows.map((row) => row.notifierWarm.parameterStore.max));
  return {
    line: "Warm invocation: zero parameter-store calls",
    verdict: most === 0 ? "PASS" : "FAIL",
    measured: `at most ${most} per warm event`,
  };
}

function coldParameterLine(rows: CallsRow[]): BudgetLine {
  const over = rows.filter(
    (row) => row.notifierCold.parameterStore.max > Math.ceil(row.parameters / NAMES_PER_PARAMETER_READ),
  );
  return {
    line: `Cold invocation: one parameter-store call per ${NAMES_PER_PARAMETER_READ} parameters`,
    verdict: over.length === 0 ? "PASS" : "FAIL",
    measured: rows.map((row) => `${row.notifierCold.parameterStore.max} for ${row.parameters}`).join(", "),
  };
}

function tableCallsLine(rows: CallsRow[]): BudgetLine {
  const most = Math.max(
    ...rows.flatMap((row) => [row.notifierCold.dynamodb.max, row.notifierWarm.dynamodb.max]),
  );
  return {
    line: `DynamoDB calls per event at most ${MAX_TABLE_CALLS}, cold or warm, for any number of receivers`,
    verdict: most <= MAX_TABLE_CALLS ? "PASS" : "FAIL",
    measured: rows.map((row) => `${row.notifierCold.dynamodb.max} for ${row.receivers}`).join(", "),
  };
}

/** The notifier's warm CPU per delivery over a bare `node:http` request's, in the same containers. */
export function cpuPerDeliveryRatio(row: FanOutRow): number | undefined {
  return row.bare ? row.notifierWarm.cpuMs.median / row.bare.cpuMs.median : undefined;
}

function cpuPerDeliveryLine(rows: FanOutRow[]): BudgetLine {
  const line =
    `Warm CPU per delivery at ${CPU_BUDGET_RECEIVERS.join(" and ")} receivers at most ` +
    `${MAX_CPU_PER_DELIVERY_RATIO} × a warm bare keep-alive \`node:http\` request's (same body size and ` +
    "concurrency, same container process)";
  const measured = rows.filter((row) => CPU_BUDGET_RECEIVERS.includes(row.receivers) && row.bare);
  if (measured.length === 0) return { line, verdict: "NOT MEASURED", measured: "-" };
  const ratios = measured.map((row) => ({ row, ratio: cpuPerDeliveryRatio(row) ?? Infinity }));
  const over = ratios.some(({ ratio }) => ratio > MAX_CPU_PER_DELIVERY_RATIO);
  const allMeasured = CPU_BUDGET_RECEIVERS.every((receivers) =>
    measured.some((row) => row.receivers === receivers),
  );
  const perDelivery = (ms: number, row: FanOutRow) => (ms / row.receivers).toFixed(3);
  return {
    line,
    verdict: over ? "FAIL" : allMeasured ? "PASS" : "NOT MEASURED",
    measured: ratios
      .map(
        ({ row, ratio }) =>
          `${ratio.toFixed(1)} × at ${row.receivers} × ${row.delayMs} ms ` +
          `(${perDelivery(row.notifierWarm.cpuMs.median, row)} against ` +
          `${perDelivery(row.bare?.cpuMs.median ?? 0, row)} ms)`,
      )
      .join(", "),
  };
}

/**
 * What the budgeted event would take on Lambda at the configured memory: at least its time here, and at
 * least its CPU time stretched by the share of a vCPU the memory buys (a lower bound, see BENCHMARKS.md).
 */
export function estimatedLambdaDurationMs(row: FanOutRow, memoryMb: number): number {
  return Math.max(row.notifierWarm.wallMs.median, row.notifierWarm.cpuMs.median * (ONE_VCPU_MB / memoryMb));
}

function lambdaDurationLine(rows: FanOutRow[], memoryMb: number): BudgetLine {
  const { receivers, delayMs, maxDelaysOnLambda } = BUDGETED_FAN_OUT;
  const line =
    `${receivers} receivers at ${delayMs} ms on Lambda at ${memoryMb} MB (est., warm): ` +
    `at most ${maxDelaysOnLambda} × ${delayMs} ms`;
  const row = rows.find((candidate) => candidate.receivers === receivers && candidate.delayMs === delayMs);
  if (!row) return { line, verdict: "NOT MEASURED", measured: "-" };
  const estimate = estimatedLambdaDurationMs(row, memoryMb);
  return {
    line,
    verdict: estimate <= maxDelaysOnLambda * delayMs ? "PASS" : "FAIL",
    measured: `${estimate.toFixed(0)} ms = ${(estimate / delayMs).toFixed(2)} × the delay`,
  };
}

function loadLine(coldStart: BudgetInputs["coldStart"]): BudgetLine {
  const ratio = coldStart.notifier.loadMs.median / coldStart.baseline.loadMs.median;
  return {
    line: `Init Duration at most ${MAX_LOAD_RATIO} × the baseline's`,
    verdict: ratio <= MAX_LOAD_RATIO ? "PASS" : "FAIL",
    measured:
      `${coldStart.notifier.loadMs.median.toFixed(0)} ms against ${coldStart.baseline.loadMs.median.toFixed(0)} ms ` +
      `= ${ratio.toFixed(2)} ×`,
  };
}

function archiveSizeLine(archive: ArchiveFacts): BudgetLine {
  return {
    line: `Archive at most ${ARCHIVE_LIMIT_BYTES / 1024} KiB zipped`,
    verdict: archive.zippedBytes <= ARCHIVE_LIMIT_BYTES ? "PASS" : "FAIL",
    measured: `${(archive.zippedBytes / 1024).toFixed(0)} KiB`,
  };
}

function archiveContentLine(archive: ArchiveFacts, deployTimePackages: string[]): BudgetLine {
  const unneeded = archive.packages.filter(
    (name) =>
      RUNTIME_PACKAGES.test(name) || TYPE_ONLY_PACKAGES.test(name) || deployTimePackages.includes(name),
  );
  return {
    line: "Archive holds no package the Lambda runtime provides or only deploy time needs",
    verdict: unneeded.length === 0 ? "PASS" : "FAIL",
    measured:
      unneeded.length === 0 ? `${archive.packages.length} packages, none of them` : unneeded.join(", "),
  };
}

function memoryLine(rows: MemoryRow[], configuredMb: number): BudgetLine {
  const line = `Configured memory (${configuredMb} MB) justified by the measured peak`;
  // The peak that sizes the function comes from its largest fan-out.
  if (!rows.some((row) => row.receivers === BOUNDED_FAN_OUT_RECEIVERS)) {
    return { line, verdict: "NOT MEASURED", measured: "-" };
  }
  const peakMb = Math.max(...rows.map((row) => row.notifierPeakRssMb));
  const neededMb = peakMb * MEMORY_HEADROOM;
  const fits = neededMb <= configuredMb;
  const halfWouldFit = neededMb <= configuredMb / 2;
  return {
    line,
    verdict: fits && !halfWouldFit ? "PASS" : "FAIL",
    measured:
      `peak RSS ${peakMb.toFixed(0)} MB, +${Math.round((MEMORY_HEADROOM - 1) * 100)} % headroom = ` +
      `${neededMb.toFixed(0)} MB: ${fits ? "fits" : "does not fit"}` +
      (fits ? `; ${configuredMb / 2} MB ${halfWouldFit ? "would fit too" : "would not"}` : ""),
  };
}

export function evaluateBudget(inputs: BudgetInputs): BudgetLine[] {
  return [
    fanOutLine(inputs.fanOut, "warm"),
    fanOutLine(inputs.fanOut, "cold"),
    lambdaDurationLine(inputs.fanOut, inputs.configuredMemoryMb),
    cpuPerDeliveryLine(inputs.fanOut),
    concurrencyLine(inputs.fanOut, inputs.deliveryConcurrency),
    tableCallsLine(inputs.calls),
    warmParameterLine(inputs.calls),
    coldParameterLine(inputs.calls),
    loadLine(inputs.coldStart),
    archiveSizeLine(inputs.archive),
    archiveContentLine(inputs.archive, inputs.deployTimePackages),
    memoryLine(inputs.memory, inputs.configuredMemoryMb),
  ];
}
