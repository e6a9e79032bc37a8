import { MAX_CONCURRENT_DELIVERIES } from "../src/notifier/deliverRequests";
import type { BenchOptions } from "./benchOptions";
import type { BenchStand } from "./benchStand";
import type { FunctionUnderTest } from "./functionsUnderTest";
import { measureContainer, type ContainerMeasurement } from "./measureContainer";

/** Everything measured for one fan-out: receivers on one project, all answering after the same delay. */
export interface ScenarioResult {
  receivers: number;
  delayMs: number;
  /** One entry per container: its cold event and its warm ones. */
  notifier: ContainerMeasurement[];
  /** One container; the baseline caches nothing, so its cold and warm events do the same work. */
  baseline: ContainerMeasurement[];
}

/** Runs every scenario of the plan against both functions, reporting progress line by line. */
export async function runScenarios(
  options: BenchOptions,
  stand: BenchStand,
  functions: { notifier: FunctionUnderTest; baseline: FunctionUnderTest },
  progress: (line: string) => void,
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const receivers of options.receiverCounts) {
    for (const delayMs of options.delaysMs) {
      const started = Date.now();
      const notifier: ContainerMeasurement[] = [];
      for (let repeat = 0; repeat < options.repeats; repeat++) {
        notifier.push(
          await measureContainer(functions.notifier, stand, {
            receivers,
            delayMs,
            warmUpInvocations: options.warmUpInvocations,
            warmInvocations: options.warmInvocations,
            bareConcurrency: MAX_CONCURRENT_DELIVERIES,
          }),
        );
      }
      const baseline = [
        await measureContainer(functions.baseline, stand, {
          receivers,
          delayMs,
          warmInvocations: options.baselineInvocations(receivers) - 1,
        }),
      ];
      results.push({ receivers, delayMs, notifier, baseline });
      progress(`${receivers} receivers at ${delayMs} ms: ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  }
  return results;
}
