import * as assert from "node:assert/strict";
import { runProgramUnderMocks } from "../local/programUnderMocks";
import { runNpm } from "./support/npmCommand";
import { RECEIVER_SECRETS, RECEIVER_SECRET_KEYS, SHIPPED_RECEIVERS, SPEC_STACK } from "./support/specStack";
import {
  encryptedSecrets,
  namespacedConfig,
  PATH_SECRET_HEADERS,
  RENAMED_PROJECT,
  renameCloneProject,
  writeCloneStack,
} from "./support/userRepoStacks";

function npmCheck(args: string[]) {
  return runNpm(["run", "--silent", "check", "--", ...args]);
}

describe("attack: npm run check agrees with pulumi preview", () => {
  it("accepts a headers secret set with `pulumi config set --path --secret`, which preview accepts", async () => {
    const remove = writeCloneStack("pathsecret", PATH_SECRET_HEADERS);
    try {
      // What preview runs: the same receivers, the headers key a secret holding the decrypted object.
      await runProgramUnderMocks({
        stack: SPEC_STACK,
        config: {
          receiversDir: SHIPPED_RECEIVERS,
          ...RECEIVER_SECRETS,
          jiraAuthHeaders: JSON.stringify({ Authorization: "Basic amlyYS1oZWFkZXItc2VjcmV0" }),
        },
        secretKeys: RECEIVER_SECRET_KEYS,
      });
      const run = await npmCheck(["--stack", "pathsecret"]);
      assert.doesNotMatch(run.stdout, /jiraAuthHeaders" is set without --secret/);
      assert.equal(run.code, 0, run.stdout + run.stderr);
    } finally {
      remove();
    }
  });

  it("checks a project renamed in Pulumi.yaml (a second copy of the project in one account) as preview does", async () => {
    const restore = renameCloneProject(RENAMED_PROJECT);
    const remove = writeCloneStack("renamed", encryptedSecrets(RENAMED_PROJECT));
    try {
      // Preview of the renamed project reads its keys in its own namespace, and accepts them.
      await runProgramUnderMocks({
        stack: SPEC_STACK,
        project: RENAMED_PROJECT,
        ...namespacedConfig(RENAMED_PROJECT),
      });
      const run = await npmCheck(["--stack", "renamed"]);
      assert.doesNotMatch(run.stdout, /codebuild-webhooks:/);
      assert.equal(run.code, 0, run.stdout + run.stderr);
    } finally {
      restore();
      remove();
    }
  });

  it("names the stack file and line of a YAML error in it, without a stack trace, and --json still prints JSON", async () => {
    const remove = writeCloneStack("badyaml", [
      "  codebuild-webhooks:slackWebhookUrl:",
      "    secure: v1:eeee:ffff",
      "   codebuild-webhooks:jiraIssuesUrl: misindented",
    ]);
    try {
      const text = await npmCheck(["--stack", "badyaml"]);
      assert.equal(text.code, 1);
      assert.match(text.stdout + text.stderr, /Pulumi\.badyaml\.yaml/);
      assert.doesNotMatch(text.stderr, /\n\s+at /, "a stack trace, as for a bug");
      const json = await npmCheck(["--stack", "badyaml", "--json"]);
      assert.equal(json.code, 1);
      const parsed = JSON.parse(json.stdout) as { accepted: boolean };
      assert.equal(parsed.accepted, false);
    } finally {
      remove();
    }
  });
});

describe("attack: preview's messages in a project renamed in Pulumi.yaml", () => {
  it("names the command that sets the key the renamed project reads (its own namespace)", async () => {
    await assert.rejects(
      runProgramUnderMocks({
        stack: SPEC_STACK,
        project: RENAMED_PROJECT,
        ...namespacedConfig(RENAMED_PROJECT, ["slackWebhookUrl"]),
      }),
      (error: Error) => {
        // `pulumi config set --secret codebuild-webhooks:slackWebhookUrl` sets a key of another namespace,
        // which this project's program never reads: the user runs it and preview refuses again.
        assert.match(
          error.message,
          new RegExp(`pulumi config set --secret ${RENAMED_PROJECT}:slackWebhookUrl `),
        );
        return true;
      },
    );
  });
});
