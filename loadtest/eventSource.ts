import type { AsyncLambda } from "./asyncLambda";
import { readBuildParameters } from "./buildParameterReads";
import type { Scenario } from "./scenario";

/**
 * Sends the scenario's events as CodeBuild and EventBridge do in a burst: every project at once, and
 * within a project its builds in turn. A build takes minutes, longer than Lambda takes to run the event
 * of the build before it, so a project's next event is sent once Lambda has run its last finished
 * build's event once (Lambda's retries of that event, minutes apart, may come after it, as they may on
 * AWS). Each event is stamped with the time it is sent, as EventBridge stamps it; as each build starts,
 * CodeBuild reads its parameters from the parameter store the notifier uses. Resolves, once every
 * delivery has settled, with when each event was sent and how many build reads were throttled.
 */
export async function sendBurst(
  scenario: Scenario,
  lambda: AsyncLambda,
  parameterStoreEndpoint: string,
): Promise<{ sentAt: Map<string, number>; buildReadsThrottled: number }> {
  const sentAt = new Map<string, number>();
  let buildReadsThrottled = 0;
  await Promise.all(
    [...scenario.eventsByProject.values()].map(async (events) => {
      for (const { id, status, event } of events) {
        const now = Date.now();
        event.time = new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z");
        sentAt.set(id, now);
        if (status === "IN_PROGRESS") {
          buildReadsThrottled += Number(await readBuildParameters(parameterStoreEndpoint, event));
        }
        const delivery = lambda.invokeAsync(event, scenario.duplicates.get(id));
        if (status !== "IN_PROGRESS") await delivery.handled;
      }
    }),
  );
  await lambda.drained();
  return { sentAt, buildReadsThrottled };
}
