import { buildEvent } from "../test/support/buildEvents";
import type { BenchStand } from "./benchStand";
import { summarizeProfile, type ProfileSummary } from "./cpuProfile";
import type { FunctionUnderTest } from "./functionsUnderTest";

/** Events a container handles before the profiled one, so that the JIT has compiled the hot path. */
const WARM_UP_EVENTS = 8;

/** Where a warm event's CPU time goes: V8's profile of one event, after the container has warmed up. */
export async function profileWarmEvent(
  fn: FunctionUnderTest,
  stand: BenchStand,
  scenario: { receivers: number; delayMs: number },
): Promise<ProfileSummary> {
  stand.receivers.setDelay(scenario.delayMs);
  const lambda = await stand.startContainer(fn);
  try {
    const event = () => buildEvent("SUCCEEDED", stand.projectWith(scenario.receivers));
    for (let index = 0; index < WARM_UP_EVENTS; index++) await lambda.invoke(event());
    const profiled = await lambda.invoke(event(), { profile: true, timeoutMs: fn.timeoutMs });
    if (!profiled.ok || !profiled.cpuProfile) {
      throw new Error(`The profiled event failed: ${JSON.stringify(profiled.error)}`);
    }
    return summarizeProfile(profiled.cpuProfile);
  } finally {
    await lambda.close();
  }
}
