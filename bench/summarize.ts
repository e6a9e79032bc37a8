import type { BareMeasurement, ContainerMeasurement, InvocationMeasurement } from "./measureContainer";
import type { ScenarioResult } from "./runScenarios";
import { spreadOf, type Spread } from "./spread";

/** Wall time and CPU of one function in one fan-out scenario. */
export interface FanOutFigures {
  wallMs: Spread;
  cpuMs: Spread;
  /** … of which on the JavaScript thread. */
  jsThreadCpuMs: Spread;
  /** How long the parameter reads took, seen from the store (0 when warm: nothing is read). */
  parameterReadMs: Spread;
  /** The most receivers waiting for an answer at one time, over every event. */
  peakInFlight: number;
  /** Connections opened to the receivers per event. */
  receiverConnections: Spread;
}

export interface FanOutRow {
  receivers: number;
  delayMs: number;
  notifierWarm: FanOutFigures;
  notifierCold: FanOutFigures;
  /** Init Duration plus the first event's wall time, per container: what a cold start costs the event. */
  notifierColdWithLoadMs: Spread;
  /** Every baseline event, the first included: it caches nothing, so each one does the same work. */
  baseline: FanOutFigures;
  /** The same fan-out with bare `node:http` requests, in the notifier's containers after its warm events. */
  bare?: BareFigures;
}

export interface BareFigures {
  wallMs: Spread;
  cpuMs: Spread;
  jsThreadCpuMs: Spread;
}

/** Calls per event at one number of receivers (both delays pooled; the delay does not change them). */
export interface CallsRow {
  receivers: number;
  /** Parameters the receivers have: a URL and a headers parameter each. */
  parameters: number;
  notifierCold: CallFigures;
  notifierWarm: CallFigures;
  baseline: CallFigures;
}

export interface CallFigures {
  parameterStore: Spread;
  dynamodb: Spread;
  /** Median calls per event by DynamoDB operation. */
  dynamodbByOperation: Record<string, number>;
  /** Connections opened to DynamoDB per event. */
  dynamodbConnections: Spread;
}

export interface ColdStartFigures {
  /** Init Duration, over every container started in the run. */
  loadMs: Spread;
  loadCpuMs: Spread;
  /** The first event of a container with one receiver answering after `delayMs`. */
  firstEventMs: Spread;
  /** Load plus first event, per container. */
  totalMs: Spread;
  delayMs: number;
}

export interface MemoryRow {
  receivers: number;
  notifierPeakRssMb: number;
  baselinePeakRssMb: number;
}

function invocationsOf(containers: readonly ContainerMeasurement[], which: "cold" | "warm" | "all") {
  return containers.flatMap((container) =>
    which === "cold"
      ? [container.cold]
      : which === "warm"
        ? container.warm
        : [container.cold, ...container.warm],
  );
}

function fanOutFigures(invocations: readonly InvocationMeasurement[]): FanOutFigures {
  return {
    wallMs: spreadOf(invocations.map((invocation) => invocation.durationMs)),
    cpuMs: spreadOf(invocations.map((invocation) => invocation.cpuMs)),
    jsThreadCpuMs: spreadOf(invocations.map((invocation) => invocation.jsThreadCpuMs)),
    parameterReadMs: spreadOf(invocations.map((invocation) => invocation.parameterReadMs)),
    peakInFlight: Math.max(...invocations.map((invocation) => invocation.peakInFlight)),
    receiverConnections: spreadOf(invocations.map((invocation) => invocation.receiverConnections)),
  };
}

function bareFigures(rounds: readonly BareMeasurement[]): BareFigures | undefined {
  if (rounds.length === 0) return undefined;
  return {
    wallMs: spreadOf(rounds.map((round) => round.durationMs)),
    cpuMs: spreadOf(rounds.map((round) => round.cpuMs)),
    jsThreadCpuMs: spreadOf(rounds.map((round) => round.jsThreadCpuMs)),
  };
}

export function fanOutRows(results: readonly ScenarioResult[]): FanOutRow[] {
  return results.map((result) => {
    const bare = bareFigures(result.notifier.flatMap((container) => container.bare));
    return {
      receivers: result.receivers,
      delayMs: result.delayMs,
      notifierWarm: fanOutFigures(invocationsOf(result.notifier, "warm")),
      notifierCold: fanOutFigures(invocationsOf(result.notifier, "cold")),
      notifierColdWithLoadMs: spreadOf(
        result.notifier.map((container) => container.loadMs + container.cold.durationMs),
      ),
      baseline: fanOutFigures(invocationsOf(result.baseline, "all")),
      ...(bare ? { bare } : {}),
    };
  });
}

function callFigures(invocations: readonly InvocationMeasurement[]): CallFigures {
  const operations = [...new Set(invocations.flatMap((call) => Object.keys(call.dynamodbCallsByOperation)))];
  return {
    parameterStore: spreadOf(invocations.map((invocation) => invocation.parameterStoreCalls)),
    dynamodb: spreadOf(invocations.map((invocation) => invocation.dynamodbCalls)),
    dynamodbByOperation: Object.fromEntries(
      operations
        .sort()
        .map((operation) => [
          operation,
          spreadOf(invocations.map((invocation) => invocation.dynamodbCallsByOperation[operation] ?? 0))
            .median,
        ]),
    ),
    dynamodbConnections: spreadOf(invocations.map((invocation) => invocation.dynamodbConnections)),
  };
}

function byReceivers(results: readonly ScenarioResult[]): Map<number, ScenarioResult[]> {
  const groups = new Map<number, ScenarioResult[]>();
  for (const result of results)
    groups.set(result.receivers, [...(groups.get(result.receivers) ?? []), result]);
  return groups;
}

export function callsRows(results: readonly ScenarioResult[]): CallsRow[] {
  return [...byReceivers(results)].map(([receivers, group]) => {
    const notifier = group.flatMap((result) => result.notifier);
    return {
      receivers,
      parameters: 2 * receivers,
      notifierCold: callFigures(invocationsOf(notifier, "cold")),
      notifierWarm: callFigures(invocationsOf(notifier, "warm")),
      baseline: callFigures(
        invocationsOf(
          group.flatMap((result) => result.baseline),
          "all",
        ),
      ),
    };
  });
}

export function coldStart(
  results: readonly ScenarioResult[],
  which: "notifier" | "baseline",
): ColdStartFigures {
  const all = results.flatMap((result) => result[which]);
  const smallest = results.reduce((best, result) =>
    result.receivers < best.receivers ||
    (result.receivers === best.receivers && result.delayMs < best.delayMs)
      ? result
      : best,
  );
  const first = smallest[which];
  return {
    loadMs: spreadOf(all.map((container) => container.loadMs)),
    loadCpuMs: spreadOf(all.map((container) => container.loadCpuMs)),
    firstEventMs: spreadOf(first.map((container) => container.cold.durationMs)),
    totalMs: spreadOf(first.map((container) => container.loadMs + container.cold.durationMs)),
    delayMs: smallest.delayMs,
  };
}

export function memoryRows(results: readonly ScenarioResult[]): MemoryRow[] {
  const peakMb = (containers: readonly ContainerMeasurement[]) =>
    Math.max(...containers.map((container) => container.peakRssBytes)) / 2 ** 20;
  return [...byReceivers(results)].map(([receivers, group]) => ({
    receivers,
    notifierPeakRssMb: peakMb(group.flatMap((result) => result.notifier)),
    baselinePeakRssMb: peakMb(group.flatMap((result) => result.baseline)),
  }));
}
