import type { DeadLetterRecord } from "../src/replayDeadLetters";
import { DEFAULT_PARAMETER_PATH } from "../src/notifier/registryEntries";
import type { Transition } from "../src/shared/buildStatuses";
import type { InvocationRecord } from "./asyncLambda";
import type { StreakReceiver, TakenRequest } from "./streakReceivers";
import { BUILD_VARIABLE_VALUE, type StreakBuild } from "./streakScenario";

/** A build's transition, and the streak it belongs to (as the notifier recorded it, or the model judged). */
export interface BuildVerdict {
  transition?: Transition;
  streak?: number;
}

export interface StreakObservations {
  builds: readonly StreakBuild[];
  /**
   * The verdicts the notifier recorded, by event id; a build recorded after a newer one of its project
   * has none (it changed nothing). They say which builds the status record took in order (checked against
   * the invocations' timing); their transitions are checked against the model's own judgment.
   */
  verdicts: ReadonlyMap<string, BuildVerdict>;
  taken: readonly TakenRequest[];
  invocations: readonly InvocationRecord[];
  /** The bodies of the dead letters left after the replay. */
  deadLetters: readonly string[];
}

/** A broken invariant, or (`window`) one bent inside a window docs/delivery.md leaves open. */
export interface StreakFinding {
  receiver: string;
  project: string;
  detail: string;
}

export interface StreakModelReport {
  builds: number;
  streaks: number;
  fixedStreaks: number;
  /** Jira-like tickets opened, and closed by their streak's fix. */
  tickets: number;
  ticketsClosed: number;
  /** Alerts named by the project opened, and closed. */
  alertsOpened: number;
  alertsClosed: number;
  /** Deliveries the receivers took (each webhook-id once), and those taken more than once. */
  deliveries: number;
  /** Notices of the model still in the dead-letter queue after the replay, with their reason. */
  stillDeadLettered: number;
  violations: StreakFinding[];
  /** Bent only where docs/delivery.md says they may be: a container killed, or every record refused. */
  windows: StreakFinding[];
}

/** One failure streak of a project, as the model judged its builds. */
interface Streak {
  start: number;
  failures: StreakBuild[];
  fix?: StreakBuild;
}

interface Delivery {
  request: TakenRequest;
  build: StreakBuild;
  verdict: BuildVerdict;
}

const urlParameter = (receiver: string) => `${DEFAULT_PARAMETER_PATH}${receiver}/url`;
const OPENINGS: readonly (Transition | undefined)[] = ["broken", "still-failing"];

/**
 * Checks what each receiver with actions took against a model of what it must see. The model judges each
 * build's transition itself, from the final statuses of the builds the status record took in order, in
 * build-number order (a failure is FAILED, TIMED_OUT or FAULT; a stopped build changes nothing), and
 * checks the notifier's recorded verdicts against it, and which builds were taken in order against the
 * invocations' timing. Then:
 *
 * - one opening (ticket, alert, trigger) per streak per receiver;
 * - each still-failing and fixed addressed to the ticket its streak opened, and every opened ticket
 *   closed by its streak's fix; an alert named by the project closed by its fix unless a newer streak
 *   superseded it, and never closed by an older streak's fix after the newer one opened it;
 * - nothing filled from a build variable named like a remembered value;
 * - every other action taken once, or still in the dead-letter queue with a reason naming the receiver.
 */
