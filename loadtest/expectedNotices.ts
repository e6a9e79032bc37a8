import { FINAL_BUILD_STATUSES } from "../src/shared/buildStatuses";
import { EVERY_PROJECT } from "../src/shared/registryFormat";
import type { Scenario, ScenarioEvent } from "./scenario";

/** One notice a receiver must get: an (event, receiver) pair. */
export interface ExpectedNotice {
  event: ScenarioEvent;
  receiver: string;
}

/** The key of an (event, receiver) pair. */
export function noticeKey(eventId: string, receiver: string): string {
  return `${eventId} ${receiver}`;
}

/**
 * Every notice the scenario calls for, worked out from the scenario alone (not from anything the notifier
 * recorded): a receiver hears of an event when it names the event's project (or `"*"`) and status; one
 * told of changes only also needs the build's final status to differ from the project's previous
 * finished build (by build number; a project's first finished build counts as a change).
 */
export function expectedNotices(
  scenario: Pick<Scenario, "eventsByProject" | "receivers">,
): Map<string, ExpectedNotice> {
  const expected = new Map<string, ExpectedNotice>();
  for (const [project, events] of scenario.eventsByProject) {
    let previous: string | undefined;
    let previousNumber = -Infinity;
    for (const event of events) {
      const final = FINAL_BUILD_STATUSES.includes(event.status);
      const changed = final && event.status !== previous;
      if (final) {
        if ((event.buildNumber ?? 0) <= previousNumber) {
          throw new Error(`The scenario has ${project}'s builds out of order at ${event.buildNumber}`);
        }
        previous = event.status;
        previousNumber = event.buildNumber ?? 0;
      }
      for (const receiver of scenario.receivers) {
        const hears =
          (receiver.projects.includes(project) || receiver.projects.includes(EVERY_PROJECT)) &&
          receiver.statuses.includes(event.status) &&
          (!receiver.onlyOnChange || changed);
        if (hears) expected.set(noticeKey(event.id, receiver.name), { event, receiver: receiver.name });
      }
    }
  }
  return expected;
}
