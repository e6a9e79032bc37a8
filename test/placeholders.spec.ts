import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildEventValues } from "../src/notifier/buildEventValues";
import { BUILT_IN_PLACEHOLDER_NAMES, nearestBuiltInPlaceholder } from "../src/shared/placeholders";
import { buildEvent } from "./support/buildEvents";

describe("the built-in placeholders (src/shared/placeholders.ts)", () => {
  it("are exactly the values the notifier fills in: the event's, the previous status and the transition's", () => {
    const event = buildEvent("FAILED");
    const environment = event.detail?.["additional-information"]?.environment;
    assert.ok(environment, "the fixture event has build environment variables");
    // Build variables are placeholders too, but of the build's naming: the built-in names are the rest.
    environment["environment-variables"] = [];
    // PREVIOUS_STATUS, TRANSITION and FAILURE_COUNT join the event's values where the notifier renders a
    // notice (createNotifier), from the project's recorded build health.
    assert.deepEqual(
      [...Object.keys(buildEventValues(event)), "PREVIOUS_STATUS", "TRANSITION", "FAILURE_COUNT"].sort(),
      [...BUILT_IN_PLACEHOLDER_NAMES].sort(),
    );
  });

  it("are the ones the manual's placeholder table lists", () => {
    const manual = fs.readFileSync(path.join(__dirname, "..", "docs", "receivers.md"), "utf8");
    const table = manual.slice(
      manual.indexOf("| Placeholder"),
      manual.indexOf("\n\n", manual.indexOf("| Placeholder")),
    );
    const listed = [...table.matchAll(/`\$([A-Z_]+)`/g)]
      .map(([, name]) => name)
      .filter((name) => name !== "MY_VARIABLE");
    assert.deepEqual(listed.sort(), [...BUILT_IN_PLACEHOLDER_NAMES].sort());
  });

  it("suggest the built-in name a typo most likely means, and none for other names", () => {
    const suggestions = Object.fromEntries(
      [
        "PROJCT",
        "PORJECT",
        "STAUS",
        "project",
        "BUILDURL",
        "BUILD_NUMBR",
        "PREVIOUS_STATE",
        "FAILED_PHASE_CONTXT",
        "TRANSITON",
        "FAILURES_COUNT",
      ].map((name) => [name, nearestBuiltInPlaceholder(name)]),
    );
    assert.deepEqual(suggestions, {
      PROJCT: "PROJECT",
      PORJECT: "PROJECT",
      STAUS: "STATUS",
      project: "PROJECT",
      BUILDURL: "BUILD_URL",
      BUILD_NUMBR: "BUILD_NUMBER",
      PREVIOUS_STATE: "PREVIOUS_STATUS",
      FAILED_PHASE_CONTXT: "FAILED_PHASE_CONTEXT",
      TRANSITON: "TRANSITION",
      FAILURES_COUNT: "FAILURE_COUNT",
    });
    for (const name of [
      "GIT_BRANCH",
      "MY_VARIABLE",
      "schema",
      "ENV",
      "CODEBUILD_RESOLVED_SOURCE_VERSION",
      "TEAM",
    ]) {
      assert.equal(nearestBuiltInPlaceholder(name), undefined, name);
    }
  });
});
