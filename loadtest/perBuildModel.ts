import type { DeadLetterRecord } from "../src/replayDeadLetters";
import { DEFAULT_PARAMETER_PATH } from "../src/notifier/registryEntries";
import type { InvocationRecord } from "./asyncLambda";
import type { StreakFinding } from "./streakModel";
import type { TakenRequest } from "./streakReceivers";
import { BUILD_VARIABLE_VALUE, type BuildStart, type StreakBuild } from "./streakScenario";

export interface PerBuildObservations {
  builds: readonly StreakBuild[];
  starts: readonly BuildStart[];
  /** What the per-build receiver took. */
  taken: readonly TakenRequest[];
  invocations: readonly InvocationRecord[];
  /** The bodies of the dead letters left after the replay. */
  deadLetters: readonly string[];
}

export interface PerBuildModelReport {
  /** Builds whose message the receiver took. */
  messages: number;
  posts: number;
  updates: number;
  violations: StreakFinding[];
  /** Bent only where docs/delivery.md says they may be: a container killed, or every record refused. */
  windows: StreakFinding[];
}

const RECEIVER = "messages";
const URL_PARAMETER = `${DEFAULT_PARAMETER_PATH}${RECEIVER}/url`;

/**
 * Checks what the receiver with one message per build took: one post per build; every later request of
 * the build an update of that post (its ts); the message ends showing the build's final status, unless
 * its final event is still in the dead-letter queue naming the receiver; an IN_PROGRESS never sent after
 * the final status, short of a late post when every record of the final status sent was lost; each
 * delivery taken once; nothing filled from a build variable.
 */
