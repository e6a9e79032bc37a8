import * as assert from "node:assert/strict";
import type { InvocationRecord } from "../loadtest/asyncLambda";
import { parseLoadTestOptions } from "../loadtest/options";
import { runStreakRun } from "../loadtest/runStreakRun";
import { checkStreaks, type BuildVerdict } from "../loadtest/streakModel";
import type { StreakReceiver, TakenRequest } from "../loadtest/streakReceivers";
import { renderStreakReport } from "../loadtest/streakReport";
import { BUILD_VARIABLE_VALUE, buildStreakScenario, type StreakBuild } from "../loadtest/streakScenario";
import { invocationRecord } from "./support/invocationRecords";

describe("the streak run of npm run loadtest", () => {
  it("a short run with every fault on: each receiver with actions sees what the model says", async function () {
    this.timeout(180_000);
    const result = await runStreakRun({ seed: 5, projects: 3, builds: 12, containers: 4 });
    const report = renderStreakReport(result, "npm run loadtest -- --seed 5 --only streaks");
    assert.deepEqual(result.model.violations, [], report);
    assert.deepEqual(result.perBuild.violations, [], report);
    assert.equal(result.passed, true, report);
    // One post per build per receiver; every later event of the build updated that post.
    assert.ok(result.perBuild.messages >= 30 && result.perBuild.updates >= 10, report);
    // The run met what it is for: streaks opened and fixed, table writes failing and Lambda retrying.
    assert.ok(result.model.streaks >= 3 && result.model.ticketsClosed >= 2, report);
    assert.ok(result.tableFaults.errors + result.tableFaults.hangs > 0 && result.lambdaRetries > 0, report);
  });

  it("draws the same builds from the same seed, with builds of one project out of order, and failures of every kind", () => {
    const first = buildStreakScenario(9, { projects: 2, builds: 30 });
    const again = buildStreakScenario(9, { projects: 2, builds: 30 });
    assert.deepEqual(
      first.builds.map((build) => [build.id, build.status, build.sendAtMs]),
      again.builds.map((build) => [build.id, build.status, build.sendAtMs]),
    );
    const numbers = first.builds.filter((build) => build.project === "app-1").map((build) => build.number);
    assert.ok(numbers.some((number, index) => index > 0 && number < numbers[index - 1]));
    // The short run of npm test draws builds that timed out and faulted among its failures.
    const short = new Set(
      buildStreakScenario(5, { projects: 3, builds: 12 }).builds.map((build) => build.status),
    );
    assert.ok(short.has("TIMED_OUT") && short.has("FAULT"), [...short].join(", "));
  });

  it("takes --builds and --only from the command line", () => {
    const options = parseLoadTestOptions(["--only", "streaks", "--builds", "20", "--seed", "8"]);
    assert.equal(options?.only, "streaks");
    assert.equal(options?.builds, 20);
    assert.throws(
      () => parseLoadTestOptions(["--only", "everything"]),
      /--only everything: give burst or streaks/,
    );
  });

  describe("the model", () => {
    // app-1: build 1 breaks, 2 fails too, 3 fixes; build 4 breaks the next streak.
    const builds: StreakBuild[] = (["FAILED", "FAILED", "SUCCEEDED", "FAILED"] as const).map(
      (status, index) => ({
        id: `event-${index + 1}`,
        project: "app-1",
        number: index + 1,
        status,
        event: {},
        sendAtMs: index * 1000,
      }),
    );
    const verdicts = new Map<string, BuildVerdict>([
      ["event-1", { transition: "broken", streak: 1 }],
      ["event-2", { transition: "still-failing", streak: 1 }],
      ["event-3", { transition: "fixed", streak: 1 }],
      ["event-4", { transition: "broken", streak: 4 }],
    ]);
    let at = 0;
    const taken = (
      receiver: StreakReceiver,
      build: number,
      path: string,
      extra: Partial<TakenRequest> = {},
    ): TakenRequest => ({
      receiver,
      webhookId: `msg_${receiver}_${build}`,
      eventId: `event-${build}`,
      path,
      body: { event: `event-${build}` },
      receivedAt: (at += 10),
      ...extra,
    });
    /** What each receiver must take of these builds, when every delivery gets through. */
    const allAsModelled = (): TakenRequest[] => [
      taken("jira", 1, "/issue", { issued: "J-1" }),
      taken("jira", 2, "/issue/J-1/comment", { body: { event: "event-2", issue: "J-1" } }),
      taken("jira", 3, "/issue/J-1/close", { body: { event: "event-3", issue: "J-1" } }),
      taken("jira", 4, "/issue", { issued: "J-2" }),
      taken("alerts", 1, "/alerts"),
      taken("alerts", 3, "/alerts/app-1/close"),
      taken("alerts", 4, "/alerts"),
      taken("thread", 2, "/thread", { body: { event: "event-2", thread: "$THREAD" }, issued: "T-1" }),
      taken("fixes", 3, "/"),
      taken("pager", 1, "/"),
      taken("pager", 3, "/", { body: { event: "event-3", dedup_key: "$DEDUP" } }),
      taken("pager", 4, "/"),
    ];
    /** One invocation of a build's event that ended well, from `startedAt` to `endedAt`. */
    const invoked = (build: number, startedAt: number, endedAt: number): InvocationRecord =>
      invocationRecord(`event-${build}`, startedAt, endedAt);
    const check = (requests: TakenRequest[], invocations: InvocationRecord[] = []) =>
      checkStreaks({ builds, verdicts, taken: requests, invocations, deadLetters: [] });
    const details = (requests: TakenRequest[], invocations?: InvocationRecord[]) =>
      check(requests, invocations).violations.map((finding) => `${finding.receiver}: ${finding.detail}`);

    it("passes what the model calls for", () => {
      const report = check(allAsModelled());
      assert.deepEqual(report.violations, []);
      assert.equal(report.streaks, 2);
      assert.equal(report.tickets, 2);
      assert.equal(report.ticketsClosed, 1);
    });

    it("judges the transitions itself: a recorded verdict that differs is flagged, a timed-out build is a failure", () => {
      const timedOut = builds.map((build) =>
        build.number === 2 ? { ...build, status: "TIMED_OUT" as const } : build,
      );
      const misjudged = new Map(verdicts);
      misjudged.set("event-2", { transition: "broken", streak: 2 });
      const report = checkStreaks({
        builds: timedOut,
        verdicts: misjudged,
        taken: allAsModelled(),
        invocations: [],
        deadLetters: [],
      });
      assert.deepEqual(
        report.violations.map((finding) => `${finding.receiver}: ${finding.detail}`),
        [
          "(verdicts): build #2 (TIMED_OUT) was recorded broken of streak #2, the model says still-failing of streak #1",
        ],
      );
    });

    it("flags a build taken in order after a newer build of its project was handled", () => {
      // Build 4 was handled before build 3 was first invoked, yet build 3 has a verdict.
      const invocations = [invoked(1, 0, 1), invoked(2, 2, 3), invoked(4, 4, 5), invoked(3, 6, 7)];
      assert.deepEqual(details(allAsModelled(), invocations), [
        "(verdicts): build #3 was taken in order, after newer build #4 was handled",
      ]);
    });

    it("flags a second ticket for a streak, and a follow-up addressed to another streak's ticket", () => {
      const requests = allAsModelled();
      requests.push(taken("jira", 2, "/issue", { webhookId: "msg_other", issued: "J-3" }));
      requests[2] = taken("jira", 3, "/issue/J-2/close", { body: { event: "event-3", issue: "J-2" } });
      assert.deepEqual(details(requests), [
        "jira: /issue/J-2/close of build #3 (streak #1) is not addressed to its streak's ticket (J-1, J-3)",
        "jira: streak #1 opened 2 times: by builds #1, #2",
        "jira: the ticket of streak #1 was never closed by its fix #3",
      ]);
    });

    it("calls a second ticket a window when every record of the first opening was lost", () => {
      const requests = [
        ...allAsModelled(),
        taken("jira", 2, "/issue", { webhookId: "msg_other", issued: "J-3" }),
      ];
      const lost: InvocationRecord = {
        eventId: "event-1",
        attempt: 0,
        twin: false,
        container: 0,
        startedAt: 0,
        endedAt: 1,
        ok: true,
        killed: false,
        unrecorded: { deliveries: ["/webhooks/jira/url"], streaks: ["/webhooks/jira/url"] },
      };
      const report = check(requests, [lost]);
      assert.deepEqual(report.violations, []);
      assert.deepEqual(
        report.windows.map((finding) => finding.detail),
        ["streak #1 opened 2 times: by builds #1, #2"],
      );
    });

    it("takes a newer streak's fix for the close of an alert whose fix was handled after that streak began, and no other", () => {
      // app-1: 1 breaks, 2 fixes, 3 breaks, 4 fixes. The alert opened by build 1 and closed by build 4 only.
      const statuses = ["FAILED", "SUCCEEDED", "FAILED", "SUCCEEDED"] as const;
      const twoStreaks = statuses.map((status, index) => ({ ...builds[index], status }));
      const judged = new Map<string, BuildVerdict>([
        ["event-1", { transition: "broken", streak: 1 }],
        ["event-2", { transition: "fixed", streak: 1 }],
        ["event-3", { transition: "broken", streak: 3 }],
        ["event-4", { transition: "fixed", streak: 3 }],
      ]);
      const alerts = (requests: TakenRequest[], invocations: InvocationRecord[]) =>
        checkStreaks({ builds: twoStreaks, verdicts: judged, taken: requests, invocations, deadLetters: [] })
          .violations.filter((finding) => finding.receiver === "alerts")
          .map((finding) => finding.detail);
      const opening = { ...taken("alerts", 1, "/alerts"), receivedAt: 10 };
      const laterClose = { ...taken("alerts", 4, "/alerts/app-1/close"), receivedAt: 250 };
      // Build 2 was handled while build 3 began the next streak, so its fix was skipped; build 4 came
      // before build 3's opening, which it closed unopened.
      const overlapping = [
        invoked(1, 0, 50),
        invoked(3, 100, 150),
        invoked(2, 120, 300),
        invoked(4, 200, 260),
      ];
      assert.deepEqual(alerts([opening, laterClose], overlapping), []);
      // Each build handled alone, in order: build 2's fix had no reason to be skipped, and the alert stayed
      // open through build 3's streak until build 4 closed it.
      const inOrder = [invoked(1, 0, 50), invoked(2, 100, 150), invoked(3, 200, 250), invoked(4, 300, 350)];
      assert.deepEqual(alerts([opening, { ...laterClose, receivedAt: 340 }], inOrder), [
        "the alert of streak #1 was never closed by its fix #2",
      ]);
      assert.deepEqual(alerts([opening], overlapping), [
        "the alert of streak #1 was never closed by its fix #2",
        "the alert is open at the end, though streak #3 was fixed",
      ]);
    });

    it("flags an older streak's opening that reached the alert after a newer streak's fix closed it", () => {
      // app-1: 1 breaks, 2 fixes, 3 breaks, 4 fixes, 5 breaks, 6 fixes. Build 1's opening was answered 429
      // and retried within its invocation; meanwhile build 2 waited for it (then, on Lambda's retry, was
      // skipped: streak 3 had begun), and builds 3 and 4 were handled. Its retry reached the receiver after
      // build 4's close: the alert was open from then until build 5, while the project passed.
      const statuses = ["FAILED", "SUCCEEDED", "FAILED", "SUCCEEDED", "FAILED", "SUCCEEDED"] as const;
      const threeStreaks = statuses.map((status, index) => ({
        id: `event-${index + 1}`,
        project: "app-1",
        number: index + 1,
        status,
        event: {},
        sendAtMs: index * 100,
      }));
      const judged = new Map<string, BuildVerdict>(
        threeStreaks.map((build) => [
          build.id,
          {
            transition: build.status === "FAILED" ? "broken" : "fixed",
            streak: build.number - (build.number % 2 === 0 ? 1 : 0),
          },
        ]),
      );
      const invocations = [
        invoked(1, 0, 1600),
        { ...invoked(2, 100, 200), ok: false },
        invoked(3, 300, 400),
        invoked(4, 500, 600),
        invoked(2, 6100, 6200),
        invoked(5, 10_000, 10_100),
        invoked(6, 11_000, 11_100),
      ];
      const alerts = (requests: TakenRequest[]) =>
        checkStreaks({
          builds: threeStreaks,
          verdicts: judged,
          taken: requests,
          invocations,
          deadLetters: [],
        })
          .violations.filter((finding) => finding.receiver === "alerts")
          .map((finding) => finding.detail);
      const at = (build: number, path: string, receivedAt: number) => ({
        ...taken("alerts", build, path),
        receivedAt,
      });
      const lateOpening = at(1, "/alerts", 1500);
      const nextStreak = [at(5, "/alerts", 10_050), at(6, "/alerts/app-1/close", 11_050)];
      // Streak 3 opened and closed before build 1's opening arrived.
      const afterOpenedStreak = [
        at(3, "/alerts", 350),
        at(4, "/alerts/app-1/close", 550),
        lateOpening,
        ...nextStreak,
      ];
      // Streak 3's opening failed, and build 4 closed it unopened before build 1's opening arrived.
      const afterUnopenedStreak = [at(4, "/alerts/app-1/close", 550), lateOpening, ...nextStreak];
      const late =
        "the opening of streak #1 (build #1) reached the alert after the fix #4 of streak #3 closed it";
      assert.deepEqual(alerts(afterOpenedStreak), [late]);
      assert.deepEqual(alerts(afterUnopenedStreak), [late]);
    });

    it("flags a value filled from a build variable, a fix closing a newer streak's alert, and a lost still-failing", () => {
      const requests = allAsModelled().filter((request) => request.receiver !== "thread");
      const closeAt = requests.findIndex((request) => request.path === "/alerts/app-1/close");
      const [close] = requests.splice(closeAt, 1);
      requests.push({ ...close, receivedAt: (at += 10) });
      requests[
        requests.findIndex((request) => request.receiver === "pager" && request.eventId === "event-3")
      ] = taken("pager", 3, "/", { body: { event: "event-3", dedup_key: BUILD_VARIABLE_VALUE } });
      assert.deepEqual(details(requests), [
        `pager: / of build #3 was filled from a build variable: / {"event":"event-3","dedup_key":"${BUILD_VARIABLE_VALUE}"}`,
        "alerts: the fix #3 of streak #1 closed the alert streak #4 opened",
        "alerts: the alert is closed at the end, though streak #4 is failing",
        "thread: still-failing build #2 of streak #1 was never sent",
        "pager: the resolve of build #3 names dedup_key from-a-build-variable",
      ]);
    });
  });
});
