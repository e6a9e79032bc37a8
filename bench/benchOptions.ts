/** What `npm run bench` measures, from its command line. */
export interface BenchOptions {
  /** Containers per notifier scenario (each: a cold event, then warm ones). */
  repeats: number;
  /** A shorter run: one container per scenario unless told otherwise, bench/results.json left alone. */
  quick: boolean;
  /** An unpacked code archive to measure instead of building the notifier's afresh (e.g. an earlier release's). */
  archive?: string;
  /** The Node.js binary to run the functions on, instead of the runtime's release (bench/runtimeNode.ts). */
  node?: string;
  receiverCounts: number[];
  delaysMs: number[];
  /**
   * Events after the first in each notifier container that let the JIT compile the hot path before the
   * warm events are measured: a warm Lambda container has handled many events.
   */
  warmUpInvocations: number;
  /** Events after those in each notifier container: the warm figures. */
  warmInvocations: number;
  /**
   * Events the baseline handles per scenario, in one container: at most 3, since it caches nothing and
   * varies little, and one at 500 receivers, where one event takes 25–100 s.
   */
  baselineInvocations(receivers: number): number;
}

const USAGE = "Usage: npm run bench -- [--repeats N] [--quick] [--archive DIR] [--node PATH]";
const DEFAULT_REPEATS = 5;
const MAX_BASELINE_REPEATS = 3;

export function parseBenchOptions(args: readonly string[]): BenchOptions {
  let repeats: number | undefined;
  let quick = false;
  let archive: string | undefined;
  let node: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === "--quick") {
      quick = true;
    } else if (arg === "--archive") {
      archive = args[++index];
      if (!archive) throw new Error(`--archive needs the folder of an unpacked code archive\n${USAGE}`);
    } else if (arg === "--node") {
      node = args[++index];
      if (!node) throw new Error(`--node needs the path of a Node.js binary\n${USAGE}`);
    } else if (arg === "--repeats") {
      repeats = Number(args[++index]);
      if (!Number.isInteger(repeats) || repeats < 1) {
        throw new Error(`--repeats needs a whole number of at least 1\n${USAGE}`);
      }
    } else {
      throw new Error(`Unknown argument ${arg}\n${USAGE}`);
    }
  }
  const runs = repeats ?? (quick ? 1 : DEFAULT_REPEATS);
  return {
    repeats: runs,
    quick,
    ...(archive ? { archive } : {}),
    ...(node ? { node } : {}),
    // Every receiver count a budget line is judged at, so that a quick run reports the same lines.
    receiverCounts: quick ? [1, 10, 50, 500] : [1, 10, 50, 100, 500],
    delaysMs: [50, 200],
    warmUpInvocations: 5,
    warmInvocations: 8,
    baselineInvocations: (receivers) => (receivers >= 500 ? 1 : Math.min(runs, MAX_BASELINE_REPEATS)),
  };
}