export function checkStreaks(seen: StreakObservations): StreakModelReport {
  const builds = new Map(seen.builds.map((build) => [build.id, build]));
  const deadLetters = seen.deadLetters.map((body) => JSON.parse(body) as DeadLetterRecord);
  const report: StreakModelReport = {
    builds: seen.builds.length,
    streaks: 0,
    fixedStreaks: 0,
    tickets: 0,
    ticketsClosed: 0,
    alertsOpened: 0,
    alertsClosed: 0,
    deliveries: 0,
    stillDeadLettered: 0,
    violations: [],
    windows: [],
  };
  const violation = (receiver: string, project: string, detail: string) =>
    report.violations.push({ receiver, project, detail });
  const invocationsOf = (eventId: string) => seen.invocations.filter((run) => run.eventId === eventId);
  /**
   * An invocation of the event may have lost its record of what the receiver took at `at`: it was killed
   * or timed out while the receiver took it, or it logged the record (and, for an opening, the streak
   * record too) unwritten. The windows docs/delivery.md leaves open.
   */
  const lostRecord = (eventId: string, receiver: string, streakToo: boolean, at: number): boolean =>
    invocationsOf(eventId).some(
      (run) =>
        ((run.killed || run.error?.name === "Sandbox.Timedout") &&
          at >= run.startedAt &&
          at <= run.endedAt) ||
        (run.unrecorded.deliveries.includes(urlParameter(receiver)) &&
          (!streakToo || run.unrecorded.streaks.includes(urlParameter(receiver)))),
    );
  const deadLettered = (build: StreakBuild | undefined, receiver: string): boolean =>
    build !== undefined &&
    deadLetters.some(
      (record) =>
        (record.requestPayload as { id?: string } | undefined)?.id === build.id &&
        record.responsePayload?.errorMessage?.includes(urlParameter(receiver)),
    );
  const invokedWhile = (build: StreakBuild, other: StreakBuild): boolean => {
    const started = invocationsOf(build.id).map((run) => run.startedAt);
    const ended = invocationsOf(other.id).map((run) => run.endedAt);
    return started.length > 0 && ended.length > 0 && Math.min(...started) < Math.max(...ended);
  };
  report.stillDeadLettered = deadLetters.length;
  const judged = judgeBuilds(seen, (project, detail) => violation("(verdicts)", project, detail));

  // Each delivery once: a webhook-id taken again is a duplicate, unless its first record was lost.
  const deliveries: Delivery[] = [];
  const byWebhookId = new Map<string, TakenRequest[]>();
  for (const request of seen.taken) {
    const key = `${request.receiver} ${request.webhookId}`;
    byWebhookId.set(key, [...(byWebhookId.get(key) ?? []), request]);
  }
  for (const [, requests] of byWebhookId) {
    const [request] = requests;
    const build = builds.get(request.eventId);
    if (!build) {
      violation(request.receiver, "?", `took a request naming no build of the run: ${request.path}`);
      continue;
    }
    const where = `${request.path} of build #${build.number}`;
    if (requests.length > 1) {
      const finding = {
        receiver: request.receiver,
        project: build.project,
        detail: `${where} taken ${requests.length} times`,
      };
      if (lostRecord(build.id, request.receiver, false, request.receivedAt)) report.windows.push(finding);
      else report.violations.push(finding);
    }
    const text = `${request.path} ${JSON.stringify(request.body)}`;
    if (text.includes(BUILD_VARIABLE_VALUE)) {
      violation(request.receiver, build.project, `${where} was filled from a build variable: ${text}`);
    }
    deliveries.push({ request, build, verdict: judged.get(build.id) ?? {} });
  }
  report.deliveries = deliveries.length;

  for (const project of new Set(seen.builds.map((build) => build.project))) {
    const own = seen.builds.filter((build) => build.project === project);
    const streaks = streaksOf(own, judged);
    report.streaks += streaks.size;
    report.fixedStreaks += [...streaks.values()].filter((streak) => streak.fix).length;
    const taken = (receiver: StreakReceiver) =>
      deliveries.filter(
        (delivery) => delivery.request.receiver === receiver && delivery.build.project === project,
      );
    const context: ReceiverCheck = {
      project,
      streaks,
      violation,
      deadLettered,
      lostRecord,
      invokedWhile,
      report,
    };
    checkTickets(taken("jira"), context);
    checkAlerts(taken("alerts"), context);
    checkThread(taken("thread"), context);
    checkFixes(taken("fixes"), context);
    checkTriggers(taken("pager"), context);
  }
  return report;
}

