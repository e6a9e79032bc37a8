import * as assert from "node:assert/strict";
import type { InvocationRecord } from "../loadtest/asyncLambda";
import { checkPerBuildMessages } from "../loadtest/perBuildModel";
import { invocationRecord } from "./support/invocationRecords";
import { MESSAGES, build, start, taken } from "./support/perBuildObservations";

describe("the streak run's model of one message per build", () => {
  /**
   * The build's final event posts its message (taken at 100, by an invocation from 50 to 150); its
   * IN_PROGRESS, handled last (from 250 to 350), posts a second one at 300.
   */
  const lateStartPosted = (
    finalRun: InvocationRecord,
    requests = [taken("start-7", "IN_PROGRESS", "/post", 300, "M-2")],
  ) =>
    checkPerBuildMessages({
      builds: [build],
      starts: [start],
      taken: [taken("final-7", "SUCCEEDED", "/post", 100, "M-1"), ...requests],
      invocations: [finalRun, invocationRecord("start-7", 250, 350)],
      deadLetters: [],
    });
  const lateStart = "build #7: IN_PROGRESS sent after its final status";

  it("calls an IN_PROGRESS posted after the final status a window when every record of the final status's post was lost", () => {
    const bothUnwritten = invocationRecord("final-7", 50, 150, {
      unrecorded: { deliveries: [MESSAGES], streaks: [MESSAGES] },
    });
    const killed = invocationRecord("final-7", 50, 150, { killed: true, ok: false });
    const timedOut = invocationRecord("final-7", 50, 150, {
      ok: false,
      error: { name: "Sandbox.Timedout", message: "Task timed out after 6.00 seconds" },
    });
    for (const finalRun of [bothUnwritten, killed, timedOut]) {
      const report = lateStartPosted(finalRun);
      assert.deepEqual(report.violations, []);
      assert.deepEqual(
        report.windows.map((finding) => finding.detail),
        ["build #7: posted 2 times (SUCCEEDED, IN_PROGRESS)", lateStart],
      );
    }
  });

  it("flags an IN_PROGRESS sent after the final status whenever a record of the final status could tell of it", () => {
    const cases: [string, InvocationRecord][] = [
      ["every record written", invocationRecord("final-7", 50, 150)],
      // The delivery record, or the build message record, still says the message was posted.
      [
        "its build message record lost",
        invocationRecord("final-7", 50, 150, { unrecorded: { deliveries: [], streaks: [MESSAGES] } }),
      ],
      [
        "its delivery record lost",
        invocationRecord("final-7", 50, 150, { unrecorded: { deliveries: [MESSAGES], streaks: [] } }),
      ],
      // Records lost by another invocation of the final event than the one that posted.
      [
        "records lost by another invocation",
        invocationRecord("final-7", 160, 200, {
          unrecorded: { deliveries: [MESSAGES], streaks: [MESSAGES] },
        }),
      ],
    ];
    for (const [name, finalRun] of cases) {
      const flagged = lateStartPosted(finalRun).violations.map((finding) => finding.detail);
      assert.ok(flagged.includes(lateStart), `${name}: ${flagged.join("; ")}`);
    }
  });

  it("flags an IN_PROGRESS update after the final status, even when every record of the final status was lost", () => {
    const report = lateStartPosted(
      invocationRecord("final-7", 50, 150, { unrecorded: { deliveries: [MESSAGES], streaks: [MESSAGES] } }),
      [taken("start-7", "IN_PROGRESS", "/update/M-1", 300)],
    );
    assert.deepEqual(
      report.violations.map((finding) => finding.detail),
      ["build #7: an IN_PROGRESS update", lateStart],
    );
  });
});
