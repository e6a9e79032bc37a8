import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildEventValues } from "../src/notifier/buildEventValues";
import { sampleAnswer, startCaptureReceiver } from "../local/captureReceiver";
import { sendConfig, secretReferences } from "../local/localRunConfig";
import { readBuildEventFile, sampleBuildEvent } from "../local/localRunEvents";
import { formatEventReport, formatSummary } from "../local/localRunReport";
import type { EventReport, ReceiverReport } from "../local/localRunStack";
import { readLocalSecrets } from "../local/localRunSecrets";
import { PROJECT_ROOT } from "../local/stackConfig";
import { installFixtureStack, type FixtureStack } from "./support/fixtureStack";
import { startReceiver, type Receiver } from "./support/receivers";
import { runNpm, type CommandRun, type Variables } from "./support/npmCommand";
import {
  encryptedSecrets,
  PATH_SECRET_HEADERS,
  RENAMED_PROJECT,
  renameCloneProject,
  writeCloneStack,
} from "./support/userRepoStacks";

const FIXTURES = path.join(__dirname, "fixtures", "start");

/** `npm start -- <args>`, with only the given local secrets. */
function npmStart(args: string[], secrets: Variables = {}): Promise<CommandRun> {
  return runNpm(["start", "--", ...args], secrets);
}

/** The output block of one event, from its `== <project> <STATUS>` heading to the blank line after it. */
function eventBlock(stdout: string, event: string): string {
  const block = stdout.split("\n\n").find((chunk) => chunk.startsWith(`== ${event}`));
  assert.ok(block, `no block for ${event} in:\n${stdout}`);
  return block;
}

/** The lines of npm start's output that say pulumi up would refuse a receiver, and why. */
function refusals(stdout: string): string[] {
  return stdout.split("\n").filter((line) => /pulumi up would refuse|is not set|without --secret/.test(line));
}

/** One receiver's lines within an event block. */
function receiverSection(block: string, receiver: string): string {
  const lines = block.split("\n");
  const start = lines.findIndex((line) => line.startsWith(`  ${receiver}: `));
  assert.ok(start >= 0, `no ${receiver} in:\n${block}`);
  const end = lines.findIndex((line, index) => index > start && /^ {2}\S/.test(line));
  return lines.slice(start, end < 0 ? undefined : end).join("\n");
}

/** The body shown in a receiver's section, without its indentation (and the body's final newline). */
function shownBody(section: string): string {
  const lines = section.split("\n");
  return lines
    .slice(lines.indexOf("    body:") + 1)
    .map((line) => line.slice(6))
    .join("\n");
}

