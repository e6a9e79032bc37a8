import * as assert from "node:assert/strict";
import { runNpm } from "./support/npmCommand";
import {
  encryptedSecrets,
  PATH_SECRET_HEADERS,
  RENAMED_PROJECT,
  renameCloneProject,
  writeCloneStack,
} from "./support/userRepoStacks";

/** The lines of npm start's output that say pulumi up would refuse a receiver, and why. */
function refusals(stdout: string): string[] {
  return stdout.split("\n").filter((line) => /pulumi up would refuse|is not set|without --secret/.test(line));
}

describe("attack: npm start names the secrets that are not set, as pulumi up judges them", () => {
  it("does not call secrets unset in a project renamed in Pulumi.yaml when its stack file holds them as secrets", async () => {
    const restore = renameCloneProject(RENAMED_PROJECT);
    const remove = writeCloneStack("renamedstart", encryptedSecrets(RENAMED_PROJECT));
    try {
      const run = await runNpm(["start", "--", "--stack", "renamedstart", "--status", "FAILED"]);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.deepEqual(refusals(run.stdout), []);
    } finally {
      restore();
      remove();
    }
  });

  it("does not call a headers secret set with `pulumi config set --path --secret` plain text", async () => {
    const remove = writeCloneStack("pathsecretstart", PATH_SECRET_HEADERS);
    try {
      const run = await runNpm(["start", "--", "--stack", "pathsecretstart", "--status", "FAILED"]);
      assert.deepEqual(refusals(run.stdout), [], run.stdout + run.stderr);
    } finally {
      remove();
    }
  });
});
