import { DEFAULT_PARAMETER_PATH } from "../src/notifier/registryEntries";
import { RETRY_DELAYS_MS, TIME_SCALE } from "./asyncLambda";
import { sendBurst } from "./eventSource";
import { expectedNotices } from "./expectedNotices";
import { failureCauses } from "./failureCauses";
import { dynamoDbThrottling, PARAMETER_STORE_READS_PER_SECOND } from "./faults";
import { checkInvariants, invariantsHold, type InvariantReport } from "./invariants";
import { deployLoadTestStack, withAsyncLambda } from "./loadTestStack";
import { commandFor, type LoadTestOptions } from "./options";
import { startReceiverFleet, type AnswerCounts } from "./receiverFleet";
import { replayOnceLeasesEnd, type ReplayRun } from "./replayDeadLetters";
import { buildScenario } from "./scenario";

export interface LoadTestResult {
  command: string;
  options: LoadTestOptions;
  projects: number;
  /** The burst: from the first event sent to the last delivery settled, before the replay. */
  burstS: number;
  eventsPerSecond: number;
  /** From an event's sending to the receiver's 2xx, for the notices taken during the burst. */
  latencyMs: { p50: number; p95: number; p99: number };
  /** Requests the receivers got, every attempt and every invocation's. */
  requests: number;
  answers: AnswerCounts;
  invocations: number;
  lambdaRetries: number;
  /** Failed invocations (of the burst) by cause. */
  failures: [string, number][];
  /** Events Lambda delivered twice. */
  duplicateEvents: number;
  deadLetters: number;
  replayed: number;
  replay: ReplayRun;
  containersKilled: number;
  /** Containers started: the first ones, and a fresh one after each kill or timeout. */
  coldStarts: number;
  /** The notifier's reads, and the builds' own (CodeBuild reading their PARAMETER_STORE variables). */
  parameterStore: { reads: number; throttled: number; buildReads: number; buildReadsThrottled: number };
  dynamoDb: { calls: number; throttled: number };
  invariants: InvariantReport;
  passed: boolean;
  /** The whole run, deployment and replay included. */
  totalS: number;
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

/**
 * The load run: the scenario's burst through the notifier's archive in local containers, with the faults
 * switched on, then `npm run replay-dead-letters`, then the invariants over every expected notice.
 */
export async function runLoadTest(
  options: LoadTestOptions,
  progress: (line: string) => void = () => undefined,
): Promise<LoadTestResult> {
  const started = Date.now();
  const { faults } = options;
  const scenario = buildScenario(options);
  if (!options.duplicateEvents) scenario.duplicates.clear();
  const expected = expectedNotices(scenario);
  progress(
    `Scenario (seed ${options.seed}): ${scenario.events.length} events of ${scenario.projects.length} projects, ` +
      `${scenario.receivers.length} receivers, ${expected.size} notices called for`,
  );
  const fleet = await startReceiverFleet(
    scenario.receivers,
    options.seed,
    faults,
    faults.outage ? scenario.outageReceiver : undefined,
  );
  try {
    const stack = await deployLoadTestStack(scenario, fleet, options.containers, progress);
    return await withAsyncLambda(stack, async (lambda, deadLetters) => {
      const { parameterStore, dynamodbProxy } = stack.local;
      if (faults.parameterThrottling) parameterStore.throttleReadsAbove(PARAMETER_STORE_READS_PER_SECOND);
      const throttling = dynamoDbThrottling(options.seed);
      if (faults.dynamoDbThrottling) dynamodbProxy.injectFaults(throttling.decide);
      parameterStore.resetCalls();
      dynamodbProxy.resetCalls();

      let killed = 0;
      let killing = false;
      if (faults.containerKill) {
        fleet.onAccepted((eventId) => {
          if (eventId !== scenario.killedEvent || killed > 0 || killing) return;
          killing = true;
          void lambda.killWhileRunning(eventId).then((done) => {
            killed += Number(done);
            killing = false;
          });
        });
      }

      progress(
        `Sending the burst through ${options.containers} containers (Lambda's timings ${TIME_SCALE}× faster: ` +
          `timeout ${stack.timeoutMs / 1000} s, retries after ${RETRY_DELAYS_MS.map((ms) => `${ms / 1000} s`).join(" and ")})`,
      );
      const burstStarted = Date.now();
      const { sentAt, buildReadsThrottled } = await sendBurst(scenario, lambda, parameterStore.endpoint);
      const burstEnded = Date.now();

      // The receiver is fixed and the operator replays once the last invocation's lease has run out.
      fleet.endOutage();
      const replay = await replayOnceLeasesEnd(deadLetters, lambda, stack.timeoutMs, progress);

      const invariants = checkInvariants(expected, {
        accepted: fleet.accepted,
        webhookIds: fleet.webhookIds,
        invocations: lambda.invocations,
        deadLetters: deadLetters.bodies,
      });
      const latencies = [...fleet.accepted].flatMap(([key, [first]]) =>
        first.at <= burstEnded ? [first.at - (sentAt.get(key.split(" ")[0]) ?? first.at)] : [],
      );
      latencies.sort((a, b) => a - b);
      const asyncRuns = lambda.invocations.filter((invocation) => invocation.attempt !== undefined);
      const restarts = lambda.invocations.filter(
        (invocation) => invocation.killed || invocation.error?.name === "Sandbox.Timedout",
      ).length;
      const burstS = (burstEnded - burstStarted) / 1000;
      const notifierReads = parameterStore.calls.filter((call) =>
        call.names.every((name) => name.startsWith(DEFAULT_PARAMETER_PATH)),
      ).length;
      const proxied = dynamodbProxy.calls();
      return {
        command: commandFor(options),
        options,
        projects: scenario.projects.length,
        burstS,
        eventsPerSecond: scenario.events.length / burstS,
        latencyMs: {
          p50: percentile(latencies, 0.5),
          p95: percentile(latencies, 0.95),
          p99: percentile(latencies, 0.99),
        },
        requests: fleet.requests(),
        answers: fleet.answers,
        invocations: asyncRuns.length,
        lambdaRetries: asyncRuns.filter((invocation) => (invocation.attempt ?? 0) > 0).length,
        failures: failureCauses(asyncRuns),
        duplicateEvents: scenario.duplicates.size,
        deadLetters: lambda.deadLettered,
        replayed: Number(/^(\d+) replayed/m.exec(replay.stdout)?.[1] ?? 0),
        replay,
        containersKilled: killed,
        coldStarts: options.containers + restarts,
        parameterStore: {
          reads: notifierReads,
          throttled: parameterStore.throttledReads() - buildReadsThrottled,
          buildReads: parameterStore.calls.length - notifierReads,
          buildReadsThrottled,
        },
        dynamoDb: { calls: proxied.total, throttled: throttling.injected() },
        invariants,
        passed: invariantsHold(invariants),
        totalS: (Date.now() - started) / 1000,
      };
    });
  } finally {
    await fleet.close();
  }
}