interface ReceiverCheck {
  project: string;
  streaks: Map<number, Streak>;
  violation(receiver: string, project: string, detail: string): void;
  deadLettered(build: StreakBuild | undefined, receiver: string): boolean;
  lostRecord(eventId: string, receiver: string, streakToo: boolean, at: number): boolean;
  /** Whether `build` was first invoked before the last invocation of `other` ended. */
  invokedWhile(build: StreakBuild, other: StreakBuild): boolean;
  report: StreakModelReport;
}

const FAILURES: readonly string[] = ["FAILED", "TIMED_OUT", "FAULT"];
/** The verdicts a project's status record keeps: older builds' are no longer there to compare. */
const KEPT_VERDICTS = 100;

/**
 * The model's own verdict on each build the status record took in order: its transition from the
 * project's health (the builds before it in number order), and its streak. Reports a recorded verdict
 * that differs, a build taken in order although a newer build of its project had been handled before it
 * was first invoked, and one left out although it was handled before any newer build was invoked.
 */
function judgeBuilds(
  seen: StreakObservations,
  problem: (project: string, detail: string) => void,
): Map<string, BuildVerdict> {
  const judged = new Map<string, BuildVerdict>();
  const runs = (build: StreakBuild) => seen.invocations.filter((run) => run.eventId === build.id);
  for (const project of new Set(seen.builds.map((build) => build.project))) {
    const own = seen.builds.filter((build) => build.project === project).sort((a, b) => a.number - b.number);
    const kept = own.slice(-KEPT_VERDICTS);
    for (const [index, build] of own.entries()) {
      const newer = own.slice(index + 1);
      const firstStart = Math.min(...runs(build).map((run) => run.startedAt));
      const inOrder = seen.verdicts.has(build.id);
      const before = newer.find((other) => runs(other).some((run) => run.ok && run.endedAt < firstStart));
      if (inOrder && before) {
        problem(
          project,
          `build #${build.number} was taken in order, after newer build #${before.number} was handled`,
        );
      }
      const handledFirst = runs(build).some(
        (run) =>
          run.ok && newer.every((other) => runs(other).every((later) => later.startedAt > run.endedAt)),
      );
      if (!inOrder && handledFirst && kept.includes(build)) {
        problem(project, `build #${build.number} was handled before any newer build, yet not taken in order`);
      }
    }
    let streak: number | undefined;
    for (const build of own.filter((candidate) => seen.verdicts.has(candidate.id))) {
      let verdict: BuildVerdict = {};
      if (FAILURES.includes(build.status)) {
        verdict =
          streak === undefined
            ? { transition: "broken", streak: build.number }
            : { transition: "still-failing", streak };
        streak ??= build.number;
      } else if (build.status === "SUCCEEDED" && streak !== undefined) {
        verdict = { transition: "fixed", streak };
        streak = undefined;
      } else if (build.status === "STOPPED") {
        verdict = streak === undefined ? {} : { streak };
      }
      judged.set(build.id, verdict);
      const recorded = seen.verdicts.get(build.id) ?? {};
      if (
        recorded.transition !== verdict.transition ||
        (verdict.transition && recorded.streak !== verdict.streak)
      ) {
        problem(
          project,
          `build #${build.number} (${build.status}) was recorded ${recorded.transition ?? "no transition"} of streak #${recorded.streak}, the model says ${verdict.transition ?? "no transition"} of streak #${verdict.streak}`,
        );
      }
    }
  }
  return judged;
}

