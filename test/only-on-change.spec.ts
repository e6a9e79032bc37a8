import * as assert from "node:assert/strict";
import type { BuildStateChangeEvent } from "../src/notifier/buildEvent";
import { buildEvent, numberedBuild } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import { startReceiver, type Receiver } from "./support/receivers";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/specStack";

const PROJECT = "streak-app";

/** The final event of build number `buildNumber` of the project. */
function build(buildNumber: number, status: string): BuildStateChangeEvent {
  return numberedBuild(PROJECT, buildNumber, status);
}

// Jira on FAILED opens one issue per failure streak; chat on SUCCEEDED says "fixed" once.
describe("notices on change only", () => {
  let stack: DeployedNotifier;
  let jira: Receiver;
  let chat: Receiver;
  let everyBuild: Receiver;
  let chatDown = false;

  before(async () => {
    stack = await deployNotifier(RECEIVER_SECRETS, RECEIVER_SECRET_KEYS);
    jira = await startReceiver([{ status: 201 }]);
    chat = await startReceiver(() => (chatDown ? { status: 503 } : { status: 200 }));
    everyBuild = await startReceiver([{ status: 200 }]);
    const registrations: [string, Receiver, string[], boolean, string?][] = [
      ["streak-jira", jira, ["FAILED"], true],
      [
        "streak-chat",
        chat,
        ["SUCCEEDED"],
        true,
        '{"text": "$PROJECT is $STATUS again (was $PREVIOUS_STATUS)"}',
      ],
      ["streak-every-build", everyBuild, ["FAILED", "SUCCEEDED"], false],
    ];
    for (const [name, receiver, statuses, onlyOnChange, template] of registrations) {
      stack.parameterStore.put(`/webhooks/${name}/url`, receiver.url, "SecureString");
      await stack.registerByHand({
        project: { S: PROJECT },
        hook_url_param_name: { S: `/webhooks/${name}/url` },
        statuses: { L: statuses.map((status) => ({ S: status })) },
        only_on_change: { BOOL: onlyOnChange },
        ...(template ? { template: { S: template } } : {}),
      });
    }
  });

  after(async () => {
    await Promise.all([jira, chat, everyBuild].map((receiver) => receiver?.close()));
    await stack?.close();
  });

  async function run(event: BuildStateChangeEvent): Promise<void> {
    const invocation = await stack.lambda.invoke(event, { timeoutMs: 4000 });
    assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
  }

  it("notifies the first final status, then only changes", async () => {
    await run(buildEvent("IN_PROGRESS", PROJECT));
    await run(build(1, "FAILED"));
    await run(build(2, "FAILED"));
    assert.equal(jira.requests.length, 1, "one issue for the failure streak");
    await run(build(3, "SUCCEEDED"));
    await run(build(4, "SUCCEEDED"));
    assert.equal(chat.requests.length, 1, "one 'fixed' message");
    assert.equal(JSON.parse(chat.requests[0].body).text, `${PROJECT} is SUCCEEDED again (was FAILED)`);
    await run(build(5, "FAILED"));
    assert.equal(jira.requests.length, 2, "a new streak, a new issue");
    assert.equal(everyBuild.requests.length, 5, "receivers without onlyOnChange get every build");
  });

  it("does not let an older build finishing late flip the status back", async () => {
    await run(build(4, "SUCCEEDED"));
    await run(build(6, "FAILED"));
    assert.equal(chat.requests.length, 1);
    assert.equal(jira.requests.length, 2, "build 6 continues the streak build 5 started");
  });

  it("keeps the newest of two builds finishing at the same time", async () => {
    const second = await stack.startContainer();
    const results = await Promise.all([
      stack.lambda.invoke(build(8, "SUCCEEDED")),
      second.invoke(build(7, "FAILED")),
    ]);
    for (const result of results) assert.equal(result.ok, true, JSON.stringify(result.error));
    await run(build(9, "SUCCEEDED"));
    // Whichever order the two were recorded in, the project's last status is build 8's SUCCEEDED.
    assert.equal(chat.requests.length, 2);
    assert.equal(JSON.parse(chat.requests[1].body).text, `${PROJECT} is SUCCEEDED again (was FAILED)`);
  });

  it("gives a retried event the answer its first delivery got", async () => {
    chatDown = true;
    await run(build(10, "FAILED"));
    const fixed = build(11, "SUCCEEDED");
    const first = await stack.lambda.invoke(fixed, { timeoutMs: 3000 });
    assert.equal(first.ok, false);
    chatDown = false;
    const before = chat.requests.length;
    await run(fixed);
    assert.equal(chat.requests.length, before + 1);
    assert.equal(
      JSON.parse(chat.requests.at(-1)?.body ?? "{}").text,
      `${PROJECT} is SUCCEEDED again (was FAILED)`,
    );
  });
});