describe("npm start", () => {
  it("deploys the shipped receivers locally, replays one event per status and sums up, exit code 0", async () => {
    const run = await npmStart([]);
    assert.equal(run.code, 0, run.stderr);

    for (const step of [
      "Starting the capture receiver (stands in for every receiver URL)",
      "Starting DynamoDB (dynalite)",
      "Starting the parameter store",
      "Deploying index.ts (emulated pulumi up) with the receivers in receivers/",
      "Replaying 4 events, sending to the capture receiver",
    ]) {
      assert.ok(run.stderr.includes(`${step}\n`), `missing progress "${step}" in:\n${run.stderr}`);
    }
    assert.match(
      run.stderr,
      /^Deployed 2 receivers \(jira-failures, slack-builds\): \d+ resources, 2 registry items/m,
    );
    assert.match(run.stderr, /^Packaging the notifier: the serialized code archive, \d+ files/m);
    assert.match(run.stderr, /^Started the notifier in its own process/m);

    const failed = eventBlock(run.stdout, "my-app FAILED");
    const jira = receiverSection(failed, "jira-failures");
    assert.match(jira, /^ {2}jira-failures: matched, delivered$/m);
    assert.match(
      jira,
      /^ {4}POST http:\/\/127\.0\.0\.1:\d+\/jira-failures: answered 200, 1 attempt, \d+ ms$/m,
    );
    assert.match(jira, /^ {6}content-type: application\/json$/m);
    const issue = JSON.parse(shownBody(jira)).fields;
    assert.equal(issue.summary, "my-app build failing");
    assert.match(issue.description, /\nFailed phase: BUILD\nReason: COMMAND_EXECUTION_ERROR: /);
    const slack = receiverSection(failed, "slack-builds");
    assert.match(
      JSON.parse(shownBody(slack)).text,
      /^FAILED: \*my-app\* build #43 <https:\/\/us-east-1\.console\./,
    );

    const inProgress = eventBlock(run.stdout, "my-app IN_PROGRESS");
    assert.match(inProgress, /^ {2}jira-failures: not matched \(listens to FAILED\)$/m);
    assert.match(inProgress, /^ {2}slack-builds: not matched \(listens to SUCCEEDED, FAILED, STOPPED\)$/m);

    // The summary counts deliveries, each an event told to a receiver; the event blocks above say why a
    // receiver was not told. With what follows it, it fits a screen.
    const summary = run.stdout.slice(run.stdout.indexOf("Summary"));
    assert.ok(summary.split("\n").length <= 40, `${summary.split("\n").length} lines:\n${summary}`);
    const withoutTimes = (text: string) => text.replace(/\d+ ms\b/g, "N ms");
    assert.equal(
      withoutTimes(summary.slice(0, summary.indexOf("\nMetrics"))),
      [
        "Summary: each delivery (an event to a receiver told of it)",
        "EVENT               RECEIVER       RESULT               ATTEMPTS  TIME",
        "my-app IN_PROGRESS  -              told to no receiver",
        "my-app SUCCEEDED    slack-builds   delivered (200)      1         N ms",
        "my-app FAILED       jira-failures  delivered (200)      1         N ms",
        "my-app FAILED       slack-builds   delivered (200)      1         N ms",
        "my-app STOPPED      slack-builds   delivered (200)      1         N ms",
        "4 deliveries of 4 events: 4 delivered, 0 failed",
        "",
        // The dev stack sets none of the receivers' secrets: the run stood in for them, pulumi up would not.
        "pulumi up would refuse 2 receivers of this run (jira-failures, slack-builds): Pulumi.dev.yaml does " +
          "not hold as secrets what they name (this run took local values or stand-ins):",
        '  receivers/jira-failures.yaml: url.secret (line 9): config "codebuild-webhooks:jiraIssuesUrl" is not ' +
          "set; run: pulumi config set --secret codebuild-webhooks:jiraIssuesUrl <value>",
        '  receivers/jira-failures.yaml: headers.secret (line 10): config "codebuild-webhooks:jiraAuthHeaders" ' +
          "is not set; run: pulumi config set --secret codebuild-webhooks:jiraAuthHeaders <value>",
        '  receivers/slack-builds.yaml: url.secret (line 7): config "codebuild-webhooks:slackWebhookUrl" is not ' +
          "set; run: pulumi config set --secret codebuild-webhooks:slackWebhookUrl <value>",
        "",
      ].join("\n"),
    );
    // The README shows this very output.
    const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
    const sample = /^## Try it locally\n[\s\S]*?^```\n(Summary[\s\S]*?)^```$/m.exec(readme)?.[1];
    assert.equal(withoutTimes(sample ?? ""), withoutTimes(summary));
    assert.match(
      summary.slice(summary.indexOf("\nMetrics")),
      new RegExp(
        "^\nMetrics the notifier emitted \\(CloudWatch namespace CodeBuildWebhooks\\)\n" +
          "RECEIVER +DELIVERED +FAILED +ATTEMPTS +LATENCY\n" +
          "jira-failures +1 +0 +1 +\\d+ ms\n" +
          "slack-builds +3 +0 +3 +avg \\d+ ms, max \\d+ ms\n$",
      ),
    );
  });

  it("prints the delivery metrics the notifier emitted, per receiver, after the summary", async () => {
    const jira = await startReceiver([{ status: 503 }, { status: 502 }, { status: 201 }]);
    const slack = await startReceiver([{ status: 410, body: "gone" }]);
    try {
      const run = await npmStart(["--send", "--status", "FAILED"], {
        CODEBUILD_WEBHOOKS_jiraIssuesUrl: `${jira.url}/rest/api/2/issue`,
        CODEBUILD_WEBHOOKS_jiraAuthHeaders: JSON.stringify({ Authorization: "Basic bWV0cmljczp0ZXN0" }),
        CODEBUILD_WEBHOOKS_slackWebhookUrl: `${slack.url}/services/T000/B000/metrics-test`,
      });
      assert.equal(run.code, 1, run.stderr);
      const metrics = run.stdout.slice(run.stdout.indexOf("Metrics the notifier emitted"));
      const lines = metrics.split("\n");
      assert.deepEqual(lines.slice(0, 2), [
        "Metrics the notifier emitted (CloudWatch namespace CodeBuildWebhooks)",
        "RECEIVER       DELIVERED  FAILED  ATTEMPTS  LATENCY",
      ]);
      // The latency spans the retries: from the first request to the answer of the last.
      const jiraRow = /^jira-failures +1 +0 +3 +(\d+) ms$/.exec(lines[2]);
      assert.ok(jiraRow, lines[2]);
      assert.ok(Number(jiraRow[1]) >= jira.requests[2].receivedAt - jira.requests[0].receivedAt, lines[2]);
      assert.match(lines[3], /^slack-builds +0 +1 +1 +\d+ ms$/);
      assert.deepEqual(lines.slice(4), [""]);
    } finally {
      await Promise.all([jira.close(), slack.close()]);
    }
  });

  it("warns of a --project no receiver names, rather than report nothing delivered", async () => {
    const run = await npmStart(["--project", "my-ap", "--status", "FAILED"]);
    assert.equal(run.code, 0, run.stderr);
    const warning =
      "warning: --project my-ap: no receiver names this project, so none is told of its builds; the " +
      "receivers name my-app";
    assert.ok(run.stderr.includes(`${warning}\n`), run.stderr);
    assert.match(
      run.stdout,
      new RegExp(
        `\nmy-ap FAILED +- +told to no receiver\n0 deliveries of 1 event: 0 delivered, 0 failed\n\n${warning}\n`,
      ),
    );
  });

  it("--event replays a captured event as it is", async () => {
    const run = await npmStart(["--event", "test/fixtures/start/captured-failed-build.json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stderr.includes("Replaying 1 event, sending to the capture receiver\n"), run.stderr);

    const block = eventBlock(
      run.stdout,
      "my-app FAILED, build #1207 (event d41f6c2e-8a7b-3e95-1c04-7b2e9f5a6d13)",
    );
    assert.deepEqual(JSON.parse(shownBody(receiverSection(block, "slack-builds"))), {
      text:
        "FAILED: *my-app* build #1207 <https://us-east-1.console.aws.amazon.com/codesuite/codebuild/123456789012" +
        "/projects/my-app/build/my-app%3A0c7e4b9a-93d2-4f61-a8b5-6e1d2f3c4a70/?region=us-east-1|open in CodeBuild>",
    });
    const issue = JSON.parse(shownBody(receiverSection(block, "jira-failures"))).fields;
    assert.match(
      issue.description,
      /\nFailed phase: PRE_BUILD\nReason: COMMAND_EXECUTION_ERROR: Error while executing command: npm ci\. Reason: exit status 1\n/,
    );
    assert.match(run.stdout, /\n2 deliveries of 1 event: 2 delivered, 0 failed\n\n/);
  });

  describe("--send", () => {
    const AUTHORIZATION = "Basic c2VuZC10ZXN0OnNlY3JldC10b2tlbg==";
    const SLACK_TOKEN = "slack-send-test-token";
    let jira: Receiver;
    let slack: Receiver;

    before(async () => {
      jira = await startReceiver([{ status: 503 }, { status: 201, body: '{"key":"OPS-7"}' }]);
      slack = await startReceiver([{ status: 404, body: "no_service" }]);
    });

    after(async () => {
      await Promise.all([jira, slack].map((receiver) => receiver?.close()));
    });

    it("sends to the URLs from the environment, shows what was sent with secrets redacted, exit code 1 on a failed delivery", async () => {
      const run = await npmStart(["--send", "--status", "FAILED"], {
        CODEBUILD_WEBHOOKS_jiraIssuesUrl: `${jira.url}/rest/api/2/issue`,
        CODEBUILD_WEBHOOKS_jiraAuthHeaders: JSON.stringify({ Authorization: AUTHORIZATION }),
        CODEBUILD_WEBHOOKS_slackWebhookUrl: `${slack.url}/services/T000/B000/${SLACK_TOKEN}`,
      });
      assert.equal(run.code, 1, run.stderr);

      assert.equal(jira.requests.length, 2);
      const issue = jira.requests[1];
      assert.equal(issue.path, "/hook/rest/api/2/issue");
      assert.equal(issue.headers.authorization, AUTHORIZATION);
      assert.equal(JSON.parse(issue.body).fields.summary, "my-app build failing");
      assert.equal(slack.requests.length, 1);
      assert.equal(slack.requests[0].path, `/hook/services/T000/B000/${SLACK_TOKEN}`);

      const block = eventBlock(run.stdout, "my-app FAILED");
      const jiraSection = receiverSection(block, "jira-failures");
      assert.match(jiraSection, /^ {2}jira-failures: matched, delivered$/m);
      assert.match(
        jiraSection,
        /^ {4}POST the URL in CODEBUILD_WEBHOOKS_jiraIssuesUrl: answered 201, 2 attempts, \d+ ms$/m,
      );
      assert.match(jiraSection, /^ {6}Authorization: <redacted>$/m);
      assert.match(jiraSection, /^ {6}Content-Type: application\/json$/m);
      assert.equal(shownBody(jiraSection), issue.body.replace(/\n$/, ""));
      const slackSection = receiverSection(block, "slack-builds");
      assert.match(slackSection, /^ {2}slack-builds: matched, NOT DELIVERED$/m);
      assert.match(
        slackSection,
        /^ {4}POST the URL in CODEBUILD_WEBHOOKS_slackWebhookUrl: answered 404, 1 attempt/m,
      );
      assert.match(slackSection, /^ {4}answer: no_service$/m, "what the receiver said when it refused");
      assert.equal(shownBody(slackSection), slack.requests[0].body.replace(/\n$/, ""));

      assert.match(run.stdout, /^my-app FAILED +jira-failures +delivered \(201\) +2 +\d+ ms$/m);
      assert.match(run.stdout, /^my-app FAILED +slack-builds +FAILED \(404\) +1 +\d+ ms$/m);
      assert.match(run.stdout, /\n2 deliveries of 1 event: 1 delivered, 1 failed; 1 event with failures\n\n/);
      for (const secret of [AUTHORIZATION, SLACK_TOKEN]) {
        assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), `${secret} was printed`);
      }
    });

    it("names each secret it is missing, by receiver file, field and variable", () => {
      const references = secretReferences(path.join(FIXTURES, "text-receivers"));
      const onlyUrl = (key: string) => (key === "pagerUrl" ? "https://pager.example/hooks/x" : undefined);
      assert.throws(() => sendConfig(references, onlyUrl), {
        name: "LocalRunInputError",
        message:
          "--send needs every receiver's secrets:\n" +
          `${path.relative(process.cwd(), FIXTURES)}/text-receivers/pager.yaml: headers.secret (line 5): ` +
          "CODEBUILD_WEBHOOKS_pagerHeaders is not set; with --send it holds its headers as a JSON object, " +
          "in the environment or in .webhooks.local.env",
      });
    });

    it("reads secrets from the environment over the local file", () => {
      const secrets = readLocalSecrets(path.join(FIXTURES, "webhooks.local.env"), {
        CODEBUILD_WEBHOOKS_jiraIssuesUrl: "https://from-the-environment.example/issue",
      });
      assert.equal(secrets("jiraIssuesUrl"), "https://from-the-environment.example/issue");
      assert.equal(secrets("jiraAuthHeaders"), '{"Authorization": "Basic ZnJvbS10aGUtZmlsZQ=="}');
      assert.equal(secrets("team-chat"), "https://chat.example/hooks/from-the-file");
      assert.equal(secrets("slackWebhookUrl"), undefined);
    });
  });

  it("fails on a bad receiver file with the validation error, naming file and field, exit code 2", async () => {
    const run = await npmStart(["--receivers-dir", "test/fixtures/start/bad-receivers"]);
    assert.equal(run.code, 2);
    assert.ok(
      run.stderr.includes(
        "\nThe receiver files have 2 problems:\n" +
          'test/fixtures/start/bad-receivers/deploy-alerts.yaml: statuses[1] (line 3): "FIALED" is not a build ' +
          "status; use one of IN_PROGRESS, SUCCEEDED, FAILED, FAULT, TIMED_OUT, STOPPED\n" +
          "test/fixtures/start/bad-receivers/deploy-alerts.yaml: template (line 5): not valid JSON at line 1, " +
          'column 11 of the template: expected a value, found $STATUS; placeholders go inside JSON strings: "$STATUS"\n',
      ),
      run.stderr,
    );
    assert.doesNotMatch(run.stderr, /^\s+at /m);
    assert.doesNotMatch(run.stdout, /Summary/);
  });

  describe("--stack", () => {
    let stack: FixtureStack;

    before(() => {
      stack = installFixtureStack();
    });

    after(() => stack?.remove());

    it("deploys with the stack file's settings, its encrypted values taken from the environment", async () => {
      const run = await npmStart(["--stack", stack.name, "--status", "FAILED"], {
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
        const run = await npmStart(["--stack", "renamedstart", "--status", "FAILED"]);
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
        const run = await npmStart(["--stack", "pathsecretstart", "--status", "FAILED"]);
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
        const run = await npmStart(["--stack", "badyamlstart"]);
        assert.equal(run.code, 2, run.stdout + run.stderr);
        assert.match(run.stderr, /^Pulumi\.badyamlstart\.yaml: line 4, column \d+: not YAML: /m);
        assert.doesNotMatch(run.stderr, /\n\s+at /, "a stack trace, as for a bug");
      } finally {
        remove();
      }
    });

    it("names the stack file that does not exist, exit code 2", async () => {
      const run = await npmStart(["--stack", "staging"]);
      assert.equal(run.code, 2);
      assert.match(
        run.stderr,
        /^--stack staging: Pulumi\.staging\.yaml does not exist; the stacks with a settings file here are: (.+, )?dev(, .+)?\n$/,
      );
      assert.doesNotMatch(run.stdout, /Summary/);
    });
  });

  describe("receivers with actions per transition", () => {
    const HEALTH_RECEIVERS = "test/fixtures/start/health-receivers";
    let run: CommandRun;

    before(async () => {
      run = await npmStart([
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
      const notJson = await npmStart(["--receivers-dir", HEALTH_RECEIVERS, "--answer", "incidents={id: 7}"]);
      assert.equal(notJson.code, 2);
      assert.equal(
        notJson.stderr,
        '--answer incidents=...: not valid JSON at column 2: expected a property name in double quotes, found "i"\n',
      );
      const nobody = await npmStart(["--receivers-dir", HEALTH_RECEIVERS, "--answer", 'nobody={"id": 7}']);
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
      const run = await npmStart(["--receivers-dir", "test/fixtures/start/per-build-receivers"], {
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