/** The project's streaks, from the model's verdicts on its builds. */
function streaksOf(builds: StreakBuild[], verdicts: ReadonlyMap<string, BuildVerdict>): Map<number, Streak> {
  const streaks = new Map<number, Streak>();
  for (const build of [...builds].sort((a, b) => a.number - b.number)) {
    const { transition, streak } = verdicts.get(build.id) ?? {};
    const current = streak === undefined ? undefined : streaks.get(streak);
    if (transition === "broken") streaks.set(build.number, { start: build.number, failures: [build] });
    else if (transition === "still-failing") current?.failures.push(build);
    else if (transition === "fixed" && current) current.fix = build;
  }
  return streaks;
}

/** Groups deliveries by the streak of their build. */
function byStreak(deliveries: Delivery[]): Map<number, Delivery[]> {
  const grouped = new Map<number, Delivery[]>();
  for (const delivery of deliveries) {
    const streak = delivery.verdict.streak ?? -1;
    grouped.set(streak, [...(grouped.get(streak) ?? []), delivery]);
  }
  return grouped;
}

/** Each delivery's build has a transition the receiver acts on (`allowed`). */
function checkActsOn(
  receiver: string,
  deliveries: Delivery[],
  allowed: readonly (Transition | undefined)[],
  check: ReceiverCheck,
): void {
  for (const { build, verdict, request } of deliveries) {
    if (!allowed.includes(verdict.transition)) {
      check.violation(
        receiver,
        check.project,
        `${request.path} sent for build #${build.number}, whose transition is ${verdict.transition ?? "none"}`,
      );
    }
  }
}

/** More than one opening of a streak: a violation, unless every record of the first one was lost. */
function checkOneOpening(receiver: string, streak: number, openings: Delivery[], check: ReceiverCheck): void {
  if (openings.length <= 1) return;
  const finding = {
    receiver,
    project: check.project,
    detail: `streak #${streak} opened ${openings.length} times: by builds ${openings.map((opening) => `#${opening.build.number}`).join(", ")}`,
  };
  const [first] = [...openings].sort((a, b) => a.request.receivedAt - b.request.receivedAt);
  if (check.lostRecord(first.build.id, receiver, true, first.request.receivedAt)) {
    check.report.windows.push(finding);
  } else check.report.violations.push(finding);
}

/**
 * Reports a finding about a streak whose `openings` were taken: as a violation, or in the window of
 * docs/delivery.md when every record of an opening was lost (the invocation was killed, or logged both
 * its delivery record and its streak record unwritten), after which the streak's next builds find it
 * never opened.
 */
function unlessRecordsLost(
  receiver: string,
  openings: Delivery[],
  check: ReceiverCheck,
): (detail: string) => void {
  const lost = openings.some((opening) =>
    check.lostRecord(opening.build.id, receiver, true, opening.request.receivedAt),
  );
  return (detail) =>
    (lost ? check.report.windows : check.report.violations).push({
      receiver,
      project: check.project,
      detail,
    });
}

