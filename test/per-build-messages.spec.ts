import * as assert from "node:assert/strict";
import {
  DeleteItemCommand,
  DynamoDBClient,
  QueryCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import type { BuildStateChangeEvent } from "../src/notifier/buildEvent";
import type { Invocation, LambdaProcess } from "../local/lambdaProcess";
import { loopbackClient } from "../local/loopbackClient";
import { numberedBuild } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import {
  REFUSED_CONNECTION_CODES,
  REFUSED_CONNECTION_RETRIED,
  type Receiver,
  type RecordedRequest,
  type ResponseStep,
} from "./support/receivers";
import { SLACK_ANSWER, SLACK_PER_BUILD, slackCalls, startSlackReceiver } from "./support/slackReceiver";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/specStack";

const SPOKE_ACCOUNT = "210987654321";
const ALL_STATUSES = ["IN_PROGRESS", "SUCCEEDED", "FAILED", "STOPPED"];
/** How long the dead-letter queue keeps a failed event (its message retention), in seconds. */
const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;
/** A Slack bot token, kept in the receiver's headers parameter: a secret of the receiver. */
const BOT_TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx";

interface LogEntry {
  level: string;
  message: string;
  [field: string]: unknown;
}

// Receivers with one message per build (perBuild: post, then update) and receivers whose 2xx answers must
// hold values (answer): the packaged notifier against local DynamoDB and Slack-like receivers.
describe("one message per build", () => {
  let stack: DeployedNotifier;
  const receivers: Receiver[] = [];

  before(async () => {
    stack = await deployNotifier(
      { ...RECEIVER_SECRETS, sourceAccounts: JSON.stringify([SPOKE_ACCOUNT]) },
      RECEIVER_SECRET_KEYS,
    );
  });

  after(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await stack?.close();
  });

  /** A Slack-like per-build receiver of `project`, registered by hand with `answer: { ok: true }`. */
  async function slack(
    project: string,
    answers?: (request: RecordedRequest, index: number) => ResponseStep | undefined,
    extra: Record<string, AttributeValue> = {},
  ): Promise<Receiver> {
    const receiver = await startSlackReceiver(answers);
    receivers.push(receiver);
    await stack.register(`${project}-slack`, receiver.url, project, ALL_STATUSES, {
      per_build: SLACK_PER_BUILD,
      answer: SLACK_ANSWER,
      ...extra,
    });
    return receiver;
  }

  async function run(event: BuildStateChangeEvent, on?: LambdaProcess): Promise<Invocation> {
    const invocation = await (on ?? stack.lambda).invoke(event);
    assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
    return invocation;
  }

  /**
   * A build of `project` whose IN_PROGRESS post Slack refuses with a 400 (not retried) in the invocation
   * and both of Lambda's retries: the event is dead-lettered.
   */
  async function deadLetteredPost(
    project: string,
    buildNumber: number,
  ): Promise<{ chat: Receiver; started: BuildStateChangeEvent }> {
    const chat = await slack(project, (_request, index) =>
      index < 3 ? { status: 400, body: '{"ok": false, "error": "invalid_blocks"}' } : undefined,
    );
    const started = numberedBuild(project, buildNumber, "IN_PROGRESS");
    for (let attempt = 0; attempt < 3; attempt += 1) {
      assert.equal((await stack.lambda.invoke(started)).ok, false);
    }
    return { chat, started };
  }

  function logEntries(invocation: Invocation): LogEntry[] {
    return invocation.logs.map((line) => JSON.parse(line) as LogEntry);
  }

  it("posts the build's message on its first event and updates it with the remembered channel and ts", async () => {
    const chat = await slack("message-app");
    // A build variable of a remembered name never stands in for it.
    const withSlackTsVariable = (event: ReturnType<typeof numberedBuild>) => {
      event.detail?.["additional-information"]?.environment?.["environment-variables"]?.push({
        name: "SLACK_TS",
        value: "9999.9999",
        type: "PLAINTEXT",
      });
      return event;
    };
    const posting = await run(withSlackTsVariable(numberedBuild("message-app", 5, "IN_PROGRESS")));
    const updating = await run(withSlackTsVariable(numberedBuild("message-app", 5, "SUCCEEDED")));
    assert.deepEqual(slackCalls(chat), [
      { method: "post", channel: "C0123ABC", text: "message-app #5: IN_PROGRESS" },
      { method: "update", channel: "C0123ABC", ts: "1700000000.000001", text: "message-app #5: SUCCEEDED" },
    ]);
    // The log line and outcome say which request was sent.
    const delivered = (invocation: Invocation) =>
      logEntries(invocation).find((entry) => entry.message === "Delivered");
    assert.equal(delivered(posting)?.action, "post");
    assert.equal(delivered(updating)?.action, "update");

    // Another build of the project gets a message of its own.
    await run(numberedBuild("message-app", 6, "FAILED"));
    assert.deepEqual(slackCalls(chat)[2], {
      method: "post",
      channel: "C0123ABC",
      text: "message-app #6: FAILED",
    });
  });

  it("posts once when two containers handle a build's IN_PROGRESS and final status at once, and updates that post", async () => {
    // The post is answered late: the final status arrives in another container while it is in flight.
    const chat = await slack("race-app", (request) =>
      request.path.endsWith("/chat.postMessage")
        ? { status: 200, delayMs: 1500, body: '{"ok": true, "channel": "C0123ABC", "ts": "1.1"}' }
        : undefined,
    );
    const second = await stack.startContainer();
    const posting = stack.lambda.invoke(numberedBuild("race-app", 1, "IN_PROGRESS"));
    await chat.waitForRequests(1);
    const final = numberedBuild("race-app", 1, "FAILED");
    const early = await second.invoke(final);
    assert.equal(early.ok, false, "the final status waits for the post it updates");
    assert.match(
      early.error?.message ?? "",
      /another invocation is posting the build's message; left to Lambda's retry/,
    );
    assert.equal((await posting).ok, true);
    // Lambda's retry of the final status updates the one message.
    await run(final, second);
    assert.deepEqual(slackCalls(chat), [
      { method: "post", channel: "C0123ABC", text: "race-app #1: IN_PROGRESS" },
      { method: "update", channel: "C0123ABC", ts: "1.1", text: "race-app #1: FAILED" },
    ]);
  });

  it("lets one of two events that claim a build's post at the same moment post, and the other update or send nothing", async () => {
    const chat = await slack("claim-app");
    const second = await stack.startContainer();
    for (let build = 1; build <= 4; build += 1) {
      const events = [
        numberedBuild("claim-app", build, "IN_PROGRESS"),
        numberedBuild("claim-app", build, "SUCCEEDED"),
      ];
      const first = await Promise.all([stack.lambda.invoke(events[0]), second.invoke(events[1])]);
      // Lambda retries each event that failed, until it succeeds.
      for (const [index, invocation] of first.entries()) {
        if (!invocation.ok) await run(events[index]);
      }
      const calls = slackCalls(chat).filter((call) => call.text?.startsWith(`claim-app #${build}:`));
      assert.equal(calls.filter((call) => call.method === "post").length, 1, JSON.stringify(calls));
      // The message ends showing the build's final status: posted with it, or updated to it.
      assert.equal(calls.at(-1)?.text, `claim-app #${build}: SUCCEEDED`, JSON.stringify(calls));
      assert.ok(calls.length <= 2);
    }
  });

  it("sends nothing for an IN_PROGRESS that arrives after the build's final status, and succeeds", async () => {
    const chat = await slack("late-app");
    await run(numberedBuild("late-app", 3, "SUCCEEDED"));
    const late = await run(numberedBuild("late-app", 3, "IN_PROGRESS"));
    assert.deepEqual(slackCalls(chat), [
      { method: "post", channel: "C0123ABC", text: "late-app #3: SUCCEEDED" },
    ]);
    assert.equal(
      logEntries(late).find((entry) => entry.message === "Nothing to send")?.skipped,
      "the receiver was sent a newer status of the build already",
    );
  });

  it("sends nothing twice when Lambda retries or the dead-letter queue replays a post or an update", async () => {
    const chat = await slack("replay-app");
    const started = numberedBuild("replay-app", 8, "IN_PROGRESS");
    const done = numberedBuild("replay-app", 8, "FAILED");
    await run(started);
    await run(done);
    await run(started);
    await run(done);
    assert.deepEqual(
      slackCalls(chat).map((call) => call.method),
      ["post", "update"],
    );
  });

  it("posts late with the build's next event when the post failed for good", async () => {
    // Slack refuses the IN_PROGRESS post (a 400 is not retried): Lambda's retries fail too, the event is
    // dead-lettered.
    const { chat, started } = await deadLetteredPost("failed-post-app", 2);
    await run(numberedBuild("failed-post-app", 2, "SUCCEEDED"));
    // The replayed IN_PROGRESS is older than the status the message shows.
    await run(started);
    assert.deepEqual(slackCalls(chat), [
      ...Array(3).fill({ method: "post", channel: "C0123ABC", text: "failed-post-app #2: IN_PROGRESS" }),
      { method: "post", channel: "C0123ABC", text: "failed-post-app #2: SUCCEEDED" },
    ]);
  });

  it("counts Slack's 200 with ok: false as not delivered, with Slack's error in the reason, and remembers nothing", async () => {
    // The error text echoes the receiver's URL, a secret: the reason never shows it.
    const chat = await slack("not-found-app", (request, index) =>
      index === 0
        ? {
            status: 200,
            body: JSON.stringify({
              ok: false,
              error: `channel_not_found at http://${request.headers.host}/hook`,
            }),
          }
        : undefined,
    );
    const refused = await stack.lambda.invoke(numberedBuild("not-found-app", 4, "IN_PROGRESS"));
    assert.equal(refused.ok, false);
    const message = refused.error?.message ?? "";
    assert.match(message, /answered 200 without ok: true \(it holds ok: false\): channel_not_found at /);
    assert.ok(!message.includes(chat.url), message);
    assert.ok(!refused.logs.some((line) => line.includes(chat.url)), "no log line shows the URL");
    const logged = logEntries(refused).find((entry) => entry.message === "Not delivered");
    assert.equal(logged?.statusCode, 200);
    assert.equal(logged?.action, "post");
    // Nothing was remembered: the build's next event posts, rather than update a message with no ts.
    await run(numberedBuild("not-found-app", 4, "SUCCEEDED"));
    assert.deepEqual(
      slackCalls(chat).map((call) => call.method),
      ["post", "post"],
    );
  });

  it("counts a post Slack answered as delivered when its record cannot be written, and updates that post", async () => {
    // A ts as Slack writes them, which no timestamp, duration or id in a log line can hold by chance.
    const TS = "1796630000.917351";
    let answered = false;
    const chat = await slack("unwritten-app", (request) => {
      if (!request.path.endsWith("/chat.postMessage")) return undefined;
      answered = true;
      return { status: 200, body: `{"ok": true, "channel": "C0123ABC", "ts": "${TS}"}` };
    });
    // From the moment Slack answered, every write of a build message record fails (after the SDK's retries).
    stack.dynamodb.injectFaults((request) => {
      const key = (request.input as { Key?: { project?: { S?: string } } }).Key?.project?.S;
      return answered && request.operation === "UpdateItem" && key?.startsWith("#build:")
        ? { status: 500, type: "InternalServerError" }
        : undefined;
    });
    try {
      const posting = await run(numberedBuild("unwritten-app", 1, "IN_PROGRESS"));
      const unwritten = logEntries(posting).find((entry) =>
        entry.message.startsWith("Build message record not written"),
      );
      assert.equal(unwritten?.errorCode, "InternalServerError");
      assert.equal(unwritten?.action, "post");
      assert.ok(!posting.logs.some((line) => line.includes(TS)), "no remembered value is logged");
    } finally {
      stack.dynamodb.injectFaults(undefined);
    }
    // The event's delivery record keeps the post and its values: the final status updates that message.
    await run(numberedBuild("unwritten-app", 1, "SUCCEEDED"));
    await run(numberedBuild("unwritten-app", 1, "IN_PROGRESS"));
    assert.deepEqual(slackCalls(chat), [
      { method: "post", channel: "C0123ABC", text: "unwritten-app #1: IN_PROGRESS" },
      { method: "update", channel: "C0123ABC", ts: TS, text: "unwritten-app #1: SUCCEEDED" },
    ]);
  });

  it("holds any receiver's 2xx answers to its answer values", async () => {
    const answers = ['{"ok": false, "error": "invalid_auth"}', "accepted", '{"ok": true}'];
    const chat = await startSlackReceiver((_request, index) => ({ status: 200, body: answers[index] }));
    receivers.push(chat);
    await stack.register("answer-app-chat", chat.url, "answer-app", ["FAILED"], {
      template: { S: '{"text": "$PROJECT failed"}' },
      answer: { M: { ok: { BOOL: true } } },
    });
    const failed = numberedBuild("answer-app", 1, "FAILED");
    const refused = await stack.lambda.invoke(failed);
    assert.match(
      refused.error?.message ?? "",
      /answered 200 without ok: true \(it holds ok: false\): invalid_auth/,
    );
    const notJson = await stack.lambda.invoke(failed);
    assert.match(notJson.error?.message ?? "", /answered 200 without JSON, so it does not hold ok: true/);
    await run(failed);
    assert.equal(chat.requests.length, 3);
  });

  it("keeps builds of other accounts and regions apart, though their project names and build ids repeat", async () => {
    const chat = await slack("shared-app");
    const fromSpoke = (event: BuildStateChangeEvent): BuildStateChangeEvent => ({
      ...event,
      account: SPOKE_ACCOUNT,
      region: "eu-west-1",
    });
    await run(numberedBuild("shared-app", 1, "IN_PROGRESS"));
    await run(fromSpoke(numberedBuild("shared-app", 1, "IN_PROGRESS")));
    await run(fromSpoke(numberedBuild("shared-app", 1, "SUCCEEDED")));
    await run(numberedBuild("shared-app", 1, "FAILED"));
    assert.deepEqual(slackCalls(chat), [
      { method: "post", channel: "C0123ABC", text: "shared-app #1: IN_PROGRESS" },
      { method: "post", channel: "C0123ABC", text: "shared-app #1: IN_PROGRESS" },
      { method: "update", channel: "C0123ABC", ts: "1700000000.000002", text: "shared-app #1: SUCCEEDED" },
      { method: "update", channel: "C0123ABC", ts: "1700000000.000001", text: "shared-app #1: FAILED" },
    ]);
  });

  it("never shows a receiver's secret in the reason of an answer refused for its answer values (scrubbed, then bounded)", async () => {
    // Slack's error text echoes the bot token, across the point where the reason cuts the error field.
    stack.parameterStore.put(
      "/webhooks/leak-app-slack/headers",
      JSON.stringify({ Authorization: `Bearer ${BOT_TOKEN}` }),
      "SecureString",
    );
    const error = `invalid_auth: ${"x".repeat(160)} token ${BOT_TOKEN} is revoked`;
    await slack("leak-app", () => ({ status: 200, body: JSON.stringify({ ok: false, error }) }), {
      hook_headers_param_name: { S: "/webhooks/leak-app-slack/headers" },
    });
    const refused = await stack.lambda.invoke(numberedBuild("leak-app", 1, "IN_PROGRESS"));
    assert.equal(refused.ok, false);
    const message = refused.error?.message ?? "";
    assert.match(message, /answered 200 without ok: true/);
    // Any 12 characters of the token in a row are the token, cut short.
    const pieces = Array.from({ length: BOT_TOKEN.length - 11 }, (_, at) => BOT_TOKEN.slice(at, at + 12));
    const shown = [message, ...refused.logs].filter((text) => pieces.some((piece) => text.includes(piece)));
    assert.deepEqual(shown, [], `a part of the bot token reached the error or a log line: ${message}`);
  });

  it("posts the build's message once when the post's answer comes after 10 s, within the invocation's deadline", async () => {
    // Slack takes the first chat.postMessage and posts it, but answers after 10.5 s: a post is not safe to
    // repeat, so its one attempt waits for the answer until the deadline instead of being tried again.
    const chat = await slack("slow-app", (request, index) =>
      index === 0 && request.path.endsWith("/chat.postMessage")
        ? { status: 200, delayMs: 10_500, body: '{"ok": true, "channel": "C0123ABC", "ts": "5.5"}' }
        : undefined,
    );
    await stack.lambda.invoke(numberedBuild("slow-app", 1, "IN_PROGRESS"));
    await stack.lambda.invoke(numberedBuild("slow-app", 1, "SUCCEEDED"));
    const posts = slackCalls(chat).filter((call) => call.method === "post");
    assert.equal(posts.length, 1, JSON.stringify(slackCalls(chat)));
    assert.deepEqual(slackCalls(chat), [
      { method: "post", channel: "C0123ABC", text: "slow-app #1: IN_PROGRESS" },
      { method: "update", channel: "C0123ABC", ts: "5.5", text: "slow-app #1: SUCCEEDED" },
    ]);
  });

  it("tries a post again when its receiver refused the connection, which it never took", async () => {
    const closed = await startSlackReceiver();
    await closed.close();
    await stack.register("refused-app-slack", closed.url, "refused-app", ALL_STATUSES, {
      per_build: SLACK_PER_BUILD,
      answer: SLACK_ANSWER,
    });
    const invocation = await stack.lambda.invoke(numberedBuild("refused-app", 1, "IN_PROGRESS"));
    assert.equal(invocation.ok, false);
    const retries = logEntries(invocation).filter((entry) => entry.message === "Retrying");
    if (REFUSED_CONNECTION_RETRIED) assert.ok(retries.length > 0, invocation.logs.join("\n"));
    assert.ok(
      retries.every((entry) => entry.errorCode === "ECONNREFUSED"),
      invocation.logs.join("\n"),
    );
    const failed = logEntries(invocation).find((entry) => entry.message === "Not delivered");
    assert.ok(REFUSED_CONNECTION_CODES.includes(String(failed?.errorCode)), invocation.logs.join("\n"));
  });

  it("sends nothing for an event older than the build's records are kept, such as a dead letter replayed after they expired", async () => {
    // The IN_PROGRESS post is refused for good and dead-lettered; the final status posts late.
    const { chat, started } = await deadLetteredPost("expired-app", 1);
    assert.equal((await stack.lambda.invoke(numberedBuild("expired-app", 1, "SUCCEEDED"))).ok, true);
    // The build's message record expires long before the dead letter does: the table's TTL deletes it
    // while the queue still holds the IN_PROGRESS, and a replay in that time comes after the deletion.
    const dynamodb = new DynamoDBClient(loopbackClient(stack.environment.AWS_ENDPOINT_URL_DYNAMODB));
    try {
      const { Items = [] } = await dynamodb.send(
        new QueryCommand({
          TableName: stack.tableName,
          KeyConditionExpression: "#project = :key",
          ExpressionAttributeNames: { "#project": "project" },
          ExpressionAttributeValues: { ":key": { S: "#build:expired-app" } },
        }),
      );
      assert.equal(Items.length, 1);
      const expiresAt = Number(Items[0].expires_at?.N);
      const deadLetterKeptUntil = Math.floor(Date.now() / 1000) + DEAD_LETTER_RETENTION_SECONDS;
      assert.ok(expiresAt < deadLetterKeptUntil, "the record outlives the dead letter");
      await dynamodb.send(
        new DeleteItemCommand({
          TableName: stack.tableName,
          Key: { project: Items[0].project, hook_url_param_name: Items[0].hook_url_param_name },
        }),
      );
    } finally {
      dynamodb.destroy();
    }
    // The record expired 7 days after its last write, which came after the event: the replay, the same
    // event, comes more than 7 days after the event's time.
    const replayed = await stack.lambda.invoke({
      ...started,
      time: new Date(Date.now() - 8 * 24 * 3600 * 1000).toISOString(),
    });
    assert.equal(replayed.ok, true, JSON.stringify(replayed.error));
    assert.deepEqual(slackCalls(chat).slice(3), [
      { method: "post", channel: "C0123ABC", text: "expired-app #1: SUCCEEDED" },
    ]);
    const nothing = logEntries(replayed).filter((entry) => entry.message === "Nothing to send");
    assert.equal(nothing.length, 1, replayed.logs.join("\n"));
    assert.match(JSON.stringify(nothing[0]), /older than the build's message records are kept \(7 days\)/);
  });
});
