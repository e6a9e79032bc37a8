import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../local/stackConfig";
import { runNpm, type CommandRun } from "./support/npmCommand";

/** `npm run render -- <args>`; --silent keeps npm's own banner out of stdout, which holds the body alone. */
function npmRender(args: string[], secrets: Record<string, string> = {}): Promise<CommandRun> {
  return runNpm(["run", "--silent", "render", "--", ...args], secrets);
}

const CAPTURED_EVENT = "test/fixtures/start/captured-failed-build.json";

describe("npm run render", () => {
  it("prints exactly the body the receiver gets for a captured event", async () => {
    const run = await npmRender(["slack-builds", "--event", CAPTURED_EVENT]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stdout,
      '{ "text": "FAILED: *my-app* build #1207 <https://us-east-1.console.aws.amazon.com/codesuite/codebuild/' +
        "123456789012/projects/my-app/build/my-app%3A0c7e4b9a-93d2-4f61-a8b5-6e1d2f3c4a70/?region=us-east-1" +
        '|open in CodeBuild>" }\n',
    );
    assert.equal(run.stderr, "slack-builds: POST, Content-Type: application/json, for my-app FAILED\n");
  });

  it("--status renders a built-in event, and says when the receiver does not listen to that status", async () => {
    const run = await npmRender(["slack-builds", "--status", "in_progress"]);
    assert.equal(run.code, 0, run.stderr);
    // CodeBuild gives a build its number once it runs, so an IN_PROGRESS event has none.
    assert.match(
      JSON.parse(run.stdout).text,
      /^IN_PROGRESS: \*my-app\* build # <https:\/\/us-east-1\.console\.aws\.amazon\.com\/codesuite\/codebuild\/123456789012\/projects\/my-app\/build\/my-app%3A[0-9a-f-]{36}\/\?region=us-east-1\|open in CodeBuild>$/,
    );
    assert.ok(
      run.stderr.includes(
        "slack-builds would not be sent this event: it listens to SUCCEEDED, FAILED, STOPPED, not IN_PROGRESS\n",
      ),
      run.stderr,
    );
  });

  describe("a receiver whose headers make the body plain text", () => {
    const args = [
      "pager",
      "--receivers-dir",
      "test/fixtures/start/text-receivers",
      "--event",
      CAPTURED_EVENT,
    ];

    it("renders the template as text, values as they are, with the headers from the environment", async () => {
      const run = await npmRender(args, {
        CODEBUILD_WEBHOOKS_pagerHeaders: JSON.stringify({
          "Content-Type": "text/plain; charset=utf-8",
          Authorization: "Bearer pager-render-token",
        }),
      });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(
        run.stdout,
        'Build "my-app" FAILED in phase PRE_BUILD: COMMAND_EXECUTION_ERROR: Error while executing command: ' +
          "npm ci. Reason: exit status 1\n",
      );
      assert.equal(run.stderr, "pager: POST, Content-Type: text/plain; charset=utf-8, for my-app FAILED\n");
    });

    it("fails as a deploy would without them, and says which variable to set", async () => {
      const run = await npmRender(args);
      assert.equal(run.code, 2);
      assert.equal(
        run.stderr,
        "test/fixtures/start/text-receivers/pager.yaml: headers: CODEBUILD_WEBHOOKS_pagerHeaders is not set, " +
          "so the receiver's own headers are left out and the body is JSON\n" +
          "The receiver files have 1 problem:\n" +
          "test/fixtures/start/text-receivers/pager.yaml: template (line 6): not valid JSON at line 1, column 1 " +
          'of the template: expected a value, found "B"\n',
      );
      assert.equal(run.stdout, "");
    });
  });

  it("prints the warnings preview gives on stderr", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-receivers-"));
    try {
      const receivers = path.join(PROJECT_ROOT, "receivers");
      fs.copyFileSync(path.join(receivers, "slack-builds.yaml"), path.join(dir, "slack-builds.yaml"));
      fs.copyFileSync(path.join(receivers, "examples", "slack.yaml"), path.join(dir, "slack.yaml"));
      const run = await npmRender(["slack", "--receivers-dir", dir, "--event", CAPTURED_EVENT]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stderr,
        /^warning: \S*[/]slack-builds\.yaml, \S*[/]slack\.yaml: both send to the URL in config "codebuild-webhooks:slackWebhookUrl", so each SUCCEEDED, FAILED build of my-app is notified twice/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names the receivers there are when asked for another", async () => {
    const run = await npmRender(["jira-failure"]);
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      'No receiver "jira-failure" in receivers/; the receivers are: jira-failures, slack-builds\n',
    );
  });
});
