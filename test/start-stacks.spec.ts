import * as assert from "node:assert/strict";
import { installFixtureStack, type FixtureStack } from "./support/fixtureStack";
import {
  encryptedSecrets,
  PATH_SECRET_HEADERS,
  RENAMED_PROJECT,
  renameCloneProject,
  writeCloneStack,
} from "./support/userRepoStacks";
import { eventBlock, runStart, receiverSection, refusals, shownBody } from "./support/startOutput";

// npm start with a stack's settings file; the rest of npm start's specs are in start*.spec.ts.

describe("npm start", function () {
  // Each npm start deploys and replays in processes of its own: on a machine busy with other runs, a
  // minute, the specs' usual limit, is not always enough. How long it takes is measured, not asserted.
  this.timeout(180_000);
  describe("--stack", () => {
    let stack: FixtureStack;

    before(() => {
      stack = installFixtureStack();
    });

    after(() => stack?.remove());

    it("deploys with the stack file's settings, its encrypted values taken from the environment", async () => {
      const run = await runStart(["--stack", stack.name, "--status", "FAILED"], {
        CODEBUILD_WEBHOOKS_opsChatHeaders: JSON.stringify({ "Content-Type": "text/plain" }),
      });
      assert.equal(run.code, 0, run.stderr);
      for (const step of [
        `Reading the settings of stack ${stack.name}: Pulumi.yaml, then ${stack.file}`,
        // receiversDir comes from the stack file.
        "Deploying index.ts (emulated pulumi up) with the receivers in test/fixtures/stacks/receivers/",
      ]) {
        assert.ok(run.stderr.includes(`${step}\n`), `missing progress "${step}" in:\n${run.stderr}`);
      }
      assert.match(run.stderr, /^Deployed 1 receiver \(ops-chat\): /m);
      const opsChat = receiverSection(eventBlock(run.stdout, "web-api FAILED"), "ops-chat");
      assert.match(opsChat, /^ {2}ops-chat: matched, delivered$/m);
      // The headers, encrypted in the stack file, are the variable's: the body is the plain-text template.
      assert.match(opsChat, /^ {6}content-type: text\/plain$/m);
      assert.equal(shownBody(opsChat), "web-api build #43 FAILED in BUILD");
      // The URL's secret is not in the stack file; the headers', encrypted there, is.
      assert.match(
        run.stdout,
        new RegExp(
          `\npulumi up would refuse 1 receiver of this run \\(ops-chat\\): ${stack.file.replace(/\./g, "\\.")} does ` +
            "not hold as secrets what they name \\(this run took local values or stand-ins\\):\n" +
            '  test/fixtures/stacks/receivers/ops-chat\\.yaml: url\\.secret \\(line 4\\): config "codebuild-webhooks:opsChatUrl" is not set; ' +
            "run: pulumi config set --secret codebuild-webhooks:opsChatUrl <value>\n\n",
        ),
      );
    });

    it("calls no secret unset of a project renamed in Pulumi.yaml whose stack file holds them, in its namespace", async () => {
      const restore = renameCloneProject(RENAMED_PROJECT);
      const remove = writeCloneStack("renamedstart", encryptedSecrets(RENAMED_PROJECT));
      try {
        const run = await runStart(["--stack", "renamedstart", "--status", "FAILED"]);
        assert.equal(run.code, 0, run.stdout + run.stderr);
        assert.deepEqual(refusals(run.stdout), []);
        assert.match(run.stdout, /2 deliveries of 1 event: 2 delivered, 0 failed/);
      } finally {
        restore();
        remove();
      }
    });

    it("calls a headers secret set with `pulumi config set --path --secret` a secret, as pulumi up does", async () => {
      const remove = writeCloneStack("pathsecretstart", PATH_SECRET_HEADERS);
      try {
        const run = await runStart(["--stack", "pathsecretstart", "--status", "FAILED"]);
        assert.equal(run.code, 0, run.stdout + run.stderr);
        assert.deepEqual(refusals(run.stdout), []);
      } finally {
        remove();
      }
    });

    it("names the stack file and line of a YAML error in it, without a stack trace, exit code 2", async () => {
      const remove = writeCloneStack("badyamlstart", [
        "  codebuild-webhooks:receiversDir: receivers",
        " x: 1",
      ]);
      try {
        const run = await runStart(["--stack", "badyamlstart"]);
        assert.equal(run.code, 2, run.stdout + run.stderr);
        assert.match(run.stderr, /^Pulumi\.badyamlstart\.yaml: line 4, column \d+: not YAML: /m);
        assert.doesNotMatch(run.stderr, /\n\s+at /, "a stack trace, as for a bug");
      } finally {
        remove();
      }
    });

    it("names the stack file that does not exist, exit code 2", async () => {
      const run = await runStart(["--stack", "staging"]);
      assert.equal(run.code, 2);
      assert.match(
        run.stderr,
        /^--stack staging: Pulumi\.staging\.yaml does not exist; the stacks with a settings file here are: (.+, )?dev(, .+)?\n$/,
      );
      assert.doesNotMatch(run.stdout, /Summary/);
    });
  });
});
