import * as assert from "node:assert/strict";
import * as path from "node:path";
import { buildEventValues } from "../src/notifier/buildEventValues";
import { sampleAnswer, startCaptureReceiver } from "../local/captureReceiver";
import { readBuildEventFile, sampleBuildEvent } from "../local/localRunEvents";
import { formatEventReport, formatSummary } from "../local/localRunReport";
import type { EventReport, ReceiverReport } from "../local/localRunStack";
import { type CommandRun } from "./support/npmCommand";
import { eventBlock, runStart, receiverSection, shownBody } from "./support/startOutput";

const FIXTURES = path.join(__dirname, "fixtures", "start");

// npm start with receivers of actions per transition and of one message per build, and the events it
// replays; the rest of npm start's specs are in start*.spec.ts.

describe("npm start", function () {
  // Each npm start deploys and replays in processes of its own: on a machine busy with other runs, a
  // minute, the specs' usual limit, is not always enough. How long it takes is measured, not asserted.
  this.timeout(180_000);
  describe("receivers with actions per transition", () => {
    const HEALTH_RECEIVERS = "test/fixtures/start/health-receivers";
    let run: CommandRun;

    before(async () => {
      run = await runStart([
        "--receivers-dir",
        HEALTH_RECEIVERS,
        "--answer",
        'incidents={"incident": {"id": "Q1W2E3"}}',
      ]);
    });

    it("get a failure streak replayed: a build starts, succeeds, fails twice, succeeds again and stops", () => {
      assert.equal(run.code, 0, run.stderr);
      assert.ok(run.stderr.includes("Replaying 6 events, sending to the capture receiver\n"), run.stderr);
      const headings = [...run.stdout.matchAll(/^== my-app (\w+)(?:, build #(\d+))? \(event /gm)].map(
        ([, status, build]) => `${status}${build ? ` #${build}` : ""}`,
      );
      assert.deepEqual(headings, [
        "IN_PROGRESS",
        "SUCCEEDED #42",
        "FAILED #43",
        "FAILED #44",
        "SUCCEEDED #45",
        "STOPPED #46",
      ]);
      assert.match(
        eventBlock(run.stdout, "my-app IN_PROGRESS"),
        /^ {2}jira-streak: not matched \(acts on broken, still-failing, fixed, which fall on FAILED and SUCCEEDED builds\)$/m,
      );
      // Two builds of one status are told apart by their numbers.
      assert.match(run.stdout, /^my-app FAILED #43 /m);
      assert.match(run.stdout, /^my-app FAILED #44 /m);
    });

    it("show each build's transition and what each action sent, its follow-ups using what the first answer gave", () => {
      assert.equal(run.code, 0, run.stderr);
      const transitions = [
        ...run.stdout.matchAll(/^== my-app \w+, build #(\d+) \(event [^)]*\): transition (\S+)$/gm),
      ];
      assert.deepEqual(
        transitions.map(([, build, transition]) => `#${build} ${transition}`),
        ["#43 broken", "#44 still-failing", "#45 fixed"],
      );

      const opened = eventBlock(run.stdout, "my-app FAILED, build #43");
      const jiraOpened = receiverSection(opened, "jira-streak");
      assert.match(jiraOpened, /^ {2}jira-streak: matched on broken, delivered$/m);
      assert.match(
        jiraOpened,
        /^ {4}POST http:\/\/127\.0\.0\.1:\d+\/jira-streak\/rest\/api\/2\/issue: answered 200/m,
      );
      assert.equal(JSON.parse(shownBody(jiraOpened)).fields.summary, "my-app is failing");
      assert.deepEqual(JSON.parse(shownBody(receiverSection(opened, "incidents"))), {
        title: "my-app is failing",
        count: "1",
      });

      const stillFailing = eventBlock(run.stdout, "my-app FAILED, build #44");
      // The capture receiver answered the opening action with {"key": "JIRA_ISSUE-1"}.
      const comment = receiverSection(stillFailing, "jira-streak");
      assert.match(
        comment,
        /^ {4}POST http:\/\/127\.0\.0\.1:\d+\/jira-streak\/rest\/api\/2\/issue\/JIRA_ISSUE-1\/comment: answered 200/m,
      );
      assert.match(JSON.parse(shownBody(comment)).body, /^Still failing \(2 builds\): build #44 https:/);
      assert.match(stillFailing, /^ {2}team-chat: not matched \(.*still-failing.*\)$/m);

      const fixed = eventBlock(run.stdout, "my-app SUCCEEDED, build #45");
      assert.match(
        receiverSection(fixed, "jira-streak"),
        /^ {4}POST http:\/\/127\.0\.0\.1:\d+\/jira-streak\/rest\/api\/2\/issue\/JIRA_ISSUE-1\/transitions: answered 200/m,
      );
      // What --answer gave for it: {"incident": {"id": "Q1W2E3"}}.
      const resolved = receiverSection(fixed, "incidents");
      assert.match(
        resolved,
        /^ {4}PUT http:\/\/127\.0\.0\.1:\d+\/incidents\/incidents\/Q1W2E3: answered 200/m,
      );
      assert.deepEqual(JSON.parse(shownBody(resolved)), { status: "resolved", failures: "2" });
      assert.deepEqual(JSON.parse(shownBody(receiverSection(fixed, "team-chat"))), {
        text: "my-app is fixed after 2 failed builds",
      });

      const summary = run.stdout.slice(run.stdout.indexOf("Summary: "));
      for (const row of [
        /^EVENT +TRANSITION +RECEIVER +RESULT +ATTEMPTS +TIME$/m,
        /^my-app FAILED #43 +broken +jira-streak +delivered \(200\) +1 +\d+ ms$/m,
        /^my-app FAILED #44 +still-failing +jira-streak +delivered \(200\) +1 +\d+ ms$/m,
        /^my-app SUCCEEDED #45 +fixed +incidents +delivered \(200\) +1 +\d+ ms$/m,
      ]) {
        assert.match(summary, row);
      }
      // A receiver with no action for the build's transition makes no delivery: its block says why.
      assert.doesNotMatch(summary, /^my-app FAILED #44 +still-failing +team-chat/m);
    });

    it("--answer takes JSON for a receiver there is, and says what is wrong otherwise, exit code 2", async () => {
      const notJson = await runStart(["--receivers-dir", HEALTH_RECEIVERS, "--answer", "incidents={id: 7}"]);
      assert.equal(notJson.code, 2);
      assert.equal(
        notJson.stderr,
        '--answer incidents=...: not valid JSON at column 2: expected a property name in double quotes, found "i"\n',
      );
      const nobody = await runStart(["--receivers-dir", HEALTH_RECEIVERS, "--answer", 'nobody={"id": 7}']);
      assert.equal(nobody.code, 2);
      assert.match(
        nobody.stderr,
        /\n--answer nobody=\.\.\.: no receiver "nobody"; the receivers are: incidents, jira-streak, team-chat\n$/,
      );
    });

    it("get every field their actions remember from the capture receiver, and others its plain ok", async () => {
      assert.deepEqual(
        JSON.parse(
          sampleAnswer({ JIRA_ISSUE: "key", ALERT: "data.alert.id", FIRST: "items.0.key", THIRD: "items.2" }),
        ),
        {
          key: "JIRA_ISSUE-1",
          data: { alert: { id: "ALERT-1" } },
          items: [{ key: "FIRST-1" }, null, "THIRD-1"],
        },
      );
      const capture = await startCaptureReceiver((receiver) =>
        receiver === "jira-streak" ? sampleAnswer({ JIRA_ISSUE: "key" }) : undefined,
      );
      try {
        const opened = await fetch(`${capture.urlFor("jira-streak")}/rest/api/2/issue`, {
          method: "POST",
          body: "{}",
        });
        assert.equal(opened.headers.get("content-type"), "application/json");
        assert.deepEqual(await opened.json(), { key: "JIRA_ISSUE-1" });
        const plain = await fetch(capture.urlFor("team-chat"), { method: "POST", body: "{}" });
        assert.equal(await plain.text(), "ok");
        assert.deepEqual(
          capture.take().map((request) => `${request.method} ${request.path}`),
          ["POST /jira-streak/rest/api/2/issue", "POST /team-chat"],
        );
      } finally {
        await capture.close();
      }
    });

    it("are shown with the transition the notifier acted on, in each event and the summary", () => {
      const receiver = (fields: Partial<ReceiverReport>): ReceiverReport => ({
        receiver: "jira",
        target: "http://127.0.0.1:4000/jira",
        matched: true,
        delivered: true,
        statusCode: 200,
        attempts: 1,
        durationMs: 3,
        warnings: [],
        ...fields,
      });
      const report = (
        status: string,
        buildNumber: number,
        transition: string | null,
        receivers: ReceiverReport[],
      ) =>
        ({
          project: "my-app",
          status,
          event: {
            ...sampleBuildEvent("my-app", status as "FAILED", new Date(), buildNumber),
            id: `event-${buildNumber}`,
          },
          transition,
          receivers,
        }) as EventReport;
      const reports = [
        report("FAILED", 43, "broken", [
          receiver({ transition: "broken", method: "POST", path: "/rest/api/2/issue" }),
        ]),
        report("FAILED", 44, "still-failing", [
          receiver({ transition: "still-failing", method: "POST", path: "/rest/api/2/issue/OPS-1/comment" }),
        ]),
        report("SUCCEEDED", 45, null, [
          receiver({
            matched: false,
            unmatchedBecause: "acts on broken; this build makes no transition",
            delivered: undefined,
            statusCode: undefined,
            attempts: undefined,
            durationMs: undefined,
          }),
        ]),
      ];
      assert.equal(
        formatEventReport(reports[1]),
        "== my-app FAILED, build #44 (event event-44): transition still-failing\n" +
          "  jira: matched on still-failing, delivered\n" +
          "    POST http://127.0.0.1:4000/jira/rest/api/2/issue/OPS-1/comment: answered 200, 1 attempt, 3 ms",
      );
      assert.match(
        formatEventReport(reports[2]),
        /^== my-app SUCCEEDED, build #45 \(event event-45\): transition none\n/,
      );
      assert.equal(
        formatSummary(reports),
        [
          "Summary: each delivery (an event to a receiver told of it)",
          "EVENT              TRANSITION     RECEIVER  RESULT               ATTEMPTS  TIME",
          "my-app FAILED #43  broken         jira      delivered (200)      1         3 ms",
          "my-app FAILED #44  still-failing  jira      delivered (200)      1         3 ms",
          "my-app SUCCEEDED   none           -         told to no receiver",
          "2 deliveries of 3 events: 2 delivered, 0 failed",
        ].join("\n"),
      );
    });
  });

  describe("receivers with one message per build", () => {
    it("replays IN_PROGRESS then the final status of each build: the post, then the update with what the post's answer gave", async () => {
      const run = await runStart(["--receivers-dir", "test/fixtures/start/per-build-receivers"], {
        CODEBUILD_WEBHOOKS_chatBotHeaders: '{"Authorization": "Bearer xoxb-start-token"}',
      });
      assert.equal(run.code, 0, run.stderr);
      const blocks = run.stdout.split("\n\n").filter((chunk) => chunk.startsWith("== my-app "));
      const shown = blocks.map((block) => {
        const [, status, build] = /^== my-app (\w+)(?:, build #(\d+))? \(event /.exec(block) ?? [];
        const section = receiverSection(block, "build-messages");
        const [, step, result] = /^ {2}build-messages: matched on (\w+), (\w+)/m.exec(section) ?? [];
        const [, path] =
          /^ {4}POST http:\/\/127\.0\.0\.1:\d+\/build-messages(\S*): answered 200/m.exec(section) ?? [];
        return {
          event: `${status}${build ? ` #${build}` : ""}`,
          step,
          result,
          path,
          body: JSON.parse(shownBody(section)),
        };
      });
      // The capture receiver answered each post with {"ok": true, "channel": "CHAT_CHANNEL-1", "ts": "CHAT_TS-1"}.
      const post = {
        step: "post",
        result: "delivered",
        path: "/chat.postMessage",
        body: { channel: "C0123ABC", text: "⏳ my-app IN_PROGRESS" },
      };
      const update = (build: number, emoji: string, status: string) => ({
        event: `${status} #${build}`,
        step: "update",
        result: "delivered",
        path: "/chat.update",
        body: { channel: "CHAT_CHANNEL-1", ts: "CHAT_TS-1", text: `${emoji} my-app #${build} ${status}` },
      });
      assert.deepEqual(shown, [
        { event: "IN_PROGRESS", ...post },
        update(42, "✅", "SUCCEEDED"),
        { event: "IN_PROGRESS", ...post },
        update(43, "❌", "FAILED"),
        { event: "IN_PROGRESS", ...post },
        update(44, "⏹️", "STOPPED"),
      ]);
      assert.ok(!run.stdout.includes("xoxb-start-token"), "the headers secret was shown");
    });
  });

  describe("replayed events", () => {
    it("are built as CodeBuild sends them at each status", () => {
      const values = (status: "IN_PROGRESS" | "SUCCEEDED" | "FAILED" | "STOPPED") =>
        buildEventValues(sampleBuildEvent("web-api", status, new Date("2024-06-03T14:21:43Z")));
      const failed = values("FAILED");
      assert.match(
        failed.BUILD_URL,
        /^https:\/\/us-east-1\.console\.aws\.amazon\.com\/codesuite\/codebuild\/123456789012\/projects\/web-api\/build\/web-api%3A[0-9a-f-]{36}\/\?region=us-east-1$/,
      );
      assert.equal(failed.BUILD_NUMBER, "43");
      assert.equal(failed.FAILED_PHASE, "BUILD");
      assert.equal(failed.TIME, "2024-06-03T14:21:43Z");
      assert.equal(failed.DEPLOY_ENV, "staging");
      assert.equal(values("STOPPED").FAILED_PHASE, "BUILD");
      assert.equal(values("SUCCEEDED").FAILED_PHASE, "");
      // CodeBuild numbers a build and opens its log stream only once it has started running.
      assert.equal(values("IN_PROGRESS").BUILD_NUMBER, "");
      // The event links to "group=null;stream=null" then; the placeholder is empty instead.
      assert.equal(values("IN_PROGRESS").LOGS_URL, "");
    });

    it("from a file must be whole EventBridge events", () => {
      const file = path.join(FIXTURES, "detail-only.json");
      assert.throws(() => readBuildEventFile(file), {
        name: "LocalRunInputError",
        message:
          `${file}: detail.project-name: missing; expected a CodeBuild "Build State Change" event as ` +
          "EventBridge delivers it, with detail.project-name and detail.build-status",
      });
    });
  });
});