export function checkPerBuildMessages(seen: PerBuildObservations): PerBuildModelReport {
  const report: PerBuildModelReport = { messages: 0, posts: 0, updates: 0, violations: [], windows: [] };
  const events = new Map<string, { build: StreakBuild; status: string }>([
    ...seen.builds.map((build) => [build.id, { build, status: build.status }] as const),
    ...seen.starts.map((start) => [start.id, { build: start.build, status: "IN_PROGRESS" }] as const),
  ]);
  const deadLetters = seen.deadLetters.map((body) => JSON.parse(body) as DeadLetterRecord);
  const deadLettered = (eventId: string) =>
    deadLetters.some(
      (record) =>
        (record.requestPayload as { id?: string } | undefined)?.id === eventId &&
        record.responsePayload?.errorMessage?.includes(URL_PARAMETER),
    );
  /** The invocations of the event that ran while the receiver took its request at `at`: one of them sent it. */
  const sendersOf = (eventId: string, at: number) =>
    seen.invocations.filter((run) => run.eventId === eventId && at >= run.startedAt && at <= run.endedAt);
  const cutShort = (run: InvocationRecord) => run.killed || run.error?.name === "Sandbox.Timedout";
  /**
   * The invocation that sent the request taken at `at` may have left the event's delivery record without
   * it (killed or timed out while the receiver took it, or it logged the record unwritten): a retry of the
   * event sends it again (docs/delivery.md). The build's message record alone lost changes nothing there.
   */
  const lostDeliveryRecord = (eventId: string, at: number) =>
    sendersOf(eventId, at).some((run) => cutShort(run) || run.unrecorded.deliveries.includes(URL_PARAMETER));
  /**
   * The invocation that sent the request taken at `at` left no record of it at all, and had ended before
   * `before`: it was killed or timed out while the receiver took it, or it logged both the event's delivery
   * record and the build's message record unwritten. Once its lease is over, the build's other events find
   * the message unposted (docs/per-build-messages.md); until then they wait for Lambda's retry.
   */
  const lostEveryRecord = (eventId: string, at: number, before: number) =>
    sendersOf(eventId, at).some(
      (run) =>
        run.endedAt < before &&
        (cutShort(run) ||
          (run.unrecorded.deliveries.includes(URL_PARAMETER) &&
            run.unrecorded.streaks.includes(URL_PARAMETER))),
    );

  // Each delivery once: a webhook-id taken again is a duplicate, unless its first record was lost.
  const byWebhookId = new Map<string, TakenRequest[]>();
  for (const request of seen.taken) {
    byWebhookId.set(request.webhookId, [...(byWebhookId.get(request.webhookId) ?? []), request]);
  }
  const byBuild = new Map<StreakBuild, TakenRequest[]>();
  /** Every request of each build, a delivery taken again too. */
  const everyByBuild = new Map<StreakBuild, TakenRequest[]>();
  for (const requests of byWebhookId.values()) {
    const [request] = requests;
    const known = events.get(request.eventId);
    if (!known) {
      report.violations.push({
        receiver: RECEIVER,
        project: "?",
        detail: `took a request of no event of the run: ${request.path}`,
      });
      continue;
    }
    const { build } = known;
    const finding = (detail: string) => ({
      receiver: RECEIVER,
      project: build.project,
      detail: `build #${build.number}: ${detail}`,
    });
    if (requests.length > 1) {
      const taken = finding(`${request.path} of its ${known.status} event taken ${requests.length} times`);
      (lostDeliveryRecord(request.eventId, request.receivedAt) ? report.windows : report.violations).push(
        taken,
      );
    }
    const text = `${request.path} ${JSON.stringify(request.body)}`;
    if (text.includes(BUILD_VARIABLE_VALUE))
      report.violations.push(finding(`filled from a build variable: ${text}`));
    if (request.body.build !== build.event.detail?.["build-id"] || request.body.status !== known.status) {
      report.violations.push(
        finding(`a request of its ${known.status} event names another build or status: ${text}`),
      );
    }
    byBuild.set(build, [...(byBuild.get(build) ?? []), request]);
    everyByBuild.set(build, [...(everyByBuild.get(build) ?? []), ...requests]);
  }

  for (const build of seen.builds) {
    const requests = (byBuild.get(build) ?? []).sort((a, b) => a.receivedAt - b.receivedAt);
    const finding = (detail: string) => ({
      receiver: RECEIVER,
      project: build.project,
      detail: `build #${build.number}: ${detail}`,
    });
    /** Every request of the build matching `sent` taken before `at` left no record of it, by then. */
    const unknownBefore = (at: number, sent: (request: TakenRequest) => boolean) =>
      (everyByBuild.get(build) ?? [])
        .filter((request) => sent(request) && request.receivedAt < at)
        .every((request) => lostEveryRecord(request.eventId, request.receivedAt, at));
    const posts = requests.filter((request) => request.path === "/post");
    const updates = requests.filter((request) => request.path !== "/post");
    report.posts += posts.length;
    report.updates += updates.length;
    if (requests.length > 0) report.messages += 1;
    const [post] = posts;
    if (posts.length > 1) {
      const second = posts[1];
      const posted = finding(
        `posted ${posts.length} times (${posts.map((request) => request.body.status).join(", ")})`,
      );
      // A second event posts only when every request of the first post's event was sent by an invocation
      // that lost every record of it, and ended before (docs/per-build-messages.md).
      (unknownBefore(second.receivedAt, (request) => request.eventId === post.eventId)
        ? report.windows
        : report.violations
      ).push(posted);
    }
    for (const update of updates) {
      if (!post || update.receivedAt < post.receivedAt) {
        report.violations.push(finding(`updated (${update.path}) before any post`));
      } else if (!posts.some((candidate) => update.path === `/update/${candidate.issued}`)) {
        report.violations.push(
          finding(`update ${update.path} does not address its post (ts ${post.issued})`),
        );
      }
      if (update.body.status === "IN_PROGRESS") report.violations.push(finding("an IN_PROGRESS update"));
    }
    const finalAt = requests.findIndex((request) => request.body.status !== "IN_PROGRESS");
    const lateStarts =
      finalAt < 0 ? [] : requests.slice(finalAt).filter((request) => request.body.status === "IN_PROGRESS");
    if (lateStarts.length > 0) {
      // The build's IN_PROGRESS posts after its final status only when it finds the message unposted: when
      // every final-status request taken before it (a Lambda retry's too) was sent by an invocation that lost
      // every record of it and had ended. Then it posts a second message, late.
      const unknowable = lateStarts.every(
        (start) =>
          start.path === "/post" &&
          unknownBefore(start.receivedAt, (request) => request.body.status !== "IN_PROGRESS"),
      );
      (unknowable ? report.windows : report.violations).push(
        finding("IN_PROGRESS sent after its final status"),
      );
    }
    if (finalAt < 0 && !deadLettered(build.id)) {
      report.violations.push(finding(`the message never showed its final status ${build.status}`));
    }
  }
  return report;
}
