import type { DeadLetterRecord } from "../src/replayDeadLetters";
import { DEFAULT_PARAMETER_PATH } from "../src/notifier/registryEntries";
import type { InvocationRecord } from "./asyncLambda";
import type { ExpectedNotice } from "./expectedNotices";
import type { Acceptance } from "./receiverFleet";

/** One (event, receiver) pair that broke, or bent, an invariant. */
export interface PairFinding {
  eventId: string;
  receiver: string;
  detail: string;
}

export interface InvariantReport {
  expected: number;
  deliveredOnce: number;
  /** Taken more than once, outside the documented crash window: must be none. */
  duplicates: PairFinding[];
  /**
   * Taken again after the container sending it was killed between the receiver's answer and the
   * event's record: the window docs/delivery.md leaves open, reported apart and allowed.
   */
  crashWindowDuplicates: PairFinding[];
  /** Never taken, and not in the dead-letter queue with its reason: must be none. */
  lost: PairFinding[];
  /** Never taken, still in the dead-letter queue after the replay, its dead letter naming the receiver. */
  stillDeadLettered: PairFinding[];
  /** Taken though the scenario calls for no such notice: must be none. */
  unexpected: PairFinding[];
  /** A pair whose requests carried more than one webhook-id, or a webhook-id two pairs shared: must be none. */
  unstableWebhookIds: PairFinding[];
}

export interface Observations {
  accepted: Map<string, Acceptance[]>;
  webhookIds: Map<string, Set<string>>;
  invocations: InvocationRecord[];
  /** The bodies of the dead letters left after the replay. */
  deadLetters: string[];
}

/** One invocation, for a finding: when it ran and how it ended. */
function describeRun(invocation: InvocationRecord): string {
  const kind =
    invocation.attempt === undefined ? "replay" : `${invocation.twin ? "twin " : ""}#${invocation.attempt}`;
  const outcome = invocation.ok ? "ok" : invocation.killed ? "killed" : (invocation.error?.name ?? "failed");
  return `${kind} on container ${invocation.container} ${new Date(invocation.startedAt).toISOString().slice(11, 23)}+${invocation.endedAt - invocation.startedAt} ms ${outcome}`;
}

function splitKey(key: string): { eventId: string; receiver: string } {
  const [eventId, receiver] = key.split(" ");
  return { eventId, receiver };
}

/**
 * Checks every (event, receiver) pair the scenario calls for against what the receivers took: each was
 * taken exactly once or, only if the replay failed it too, is still dead-lettered with a reason naming
 * the receiver; nothing else was taken; and each delivery kept one webhook-id of its own.
 */
export function checkInvariants(expected: Map<string, ExpectedNotice>, seen: Observations): InvariantReport {
  const report: InvariantReport = {
    expected: expected.size,
    deliveredOnce: 0,
    duplicates: [],
    crashWindowDuplicates: [],
    lost: [],
    stillDeadLettered: [],
    unexpected: [],
    unstableWebhookIds: [],
  };
  const killed = seen.invocations.filter((invocation) => invocation.killed);
  const duringKilledRun = (eventId: string, at: number): boolean =>
    killed.some((run) => run.eventId === eventId && at >= run.startedAt && at <= run.endedAt);
  const deadLetters = seen.deadLetters.map((body) => JSON.parse(body) as DeadLetterRecord);

  for (const [key, acceptances] of seen.accepted) {
    const { eventId, receiver } = splitKey(key);
    if (!expected.has(key)) {
      report.unexpected.push({
        eventId,
        receiver,
        detail: `taken ${acceptances.length} times, not called for`,
      });
    } else if (acceptances.length === 1) {
      report.deliveredOnce += 1;
    } else {
      const outsideWindow = acceptances.filter((acceptance) => !duringKilledRun(eventId, acceptance.at));
      const runs = seen.invocations
        .filter((invocation) => invocation.eventId === eventId)
        .map(describeRun)
        .join("; ");
      const finding = {
        eventId,
        receiver,
        detail: `taken ${acceptances.length} times; invocations: ${runs}`,
      };
      if (outsideWindow.length <= 1) report.crashWindowDuplicates.push(finding);
      else report.duplicates.push(finding);
    }
  }

  for (const [key, notice] of expected) {
    if (seen.accepted.has(key)) continue;
    const urlParameter = `${DEFAULT_PARAMETER_PATH}${notice.receiver}/url`;
    const deadLetter = deadLetters.find(
      (record) =>
        (record.requestPayload as { id?: string } | undefined)?.id === notice.event.id &&
        record.responsePayload?.errorMessage?.includes(urlParameter),
    );
    const finding = { eventId: notice.event.id, receiver: notice.receiver };
    if (deadLetter) {
      report.stillDeadLettered.push({ ...finding, detail: deadLetter.responsePayload?.errorMessage ?? "" });
    } else {
      report.lost.push({
        ...finding,
        detail: `${notice.event.project} ${notice.event.status}${notice.event.buildNumber ? ` #${notice.event.buildNumber}` : ""}: never taken, not dead-lettered`,
      });
    }
  }

  const pairOfId = new Map<string, string>();
  for (const [key, ids] of seen.webhookIds) {
    const { eventId, receiver } = splitKey(key);
    if (ids.size > 1)
      report.unstableWebhookIds.push({ eventId, receiver, detail: `${ids.size} webhook-ids` });
    for (const id of ids) {
      const other = pairOfId.get(id);
      if (other !== undefined && other !== key) {
        report.unstableWebhookIds.push({
          eventId,
          receiver,
          detail: `webhook-id ${id} also used for ${other}`,
        });
      }
      pairOfId.set(id, key);
    }
  }
  return report;
}

/** Whether every invariant holds (crash-window duplicates and dead letters with reasons are allowed). */
export function invariantsHold(report: InvariantReport): boolean {
  return (
    report.duplicates.length === 0 &&
    report.lost.length === 0 &&
    report.unexpected.length === 0 &&
    report.unstableWebhookIds.length === 0
  );
}
