import * as assert from "node:assert/strict";
import { runProgramUnderMocks } from "../local/programUnderMocks";
import { Violation, programViolations } from "./support/policyRun";
import { specRunAs } from "./support/specStack";

/** A copy of this project renamed in its Pulumi.yaml, not yet listed in WEBHOOKS_PROJECTS. */
const RENAMED = "team-webhooks";

describe("a renamed copy of the project, not yet listed, under the policy pack", () => {
  let violations: Violation[];

  before(async () => {
    const { resources } = await runProgramUnderMocks(specRunAs(RENAMED));
    violations = await programViolations(resources, RENAMED);
  });

  it("meets no violation whose message does not say how to list it", () => {
    assert.ok(violations.length > 0);
    const withoutHint = violations
      .filter(
        ({ message }) =>
          !message.includes(`add "${RENAMED}" to WEBHOOKS_PROJECTS in policy/webhooksScope.ts`),
      )
      .map(({ policy, message }) => `${policy}: ${message}`);
    assert.deepEqual(withoutHint, []);
  });

  it("is told, in the message, that a published pack is published again under a new version", () => {
    // `pulumi policy publish` refuses a version the organization already has ("Version Tag ... already exists").
    const source = violations.find(({ policy }) => policy === "webhooks-parameter-source");
    assert.ok(source);
    assert.match(source.message, /version/);
  });
});
