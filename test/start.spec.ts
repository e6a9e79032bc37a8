import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { sendConfig, secretReferences } from "../local/localRunConfig";
import { readLocalSecrets } from "../local/localRunSecrets";
import { PROJECT_ROOT } from "../local/stackConfig";
import { runNpm } from "./support/npmCommand";
import { startReceiver, type Receiver } from "./support/receivers";
import { eventBlock, runStart, receiverSection, shownBody } from "./support/startOutput";

const FIXTURES = path.join(__dirname, "fixtures", "start");

// npm start with the shipped receivers, --send, --event, and receiver files it refuses; the rest of npm
// start's specs are in start*.spec.ts.

describe("npm start", function () {
  // Each npm start deploys and replays in processes of its own: on a machine busy with other runs, a
  // minute, the specs' usual limit, is not always enough. How long it takes is measured, not asserted.
  this.timeout(180_000);
  it("deploys the shipped receivers locally, replays one event per status and sums up, exit code 0", async () => {
    // Through npm itself, as a user types it; the other specs run its script line (runStart).
    const run = await runNpm(["start"]);
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
      const run = await runStart(["--send", "--status", "FAILED"], {
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
    const run = await runStart(["--project", "my-ap", "--status", "FAILED"]);
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
    const run = await runStart(["--event", "test/fixtures/start/captured-failed-build.json"]);
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
      const run = await runStart(["--send", "--status", "FAILED"], {
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
    const run = await runStart(["--receivers-dir", "test/fixtures/start/bad-receivers"]);
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
});
