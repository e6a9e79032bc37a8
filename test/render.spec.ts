import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../local/stackConfig";
import { installFixtureStack, type FixtureStack } from "./support/fixtureStack";
import { SHIPPED_RECEIVERS } from "./support/specStack";
import { runInShell, runNpm, runScript, type CommandRun } from "./support/npmCommand";

/** `npm run -s render -- <args>`, its script line run as npm runs it (runScript): stdout holds the body alone. */
function runRender(args: string[], secrets: Record<string, string> = {}): Promise<CommandRun> {
  return runScript("render", args, secrets);
}

const CAPTURED_EVENT = "test/fixtures/start/captured-failed-build.json";

/** Stands in for `jq .` (not on every machine): fails unless its input is one JSON document, else echoes it. */
const JQ_STAND_IN = `node -e 'let text = ""; process.stdin.on("data", (chunk) => (text += chunk)).on("end", () => { JSON.parse(text); process.stdout.write(text); })'`;

/** The command lines docs/local-run.md shows piping the body into jq. */
function documentedPipes(): string[] {
  const page = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "local-run.md"), "utf8");
  return page
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("npm ") && /\|\s*jq\b/.test(line));
}

describe("npm run render", () => {
  it("prints exactly the body the receiver gets for a captured event", async () => {
    // Through npm itself; --silent keeps npm's own banner out of stdout, which holds the body alone.
    const run = await runNpm(["run", "--silent", "render", "--", "slack-builds", "--event", CAPTURED_EVENT]);
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
    const run = await runRender(["slack-builds", "--status", "in_progress"]);
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

  it("--status renders a timed-out or faulted build for a receiver listing FAILED, which is sent it", async () => {
    for (const status of ["TIMED_OUT", "FAULT"]) {
      const run = await runRender(["slack-builds", "--status", status]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(JSON.parse(run.stdout).text, new RegExp(`^${status}: \\*my-app\\* build #4\\d `));
      assert.equal(run.stderr, `slack-builds: POST, Content-Type: application/json, for my-app ${status}\n`);
    }
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
      const run = await runRender(args, {
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
      const run = await runRender(args);
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

  describe("a receiver with actions per transition", () => {
    const receiver = ["jira-streak", "--receivers-dir", "test/fixtures/start/health-receivers"];
    const headers = { CODEBUILD_WEBHOOKS_jiraAuthHeaders: '{"Authorization": "Basic cmVuZGVyOnRlc3Q="}' };

    it("--transition renders one action: its method, the URL's key with the path, and the body, remembered values as written", async () => {
      const run = await runRender([...receiver, "--transition", "still-failing"], headers);
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        JSON.parse(run.stdout).body,
        /^Still failing \(2 builds\): build #43 https:\/\/us-east-1\.console\.aws\.amazon\.com\//,
      );
      assert.equal(
        run.stderr,
        "jira-streak, still-failing: POST <the URL in codebuild-webhooks:jiraBaseUrl>/rest/api/2/issue/$JIRA_ISSUE/comment, " +
          "Content-Type: application/json, for my-app FAILED\n" +
          "Build health as for a streak of 2 failed builds: $TRANSITION still-failing, $FAILURE_COUNT 2, $PREVIOUS_STATUS FAILED\n" +
          "$JIRA_ISSUE is what on.broken remembers from an answer; shown as written: fill it with --remember JIRA_ISSUE=<value>\n",
      );
      assert.ok(!run.stderr.includes("cmVuZGVyOnRlc3Q="), "the headers secret was printed");
    });

    it("renders its first action without --transition, and fills remembered values from --remember, each one path segment", async () => {
      const first = await runRender(receiver, headers);
      assert.equal(first.code, 0, first.stderr);
      assert.equal(JSON.parse(first.stdout).fields.summary, "my-app is failing");
      assert.match(
        first.stderr,
        /^jira-streak, broken: POST <the URL in codebuild-webhooks:jiraBaseUrl>\/rest\/api\/2\/issue, /,
      );

      const fixed = await runRender(
        [...receiver, "--transition", "FIXED", "--remember", "JIRA_ISSUE=OPS-7/../9"],
        headers,
      );
      assert.equal(fixed.code, 0, fixed.stderr);
      assert.equal(fixed.stdout, '{ "transition": { "id": "31" } }\n');
      assert.match(
        fixed.stderr,
        /^jira-streak, fixed: POST <the URL in codebuild-webhooks:jiraBaseUrl>\/rest\/api\/2\/issue\/OPS-7%2F..%2F9\/transitions, Content-Type: application\/json, for my-app SUCCEEDED$/m,
      );
      assert.doesNotMatch(fixed.stderr, /--remember/);
    });

    it("says what does not fit it, exit code 2", async () => {
      const cases: [string[], string][] = [
        [
          [...receiver, "--status", "FAILED"],
          "--status: jira-streak acts on transitions, not statuses; choose its action with --transition (broken, still-failing, fixed)\n",
        ],
        [
          [...receiver, "--remember", "JIRA_KEY=OPS-7"],
          "--remember JIRA_KEY=...: no action of jira-streak remembers JIRA_KEY; they remember JIRA_ISSUE\n",
        ],
        [
          [
            "team-chat",
            "--receivers-dir",
            "test/fixtures/start/health-receivers",
            "--transition",
            "still-failing",
          ],
          "--transition still-failing: team-chat has no action for it; its actions: broken, fixed\n",
        ],
        [
          ["slack-builds", "--transition", "fixed"],
          "--transition: slack-builds has no actions per transition (on) nor per build (perBuild); it is told of statuses: choose one with --status\n",
        ],
        [
          [...receiver, "--transition", "reopened"],
          "--transition reopened: not a transition; use one of broken, still-failing, fixed\n",
        ],
        [
          [...receiver, "--transition", "fixed", "--remember", "JIRA_ISSUE=.."],
          'jira-streak, fixed: the path names $JIRA_ISSUE with a value that leaves its segment empty, "." or "..", which would change the path\n',
        ],
      ];
      for (const [args, message] of cases) {
        const run = await runRender(args, headers);
        assert.equal(run.code, 2, args.join(" "));
        assert.equal(run.stderr, message, args.join(" "));
        assert.equal(run.stdout, "");
      }
    });
  });

  describe("a receiver with one message per build", () => {
    const receiver = ["build-messages", "--receivers-dir", "test/fixtures/start/per-build-receivers"];
    const headers = { CODEBUILD_WEBHOOKS_chatBotHeaders: '{"Authorization": "Bearer xoxb-render-token"}' };

    it("--per-build post renders the post for the receiver's first status, and is the default", async () => {
      for (const args of [receiver, [...receiver, "--per-build", "post"]]) {
        const run = await runRender(args, headers);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stdout, '{ "channel": "C0123ABC", "text": "⏳ my-app IN_PROGRESS" }\n');
        assert.equal(
          run.stderr,
          "build-messages, perBuild.post: POST <the URL in codebuild-webhooks:chatApiUrl>/chat.postMessage, " +
            "Content-Type: application/json, for my-app IN_PROGRESS\n" +
            "Sent for the first event of a build build-messages hears; its later events send perBuild.update\n",
        );
      }
    });

    it("--per-build update renders the update for a final status, remembered values as written or from --remember", async () => {
      const written = await runRender([...receiver, "--per-build", "update"], headers);
      assert.equal(written.code, 0, written.stderr);
      assert.equal(
        written.stdout,
        '{ "channel": "$CHAT_CHANNEL", "ts": "$CHAT_TS", "text": "✅ my-app #42 SUCCEEDED" }\n',
      );
      assert.match(
        written.stderr,
        /^build-messages, perBuild\.update: POST <the URL in codebuild-webhooks:chatApiUrl>\/chat\.update, /,
      );
      assert.match(
        written.stderr,
        /\$CHAT_TS is what perBuild\.post remembers from an answer; shown as written: fill it with --remember CHAT_TS=<value>/,
      );
      const filled = await runRender(
        [
          ...receiver,
          "--per-build",
          "UPDATE",
          "--status",
          "FAILED",
          "--remember",
          "CHAT_TS=1.5",
          "--remember",
          "CHAT_CHANNEL=C9",
        ],
        headers,
      );
      assert.equal(filled.code, 0, filled.stderr);
      assert.equal(filled.stdout, '{ "channel": "C9", "ts": "1.5", "text": "❌ my-app #43 FAILED" }\n');
      assert.ok(!filled.stderr.includes("xoxb-render-token"), "the headers secret was printed");
    });

    it("says what does not fit it, exit code 2", async () => {
      const cases: [string[], string][] = [
        [
          [...receiver, "--per-build", "reply"],
          "--per-build reply: not a request of a per-build receiver; use post or update\n",
        ],
        [
          [...receiver, "--transition", "broken"],
          "--transition: build-messages posts one message per build; choose its request with --per-build (post or update)\n",
        ],
        [
          ["slack-builds", "--per-build", "post"],
          "--per-build: slack-builds has no message per build (perBuild); it is told of statuses: choose one with --status\n",
        ],
      ];
      for (const [args, message] of cases) {
        const run = await runRender(args, headers);
        assert.equal(run.code, 2, args.join(" "));
        assert.equal(run.stderr, message, args.join(" "));
      }
    });
  });

  it("pipes the body alone into jq as docs/local-run.md shows", async () => {
    const pipes = documentedPipes();
    assert.ok(pipes.length > 0, "docs/local-run.md shows no pipe into jq");
    for (const line of pipes) {
      const run = await runInShell(line.replace(/\|\s*jq \.(?=\s|$)/, `| ${JQ_STAND_IN}`));
      assert.equal(run.code, 0, `${line}\n${run.stderr}`);
      const body = JSON.parse(run.stdout) as Record<string, unknown>;
      assert.ok(typeof body === "object" && body !== null, `${line}: ${run.stdout}`);
    }
  });

  describe("placeholders", () => {
    const receiver = ["build-status", "--receivers-dir", "test/fixtures/render/placeholder-receivers"];

    it("lists those that came out empty, beside those the event has no value for", async () => {
      const run = await runRender([...receiver, "--status", "IN_PROGRESS"]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(JSON.parse(run.stdout).text, "my-app build # IN_PROGRESS (was )  to $DEPLOY_REGION");
      assert.equal(
        run.stderr,
        "warning: test/fixtures/render/placeholder-receivers/build-status.yaml: template (line 5): " +
          "$DEPLOY_REGION at line 1 of the template is not a built-in placeholder; unless the build sets a " +
          "variable of that name it is sent as written (write $$ for a literal $)\n" +
          "build-status: POST, Content-Type: application/json, for my-app IN_PROGRESS\n" +
          "The template names $DEPLOY_REGION, which the event has no value for; sent as written\n" +
          "The template's $BUILD_NUMBER, $PREVIOUS_STATUS, $FAILED_PHASE are empty for this event\n" +
          "$PREVIOUS_STATUS is always empty here, as on a project's first final build: render keeps no build history\n",
      );
    });

    it("lists only those empty for the event rendered", async () => {
      const run = await runRender([...receiver, "--status", "FAILED"]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(JSON.parse(run.stdout).text, "my-app build #43 FAILED (was ) BUILD to $DEPLOY_REGION");
      assert.match(run.stderr, /^The template's \$PREVIOUS_STATUS is empty for this event$/m);
      assert.doesNotMatch(run.stderr, /\$BUILD_NUMBER|\$FAILED_PHASE/);
    });
  });

  describe("--stack", () => {
    let stack: FixtureStack;

    before(() => {
      stack = installFixtureStack();
    });

    after(() => stack?.remove());

    it("reads the stack's settings file, and the secrets it holds encrypted from the environment", async () => {
      const args = ["ops-chat", "--stack", stack.name, "--status", "FAILED"];
      const run = await runRender(args, {
        CODEBUILD_WEBHOOKS_opsChatHeaders: JSON.stringify({ "Content-Type": "text/plain" }),
      });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, "web-api build #43 FAILED in BUILD\n");
      assert.equal(run.stderr, "ops-chat: POST, Content-Type: text/plain, for web-api FAILED\n");

      // The encrypted value itself is never read: without the variable, no headers of the receiver's own.
      const withoutHeaders = await runRender(args);
      assert.equal(withoutHeaders.code, 2);
      assert.match(
        withoutHeaders.stderr,
        /^test\/fixtures\/stacks\/receivers\/ops-chat\.yaml: headers: CODEBUILD_WEBHOOKS_opsChatHeaders is not set/,
      );
    });

    it("names the stack file it cannot find, exit code 2", async () => {
      const run = await runRender(["slack-builds", "--stack", "staging"]);
      assert.equal(run.code, 2);
      assert.match(
        run.stderr,
        /^--stack staging: Pulumi\.staging\.yaml does not exist; the stacks with a settings file here are: (.+, )?dev(, .+)?\n$/,
      );
      assert.equal(run.stdout, "");
    });
  });

  it("prints the warnings preview gives on stderr", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-receivers-"));
    try {
      fs.copyFileSync(path.join(SHIPPED_RECEIVERS, "slack-builds.yaml"), path.join(dir, "slack-builds.yaml"));
      const examples = path.join(PROJECT_ROOT, "receivers", "examples");
      fs.copyFileSync(path.join(examples, "slack.yaml"), path.join(dir, "slack.yaml"));
      const run = await runRender(["slack", "--receivers-dir", dir, "--event", CAPTURED_EVENT]);
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
    const run = await runRender(["jira-failure"]);
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      'No receiver "jira-failure" in receivers/; the receivers are: jira-failures, slack-builds\n',
    );
  });
});
