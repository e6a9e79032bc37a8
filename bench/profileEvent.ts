import * as fs from "node:fs";
import * as path from "node:path";
import { buildEvent } from "../test/support/buildEvents";
import type { BenchStand } from "./benchStand";
import { summarizeProfile, type ProfileSummary } from "./cpuProfile";
import type { FunctionUnderTest } from "./functionsUnderTest";

/** Events a container handles before the profiled ones, so that the JIT has compiled the hot path. */
const WARM_UP_EVENTS = 8;
/** Events profiled one by one; their summaries are averaged, since a single event may or may not collect garbage. */
const PROFILED_EVENTS = 4;

/** The mean of several summaries, entry by entry. */
function meanOf(summaries: readonly ProfileSummary[]): ProfileSummary {
  const mean = <T extends { ms: number }>(lists: T[][], key: (entry: T) => string): T[] => {
    const sums = new Map<string, T>();
    for (const entry of lists.flat()) {
      const sum = sums.get(key(entry));
      sums.set(key(entry), sum ? { ...sum, ms: sum.ms + entry.ms } : { ...entry });
    }
    return [...sums.values()].map((entry) => ({ ...entry, ms: entry.ms / summaries.length }));
  };
  return {
    totalMs: summaries.reduce((sum, summary) => sum + summary.totalMs, 0) / summaries.length,
    bySource: mean(
      summaries.map((summary) => summary.bySource),
      (entry) => entry.source,
    ).sort((a, b) => b.ms - a.ms),
    byCategory: mean(
      summaries.map((summary) => summary.byCategory),
      (entry) => entry.category,
    ),
    topFunctions: mean(
      summaries.map((summary) => summary.topFunctions),
      (entry) => `${entry.name} ${entry.source}`,
    )
      .sort((a, b) => b.ms - a.ms)
      .slice(0, summaries[0]?.topFunctions.length ?? 0),
  };
}

/**
 * Where a warm event's CPU time goes: V8's profiles of a few events, averaged, after the container has
 * warmed up.
 */
export async function profileWarmEvent(
  fn: FunctionUnderTest,
  stand: BenchStand,
  scenario: { receivers: number; delayMs: number },
): Promise<ProfileSummary & { events: number }> {
  stand.receivers.setDelay(scenario.delayMs);
  const handlerFile = path.join(fn.codeDir, `${fn.handler.slice(0, fn.handler.lastIndexOf("."))}.js`);
  const handlerSource = fs.existsSync(handlerFile) ? fs.readFileSync(handlerFile, "utf8") : "";
  const lambda = await stand.startContainer(fn);
  try {
    const event = () => buildEvent("SUCCEEDED", stand.projectWith(scenario.receivers));
    for (let index = 0; index < WARM_UP_EVENTS; index++) await lambda.invoke(event());
    const summaries: ProfileSummary[] = [];
    for (let index = 0; index < PROFILED_EVENTS; index++) {
      const profiled = await lambda.invoke(event(), { profile: true, timeoutMs: fn.timeoutMs });
      if (!profiled.ok || !profiled.cpuProfile) {
        throw new Error(`The profiled event failed: ${JSON.stringify(profiled.error)}`);
      }
      summaries.push(summarizeProfile(profiled.cpuProfile, handlerSource));
    }
    return { ...meanOf(summaries), events: PROFILED_EVENTS };
  } finally {
    await lambda.close();
  }
}
