import * as assert from "node:assert/strict";
import { consoleTime } from "../local/localRunEvents";
import { buildStartedAt } from "../src/notifier/buildStartTime";

const startedAt = (written: string | undefined) =>
  buildStartedAt({ detail: { "additional-information": { "build-start-time": written } } });

// The start time the notifier orders a project's builds by, across a project deleted and created again.
describe("a build's start time, from its event", () => {
  it("reads build-start-time as UTC, as the event's own time shows it is", () => {
    // The sample event of the CodeBuild user guide: "time": "2017-09-01T16:14:28Z".
    assert.equal(startedAt("Sep 1, 2017 4:12:29 PM"), Date.parse("2017-09-01T16:12:29Z"));
    assert.equal(startedAt("May 14, 2024 9:17:58 AM"), Date.parse("2024-05-14T09:17:58Z"));
  });

  it("reads the hours around noon and midnight", () => {
    assert.equal(startedAt("Jan 2, 2025 12:00:05 AM"), Date.parse("2025-01-02T00:00:05Z"));
    assert.equal(startedAt("Jan 2, 2025 12:30:00 PM"), Date.parse("2025-01-02T12:30:00Z"));
    const written = new Date(Date.UTC(2026, 11, 31, 23, 59, 59));
    assert.equal(startedAt(consoleTime(written)), written.getTime());
  });

  it("has none for an event without it or in another form, which is then ordered by build number alone", () => {
    assert.equal(startedAt(undefined), undefined);
    assert.equal(startedAt("2024-05-14T09:17:58Z"), undefined);
    assert.equal(startedAt("Foo 14, 2024 9:17:58 AM"), undefined);
    assert.equal(startedAt("May 14, 2024 13:17:58 PM"), undefined);
  });
});
