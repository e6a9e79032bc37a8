import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { BuildStateChangeEvent } from "../src/notifier/buildEvent";
import { numberedBuild } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import { startReceiver, type Receiver } from "./support/receivers";

// Breaks docs/receivers.md, "Build statuses": "A build that timed out or faulted has failed, so FAILED
// takes them in" (TIMED_OUT: "A receiver is told of it when its statuses list FAILED or TIMED_OUT"), and
// docs/build-health.md: "A failed build is one that ended FAILED, TIMED_OUT or FAULT ... and counts as a
// failure below", so it is broken when the project last succeeded.
//
// Preview accepts `statuses: [FAILED]` and `on: { broken: ... }` with that meaning, and npm run render
// renders a TIMED_OUT build for them. The packaged notifier does not understand it: the registry item
// holds the statuses as listed (["FAILED"]; ["FAILED", "SUCCEEDED"] for actions), the notifier matches
// the event's build-status against that list as written, and its build health counts FAILED only. A build
// that timed out or faulted reaches neither receiver.

function failedAs(status: "TIMED_OUT" | "FAULT", buildNumber: number): BuildStateChangeEvent {
  const event = numberedBuild("my-app", buildNumber, "FAILED");
  if (event.detail) event.detail["build-status"] = status;
  return event;
}

describe("red team: a build that timed out or faulted, for receivers preview accepted on FAILED", () => {
  let dir: string;
  let chat: Receiver;
  let jira: Receiver;
  let stack: DeployedNotifier;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "receivers-"));
    fs.writeFileSync(
      path.join(dir, "chat.yaml"),
      "projects: [my-app]\nstatuses: [FAILED]\nurl: { secret: chatUrl }\n" +
        'template: \'{"text": "$PROJECT: $STATUS"}\'\n',
    );
    fs.writeFileSync(
      path.join(dir, "jira.yaml"),
      "projects: [my-app]\nurl: { secret: jiraUrl }\non:\n  broken:\n" +
        '    template: \'{"summary": "$PROJECT is broken ($STATUS)"}\'\n',
    );
    chat = await startReceiver([{ status: 200 }]);
    jira = await startReceiver([{ status: 201 }]);
    const config = { receiversDir: dir, chatUrl: chat.url, jiraUrl: jira.url };
    stack = await deployNotifier(config, ["codebuild-webhooks:chatUrl", "codebuild-webhooks:jiraUrl"]);
  });

  after(async () => {
    await Promise.all([chat, jira].map((server) => server?.close()));
    await stack?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("tells the receiver on FAILED of a TIMED_OUT build, with $STATUS TIMED_OUT", async () => {
    const invocation = await stack.lambda.invoke(failedAs("TIMED_OUT", 1), { timeoutMs: 5000 });
    assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
    assert.deepEqual(
      chat.requests.map((request) => request.body),
      ['{"text": "my-app: TIMED_OUT"}'],
      "the receiver on FAILED was not told of the build that timed out",
    );
  });

  it("sends broken to the receiver with actions for a FAULT build, the project's first failure", async () => {
    const invocation = await stack.lambda.invoke(failedAs("FAULT", 2), { timeoutMs: 5000 });
    assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
    assert.equal(jira.requests.length, 1, "the receiver's broken action was not sent for a faulted build");
  });

  it("control: a FAILED build reaches both receivers (the files were deployed)", async () => {
    const invocation = await stack.lambda.invoke(numberedBuild("my-app", 3, "FAILED"), { timeoutMs: 5000 });
    assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
    assert.ok(chat.requests.some((request) => request.body === '{"text": "my-app: FAILED"}'));
    assert.ok(jira.requests.some((request) => request.body.includes("broken (FAILED)")));
  });
});