function checkTickets(deliveries: Delivery[], check: ReceiverCheck): void {
  const { project, streaks, violation, deadLettered } = check;
  checkActsOn("jira", deliveries, ["broken", "still-failing", "fixed"], check);
  const creates = deliveries.filter((delivery) => delivery.request.path === "/issue");
  const followUps = deliveries.filter((delivery) => delivery.request.path !== "/issue");
  const ticketsOf = byStreak(creates);
  for (const { request, build, verdict } of followUps) {
    const [, key, kind] = /^\/issue\/([^/]+)\/(comment|close)$/.exec(request.path) ?? [];
    const expected = kind === "close" ? "fixed" : "still-failing";
    const own = (ticketsOf.get(verdict.streak ?? -1) ?? []).map((create) => create.request.issued);
    if (verdict.transition !== expected || !own.includes(decodeURIComponent(key ?? ""))) {
      violation(
        "jira",
        project,
        `${request.path} of build #${build.number} (streak #${verdict.streak}) is not addressed to its streak's ticket (${own.join(", ") || "none"})`,
      );
    }
    if (request.body.issue !== decodeURIComponent(key ?? "")) {
      violation("jira", project, `the body of ${request.path} names ${request.body.issue}`);
    }
  }
  for (const [start, streak] of streaks) {
    const tickets = ticketsOf.get(start) ?? [];
    check.report.tickets += tickets.length;
    checkOneOpening("jira", start, tickets, check);
    const sentBy = (build: StreakBuild) => deliveries.filter((delivery) => delivery.build.id === build.id);
    // Every record of the ticket's opening lost: the streak's next builds may find it never opened.
    const flag = unlessRecordsLost("jira", tickets, check);
    if (tickets.length === 0) {
      // No ticket: only where the streak was fixed before any opening got through, or one is dead-lettered.
      if (!streak.fix && !streak.failures.some((build) => deadLettered(build, "jira"))) {
        violation("jira", project, `streak #${start} is failing and was never opened`);
      }
      continue;
    }
    for (const build of streak.failures.slice(1)) {
      if (sentBy(build).length === 0 && !deadLettered(build, "jira")) {
        flag(`still-failing build #${build.number} of streak #${start} was never sent`);
      }
    }
    if (!streak.fix) continue;
    // (A second ticket, opened in a window, is reported as such; the one its streak remembers is closed.)
    const closes = sentBy(streak.fix).filter((delivery) =>
      tickets.some((ticket) => delivery.request.path === `/issue/${ticket.request.issued}/close`),
    );
    check.report.ticketsClosed += closes.length;
    if (closes.length === 0 && !deadLettered(streak.fix, "jira")) {
      flag(`the ticket of streak #${start} was never closed by its fix #${streak.fix.number}`);
    }
  }
}

function checkAlerts(deliveries: Delivery[], check: ReceiverCheck): void {
  const { project, streaks, violation, deadLettered, invokedWhile } = check;
  checkActsOn("alerts", deliveries, ["broken", "still-failing", "fixed"], check);
  const opens = byStreak(deliveries.filter((delivery) => delivery.request.path === "/alerts"));
  const inOrder = [...deliveries].sort((a, b) => a.request.receivedAt - b.request.receivedAt);
  // An older streak's request after a newer streak's request of the other kind: a close after a newer
  // opening closes the newer alert; an opening after a newer close leaves it open while the project passes.
  for (const [index, { request, verdict, build }] of inOrder.entries()) {
    const opening = request.path === "/alerts";
    const newer = inOrder
      .slice(0, index)
      .find(
        (earlier) =>
          (earlier.request.path === "/alerts") !== opening &&
          (earlier.verdict.streak ?? 0) > (verdict.streak ?? 0),
      );
    if (!newer) continue;
    violation(
      "alerts",
      project,
      opening
        ? `the opening of streak #${verdict.streak} (build #${build.number}) reached the alert after the fix #${newer.build.number} of streak #${newer.verdict.streak} closed it`
        : `the fix #${build.number} of streak #${verdict.streak} closed the alert streak #${newer.verdict.streak} opened`,
    );
  }
  const starts = [...streaks.keys()];
  for (const [start, streak] of streaks) {
    const opened = opens.get(start) ?? [];
    check.report.alertsOpened += opened.length;
    checkOneOpening("alerts", start, opened, check);
    if (opened.length === 0 || !streak.fix) continue;
    const closed = deliveries.some((delivery) => delivery.build.id === streak.fix?.id);
    const superseded = starts.some((later) => later > start && (opens.get(later) ?? []).length > 0);
    // The alert is named by the project: a fix skipped because a newer streak began while it was handled
    // leaves the alert to that streak, whose fix closes it even when its own opening was never sent (the
    // streak was fixed first: a close unopened).
    const { fix } = streak;
    const newerBegun = [...streaks].some(
      ([later, newer]) => later > start && newer.failures.some((failure) => invokedWhile(failure, fix)),
    );
    const closedByNewer =
      newerBegun &&
      deliveries.some(
        (delivery) =>
          delivery.request.path !== "/alerts" &&
          (delivery.verdict.streak ?? 0) > start &&
          delivery.request.receivedAt > opened[0].request.receivedAt,
      );
    if (closed) check.report.alertsClosed += 1;
    else if (!superseded && !closedByNewer && !deadLettered(streak.fix, "alerts")) {
      violation(
        "alerts",
        project,
        `the alert of streak #${start} was never closed by its fix #${streak.fix.number}`,
      );
    }
  }
  // The alert ends as the project does: open while its newest streak lasts, closed once it was fixed.
  const newest = streaks.get(Math.max(...starts));
  const last = inOrder.at(-1);
  if (!newest || !last) return;
  const lastOpens = last.request.path === "/alerts";
  if (newest.fix && lastOpens && !deadLettered(newest.fix, "alerts")) {
    violation("alerts", project, `the alert is open at the end, though streak #${newest.start} was fixed`);
  } else if (!newest.fix && !lastOpens && !newest.failures.some((build) => deadLettered(build, "alerts"))) {
    violation("alerts", project, `the alert is closed at the end, though streak #${newest.start} is failing`);
  }
}

