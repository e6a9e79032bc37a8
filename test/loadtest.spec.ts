import * as assert from "node:assert/strict";
import type { InvocationRecord } from "../loadtest/asyncLambda";
import { expectedNotices, noticeKey } from "../loadtest/expectedNotices";
import { checkInvariants, invariantsHold } from "../loadtest/invariants";
import { DEFAULT_OPTIONS, LoadTestUsageError, parseLoadTestOptions } from "../loadtest/options";
import { renderReport } from "../loadtest/report";
import { runLoadTest } from "../loadtest/runLoadTest";
import { buildScenario, type Scenario, type ScenarioEvent } from "../loadtest/scenario";

describe("npm run loadtest", () => {
  it("a reduced burst with every fault on: each notice arrives once, or stays dead-lettered with its reason", async function () {
    this.timeout(180_000);
    const result = await runLoadTest({
      ...DEFAULT_OPTIONS,
      events: 100,
      receivers: 5,
      containers: 4,
      seed: 7,
    });
    const { invariants } = result;
    assert.deepEqual(invariants.duplicates, [], renderReport(result));
    assert.deepEqual(invariants.lost, [], renderReport(result));
    assert.deepEqual(invariants.unexpected, [], renderReport(result));
    assert.deepEqual(invariants.unstableWebhookIds, [], renderReport(result));
    assert.equal(result.passed, true);
    assert.equal(
      invariants.deliveredOnce +
        invariants.crashWindowDuplicates.length +
        invariants.stillDeadLettered.length,
      invariants.expected,
    );
    // The faults did strike: a container died mid-event, the receiver that was down left dead letters,
    // and the replay took them out of the queue.
    assert.equal(result.containersKilled, 1);
    assert.ok(result.answers.outage > 0 && result.deadLetters > 0, renderReport(result));
    assert.ok(result.replayed > 0, renderReport(result));
    assert.ok(result.dynamoDb.throttled > 0 && result.lambdaRetries > 0, renderReport(result));
    assert.match(renderReport(result), /^duplicates {2,}0$/m);
  });

  describe("the expected notices", () => {
    /** A project's finished builds in turn, numbered from 100. */
    function scenarioOf(statuses: ScenarioEvent["status"][]): Scenario {
      const events = statuses.map((status, index) => ({
        id: `event-${index}`,
        project: "app",
        status,
        buildNumber: 100 + index,
        event: {},
      }));
      return {
        ...buildScenario({ events: 2, receivers: 1, seed: 1 }),
        receivers: [
          {
            name: "tickets",
            projects: ["app"],
            statuses: ["FAILED"],
            onlyOnChange: true,
            headers: false,
            signed: false,
            acceptStatus: 201,
          },
          {
            name: "chat",
            projects: ["*"],
            statuses: ["SUCCEEDED", "FAILED"],
            onlyOnChange: false,
            headers: false,
            signed: false,
            acceptStatus: 200,
          },
        ],
        eventsByProject: new Map([["app", events]]),
        events,
      };
    }

    it("tells an on-change receiver of the first failure of each streak only, by build number", () => {
      const expected = expectedNotices(
        scenarioOf(["FAILED", "FAILED", "SUCCEEDED", "STOPPED", "FAILED", "FAILED"]),
      );
      const tickets = [...expected.values()].filter((notice) => notice.receiver === "tickets");
      assert.deepEqual(
        tickets.map((notice) => notice.event.buildNumber),
        [100, 104],
      );
      const chat = [...expected.values()].filter((notice) => notice.receiver === "chat");
      assert.deepEqual(
        chat.map((notice) => notice.event.buildNumber),
        [100, 101, 102, 104, 105],
      );
    });
  });

  describe("the invariants", () => {
    const event = { id: "e1", project: "app", status: "FAILED" as const, buildNumber: 7, event: {} };
    const expected = new Map([
      [noticeKey("e1", "a"), { event, receiver: "a" }],
      [noticeKey("e1", "b"), { event, receiver: "b" }],
    ]);
    const killedRun: InvocationRecord = {
      eventId: "e1",
      attempt: 0,
      twin: false,
      container: 0,
      startedAt: 1000,
      endedAt: 2000,
      ok: false,
      killed: true,
      unrecorded: { deliveries: [], streaks: [] },
    };
    const deadLetter = JSON.stringify({
      requestPayload: { id: "e1" },
      responsePayload: { errorMessage: "1 of 2 receivers not delivered: /webhooks/b/url (answered 503)" },
    });

    it("counts a notice taken twice as a duplicate, unless the first was taken by a killed container", () => {
      const seen = (firstAt: number) => ({
        accepted: new Map([
          [
            noticeKey("e1", "a"),
            [
              { webhookId: "msg_a", at: firstAt },
              { webhookId: "msg_a", at: 9000 },
            ],
          ],
          [noticeKey("e1", "b"), [{ webhookId: "msg_b", at: 9000 }]],
        ]),
        webhookIds: new Map([
          [noticeKey("e1", "a"), new Set(["msg_a"])],
          [noticeKey("e1", "b"), new Set(["msg_b"])],
        ]),
        invocations: [killedRun],
        deadLetters: [],
      });
      const outside = checkInvariants(expected, seen(3000));
      assert.equal(outside.duplicates.length, 1);
      assert.equal(invariantsHold(outside), false);
      const inside = checkInvariants(expected, seen(1500));
      assert.deepEqual(inside.duplicates, []);
      assert.equal(inside.crashWindowDuplicates.length, 1);
      assert.equal(invariantsHold(inside), true);
    });

    it("counts a notice never taken as lost, unless a dead letter left in the queue names its receiver", () => {
      const seen = (deadLetters: string[]) => ({
        accepted: new Map([[noticeKey("e1", "a"), [{ webhookId: "msg_a", at: 1 }]]]),
        webhookIds: new Map([[noticeKey("e1", "a"), new Set(["msg_a"])]]),
        invocations: [],
        deadLetters,
      });
      const lost = checkInvariants(expected, seen([]));
      assert.deepEqual(
        lost.lost.map((finding) => finding.receiver),
        ["b"],
      );
      const kept = checkInvariants(expected, seen([deadLetter]));
      assert.deepEqual(kept.lost, []);
      assert.match(kept.stillDeadLettered[0].detail, /\/webhooks\/b\/url \(answered 503\)/);
    });

    it("flags a notice nobody called for, and a webhook-id that changes between attempts", () => {
      const report = checkInvariants(expected, {
        accepted: new Map([
          [noticeKey("e1", "a"), [{ webhookId: "msg_a", at: 1 }]],
          [noticeKey("e1", "b"), [{ webhookId: "msg_b", at: 1 }]],
          [noticeKey("e1", "c"), [{ webhookId: "msg_c", at: 1 }]],
        ]),
        webhookIds: new Map([
          [noticeKey("e1", "a"), new Set(["msg_a", "msg_a2"])],
          [noticeKey("e1", "b"), new Set(["msg_b"])],
        ]),
        invocations: [],
        deadLetters: [],
      });
      assert.deepEqual(
        report.unexpected.map((finding) => finding.receiver),
        ["c"],
      );
      assert.deepEqual(
        report.unstableWebhookIds.map((finding) => finding.receiver),
        ["a"],
      );
    });
  });

  describe("its options", () => {
    it("switches each fault off on its own, or all with --no-faults", () => {
      const options = parseLoadTestOptions(["--no-hangs", "--no-kill", "--seed", "42", "--events", "200"]);
      assert.equal(options?.seed, 42);
      assert.equal(options?.events, 200);
      assert.equal(options?.faults.hangs, false);
      assert.equal(options?.faults.containerKill, false);
      assert.equal(options?.faults.parameterThrottling, true);
      const none = parseLoadTestOptions(["--no-faults"]);
      assert.deepEqual(
        Object.values(none?.faults ?? {}),
        Object.values(DEFAULT_OPTIONS.faults).map(() => false),
      );
      assert.equal(none?.duplicateEvents, true);
      assert.equal(parseLoadTestOptions(["--help"]), undefined);
    });

    it("refuses a count out of bounds or an unknown flag, naming it", () => {
      assert.throws(() => parseLoadTestOptions(["--events", "0"]), LoadTestUsageError);
      assert.throws(
        () => parseLoadTestOptions(["--containers", "many"]),
        /--containers many: give a whole number/,
      );
      assert.throws(() => parseLoadTestOptions(["--no-such-fault"]), /no-such-fault/);
    });
  });
});
