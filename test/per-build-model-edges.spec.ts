import * as assert from "node:assert/strict";
import type { InvocationRecord } from "../loadtest/asyncLambda";
import { checkPerBuildMessages } from "../loadtest/perBuildModel";
import type { TakenRequest } from "../loadtest/streakReceivers";
import { invocationRecord } from "./support/invocationRecords";
import { MESSAGES, build, start, taken } from "./support/perBuildObservations";

/**
 * Observations the notifier could not produce, which the model must flag: a second message of a build
 * comes only from an event that found no record of the first post, and only once the invocation that
 * posted it no longer held the event's lease (docs/per-build-messages.md, src/notifier/perBuildPlans.ts).
 */
describe("the streak run's model of one message per build, at the edges of its windows", () => {
  const check = (requests: TakenRequest[], invocations: InvocationRecord[]) =>
    checkPerBuildMessages({
      builds: [build],
      starts: [start],
      taken: requests,
      invocations,
      deadLetters: [],
    });
  const details = (findings: { detail: string }[]) => findings.map((finding) => finding.detail);
  const lateStart = "build #7: IN_PROGRESS sent after its final status";
  const bothUnwritten = { unrecorded: { deliveries: [MESSAGES], streaks: [MESSAGES] } };

  it("flags an IN_PROGRESS posted after a Lambda retry of the final status posted it again and recorded it", () => {
    // The first invocation is killed as the receiver takes the post; its retry posts again (the same
    // webhook-id) and records the message posted, so the IN_PROGRESS handled later finds it and sends nothing.
    const report = check(
      [
        taken("final-7", "SUCCEEDED", "/post", 100, "M-1"),
        taken("final-7", "SUCCEEDED", "/post", 250, "M-1"),
        taken("start-7", "IN_PROGRESS", "/post", 400, "M-2"),
      ],
      [
        invocationRecord("final-7", 50, 150, { killed: true, ok: false }),
        invocationRecord("final-7", 200, 300, { attempt: 1 }),
        invocationRecord("start-7", 350, 450),
      ],
    );
    assert.ok(details(report.violations).includes(lateStart), details(report.violations).join("; "));
    assert.ok(
      details(report.violations).includes("build #7: posted 2 times (SUCCEEDED, IN_PROGRESS)"),
      details(report.violations).join("; "),
    );
  });

  it("flags an IN_PROGRESS posted while the invocation that lost the final status's records still held its lease", () => {
    // The IN_PROGRESS finds the message being posted by the final event, whose invocation still runs (or,
    // killed, holds its lease until its deadline): it waits for Lambda's retry, it never posts.
    for (const [name, finalRun, at] of [
      [
        "records unwritten, IN_PROGRESS taken while it ran",
        invocationRecord("final-7", 50, 350, bothUnwritten),
        200,
      ],
      [
        "records unwritten, IN_PROGRESS taken as it ended",
        invocationRecord("final-7", 50, 350, bothUnwritten),
        350,
      ],
      [
        "killed, IN_PROGRESS taken before it was killed",
        invocationRecord("final-7", 50, 350, { killed: true }),
        200,
      ],
    ] as const) {
      const report = check(
        [
          taken("final-7", "SUCCEEDED", "/post", 100, "M-1"),
          taken("start-7", "IN_PROGRESS", "/post", at, "M-2"),
        ],
        [finalRun, invocationRecord("start-7", at - 50, at + 50)],
      );
      assert.ok(
        details(report.violations).includes(lateStart),
        `${name}: ${details(report.violations).join("; ")}`,
      );
    }
  });

  it("flags a second post when the first post's records were kept, whatever the second post's invocation lost", () => {
    // The IN_PROGRESS posts and records the message posted; the final status finds the record and
    // updates. A post of the final status is a fault, even if its own invocation lost every record.
    for (const [name, startRun, finalRun] of [
      [
        "second post's invocation killed",
        invocationRecord("start-7", 50, 150),
        invocationRecord("final-7", 250, 350, { killed: true, ok: false }),
      ],
      [
        "second post's records unwritten",
        invocationRecord("start-7", 50, 150),
        invocationRecord("final-7", 250, 350, bothUnwritten),
      ],
      // One record of the first post is enough: the build's message record says posted, or the event's
      // delivery record says delivered (with the values to update with).
      [
        "first post's delivery record alone lost",
        invocationRecord("start-7", 50, 150, { unrecorded: { deliveries: [MESSAGES], streaks: [] } }),
        invocationRecord("final-7", 250, 350),
      ],
      [
        "first post's build message record alone lost",
        invocationRecord("start-7", 50, 150, { unrecorded: { deliveries: [], streaks: [MESSAGES] } }),
        invocationRecord("final-7", 250, 350),
      ],
    ] as const) {
      const report = check(
        [
          taken("start-7", "IN_PROGRESS", "/post", 100, "M-1"),
          taken("final-7", "SUCCEEDED", "/post", 300, "M-2"),
        ],
        [startRun, finalRun],
      );
      assert.ok(
        details(report.violations).includes("build #7: posted 2 times (IN_PROGRESS, SUCCEEDED)"),
        `${name}: ${details(report.violations).join("; ")}`,
      );
    }
  });

  it("flags a delivery taken twice when the invocation that sent it first recorded it as delivered", () => {
    // The event's delivery record says the receiver was delivered: a retry or twin of the event sends it
    // nothing more. Only the build's message record lost, or records lost by another invocation of the
    // event, explain no second request.
    for (const [name, runs] of [
      [
        "its build message record alone lost",
        [invocationRecord("final-7", 50, 150, { unrecorded: { deliveries: [], streaks: [MESSAGES] } })],
      ],
      [
        "records lost by a later invocation of the event",
        [invocationRecord("final-7", 50, 150), invocationRecord("final-7", 400, 500, bothUnwritten)],
      ],
    ] as const) {
      const report = check(
        [
          taken("start-7", "IN_PROGRESS", "/post", 20, "M-1"),
          taken("final-7", "SUCCEEDED", "/update/M-1", 100),
          taken("final-7", "SUCCEEDED", "/update/M-1", 250),
        ],
        [invocationRecord("start-7", 0, 40), ...runs, invocationRecord("final-7", 200, 300, { twin: true })],
      );
      assert.ok(
        details(report.violations).includes("build #7: /update/M-1 of its SUCCEEDED event taken 2 times"),
        `${name}: ${details(report.violations).join("; ")}`,
      );
    }
  });

  it("still calls a late IN_PROGRESS post a window once the final status's only invocation lost every record and ended", () => {
    for (const finalRun of [
      invocationRecord("final-7", 50, 150, bothUnwritten),
      invocationRecord("final-7", 50, 150, { killed: true, ok: false }),
    ]) {
      const report = check(
        [
          taken("final-7", "SUCCEEDED", "/post", 100, "M-1"),
          taken("start-7", "IN_PROGRESS", "/post", 300, "M-2"),
        ],
        [finalRun, invocationRecord("start-7", 250, 350)],
      );
      assert.deepEqual(report.violations, []);
      assert.deepEqual(details(report.windows), [
        "build #7: posted 2 times (SUCCEEDED, IN_PROGRESS)",
        lateStart,
      ]);
    }
  });
});
