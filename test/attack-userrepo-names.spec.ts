import * as assert from "node:assert/strict";
import { runProgramUnderMocks } from "../local/programUnderMocks";
import { single } from "./support/programResources";
import { RECEIVER_SECRETS, specRun } from "./support/specStack";

/** The dev stack of a copy of the project named `project` in its Pulumi.yaml, with settings of its own. */
function stackOfProject(project: string, parameterPath: string) {
  return runProgramUnderMocks({
    ...specRun(
      { parameterPath, metricsNamespace: `CodeBuildWebhooks/${parameterPath.split("/")[2]}` },
      Object.keys(RECEIVER_SECRETS).map((key) => `${project}:${key}`),
    ),
    project,
  });
}

describe("attack: dashboards and alarms named by project and stack", () => {
  it("stacks of two projects under one stack name keep dashboards of their own (projects team.webhooks and team-webhooks)", async () => {
    // Both are valid Pulumi project names (letters, digits, "-", "_" and "."), in one account, each with
    // the parameterPath and metricsNamespace of its own that docs/settings.md asks for.
    const dotted = await stackOfProject("team.webhooks", "/webhooks/dotted/");
    const dashed = await stackOfProject("team-webhooks", "/webhooks/dashed/");
    const dashboardOf = (run: Awaited<typeof dotted>) =>
      single(run, "aws:cloudwatch/dashboard:Dashboard").inputs.dashboardName;
    // Dashboards are named per account: the second `pulumi up` takes over the first stack's dashboard.
    assert.notEqual(dashboardOf(dotted), dashboardOf(dashed));
  });
});