function checkThread(deliveries: Delivery[], check: ReceiverCheck): void {
  const { project, streaks, violation, deadLettered } = check;
  checkActsOn("thread", deliveries, ["still-failing"], check);
  const grouped = byStreak(deliveries);
  for (const { request, build, verdict } of deliveries) {
    const own = (grouped.get(verdict.streak ?? -1) ?? []).map((delivery) => delivery.request.issued);
    if (request.body.thread !== "$THREAD" && !own.includes(request.body.thread)) {
      violation(
        "thread",
        project,
        `build #${build.number} of streak #${verdict.streak} answered in thread ${request.body.thread}, not one of its streak's`,
      );
    }
  }
  for (const [start, streak] of streaks) {
    for (const build of streak.failures.slice(1)) {
      if (!deliveries.some((delivery) => delivery.build.id === build.id) && !deadLettered(build, "thread")) {
        violation(
          "thread",
          project,
          `still-failing build #${build.number} of streak #${start} was never sent`,
        );
      }
    }
  }
}

function checkFixes(deliveries: Delivery[], check: ReceiverCheck): void {
  const { project, streaks, violation, deadLettered } = check;
  checkActsOn("fixes", deliveries, ["fixed"], check);
  const starts = [...streaks.keys()];
  for (const [start, { fix }] of streaks) {
    if (!fix || deliveries.some((delivery) => delivery.build.id === fix.id)) continue;
    // A fix that needs no remembered value is skipped once a newer streak began.
    if (!starts.some((later) => later > start) && !deadLettered(fix, "fixes")) {
      violation("fixes", project, `the fix #${fix.number} of streak #${start} was never sent`);
    }
  }
}

function checkTriggers(deliveries: Delivery[], check: ReceiverCheck): void {
  const { project, streaks, violation, deadLettered } = check;
  checkActsOn("pager", deliveries, ["broken", "still-failing", "fixed"], check);
  const triggers = byStreak(deliveries.filter((delivery) => OPENINGS.includes(delivery.verdict.transition)));
  for (const { request, build, verdict } of deliveries) {
    if (verdict.transition === "fixed" && request.body.dedup_key !== "$DEDUP") {
      violation(
        "pager",
        project,
        `the resolve of build #${build.number} names dedup_key ${request.body.dedup_key}`,
      );
    }
  }
  for (const [start, streak] of streaks) {
    const opened = triggers.get(start) ?? [];
    checkOneOpening("pager", start, opened, check);
    if (opened.length === 0 || !streak.fix) continue;
    const fix = streak.fix;
    if (!deliveries.some((delivery) => delivery.build.id === fix.id) && !deadLettered(fix, "pager")) {
      unlessRecordsLost(
        "pager",
        opened,
        check,
      )(`the trigger of streak #${start} was never resolved by its fix #${fix.number}`);
    }
  }
}
