import type { Invocation } from "../local/lambdaProcess";
import { buildEvent } from "../test/support/buildEvents";
import type { BenchStand } from "./benchStand";
import { cpuSince, cpuTimeMs, findContainerPid } from "./containerCpu";
import type { FunctionUnderTest } from "./functionsUnderTest";

/** One event handled by a function, with the calls and connections it caused. */
export interface InvocationMeasurement {
  /** The handler's run time, as Lambda bills it (Duration). */
  durationMs: number;
  /** CPU time the container used for the event, in all its threads. */
  cpuMs: number;
  /** … of which on the JavaScript thread; the rest is V8's helper threads (garbage collection, compilation). */
  jsThreadCpuMs: number;
  /** From the first parameter read's arrival at the store to the last one's answer; 0 without a read. */
  parameterReadMs: number;
  parameterStoreCalls: number;
  dynamodbCalls: number;
  dynamodbCallsByOperation: Record<string, number>;
  /** Connections opened to DynamoDB during the event: zero when the client reused kept-alive ones. */
  dynamodbConnections: number;
  /** Connections opened to the receivers during the event. */
  receiverConnections: number;
  /** The most receivers waiting for their answer at one time. */
  peakInFlight: number;
}

/** The same fan-out as an event's, made with bare `node:http` requests in the container's process. */
export interface BareMeasurement {
  durationMs: number;
  cpuMs: number;
  jsThreadCpuMs: number;
}

/** One container's life: loading the handler, its first (cold) event, then warm events. */
export interface ContainerMeasurement {
  /** Lambda's Init Duration: loading the archive's module and running its top-level code. */
  loadMs: number;
  /** CPU time the container used to start and load the handler. */
  loadCpuMs: number;
  cold: InvocationMeasurement;
  warm: InvocationMeasurement[];
  /** One bare fan-out after each warm event, when the run asked for them. */
  bare: BareMeasurement[];
  peakRssBytes: number;
}

export interface ContainerRun {
  receivers: number;
  delayMs: number;
  /** Events after the first, in the same container, before the warm ones: not measured. */
  warmUpInvocations?: number;
  /** Events after those, in the same container. */
  warmInvocations: number;
  /**
   * Set, a bare fan-out follows each event, to the same receivers with the same body size and at most
   * this many requests in flight (the notifier's limit); those after the warm events are measured. So
   * the reference is warmed as long as the notifier, and measured in the same process at the same time.
   */
  bareConcurrency?: number;
}

/** How many receivers the function reports as delivered: the notifier's outcomes or the baseline's count. */
function deliveredCount(result: unknown): number | undefined {
  const outcomes = (result as { outcomes?: unknown } | undefined)?.outcomes;
  if (Array.isArray(outcomes)) {
    return outcomes.filter((outcome) => (outcome as { delivered?: unknown }).delivered === true).length;
  }
  const delivered = (result as { delivered?: unknown } | undefined)?.delivered;
  return typeof delivered === "number" ? delivered : undefined;
}

/** A figure from an event that did not reach every receiver would flatter the function: stop instead. */
function checkDelivered(fn: FunctionUnderTest, run: ContainerRun, invocation: Invocation, requests: number) {
  const delivered = invocation.ok ? deliveredCount(invocation.result) : undefined;
  if (invocation.ok && delivered === run.receivers && requests === run.receivers) return;
  const reason = invocation.ok
    ? `delivered ${String(delivered)}, receivers got ${requests} requests`
    : `${invocation.error?.name}: ${invocation.error?.message}`;
  throw new Error(
    `${fn.label}, ${run.receivers} receivers at ${run.delayMs} ms: expected ${run.receivers} deliveries; ${reason}\n` +
      invocation.logs.slice(-10).join("\n"),
  );
}

/**
 * Starts a new container of the function (a cold start), sends it one event for the project with
 * `run.receivers` receivers, then `run.warmUpInvocations` more that are not measured, then
 * `run.warmInvocations` more, each a new build event with its own id.
 */
export async function measureContainer(
  fn: FunctionUnderTest,
  stand: BenchStand,
  run: ContainerRun,
): Promise<ContainerMeasurement> {
  stand.receivers.setDelay(run.delayMs);
  const lambda = await stand.startContainer(fn);
  try {
    const pid = findContainerPid(fn.codeDir);
    const loadCpuMs = cpuTimeMs(pid);
    const invocations: InvocationMeasurement[] = [];
    const bare: BareMeasurement[] = [];
    const warmUp = run.warmUpInvocations ?? 0;
    let bodyBytes = 0;
    for (let index = 0; index <= warmUp + run.warmInvocations; index++) {
      stand.parameterStore.resetCalls();
      stand.dynamodb.resetCalls();
      stand.receivers.resetTraffic();
      const event = buildEvent("SUCCEEDED", stand.projectWith(run.receivers));
      const cpuBefore = cpuTimeMs(pid);
      const invocation = await lambda.invoke(event, { timeoutMs: fn.timeoutMs });
      const cpu = cpuSince(cpuBefore, cpuTimeMs(pid));
      const traffic = stand.receivers.traffic();
      checkDelivered(fn, run, invocation, traffic.requests);
      bodyBytes ||= Math.round(traffic.bodyBytes / traffic.requests);
      const dynamodb = stand.dynamodb.calls();
      invocations.push({
        durationMs: invocation.durationMs,
        cpuMs: cpu.totalMs,
        jsThreadCpuMs: cpu.jsThreadMs,
        parameterReadMs: stand.parameterStore.readWindowMs(),
        parameterStoreCalls: stand.parameterStore.calls.length,
        dynamodbCalls: dynamodb.total,
        dynamodbCallsByOperation: dynamodb.byOperation,
        dynamodbConnections: dynamodb.connections,
        receiverConnections: traffic.connections,
        peakInFlight: traffic.peakInFlight,
      });
      if (run.bareConcurrency !== undefined) {
        const urls = Array.from({ length: run.receivers }, (_, receiver) => stand.receivers.url(receiver));
        const bareBefore = cpuTimeMs(pid);
        const durationMs = await lambda.bareRequests({ urls, bodyBytes, concurrency: run.bareConcurrency });
        const bareCpu = cpuSince(bareBefore, cpuTimeMs(pid));
        if (index > warmUp)
          bare.push({ durationMs, cpuMs: bareCpu.totalMs, jsThreadCpuMs: bareCpu.jsThreadMs });
      }
    }
    const [cold, ...later] = invocations;
    const warm = later.slice(warmUp);
    return {
      loadMs: lambda.loadMs,
      loadCpuMs: loadCpuMs.totalMs,
      cold,
      warm,
      bare,
      peakRssBytes: await lambda.peakRssBytes(),
    };
  } finally {
    await lambda.close();
  }
}
