import * as assert from "node:assert/strict";
import {
  DeleteItemCommand,
  DynamoDBClient,
  QueryCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { numberedBuild } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import type { Receiver, RecordedRequest, ResponseStep } from "./support/receivers";
import { SLACK_ANSWER, SLACK_PER_BUILD, slackCalls, startSlackReceiver } from "./support/slackReceiver";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/specStack";

/** How long the dead-letter queue keeps a failed event (its message retention), in seconds. */
const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;
const ALL_STATUSES = ["IN_PROGRESS", "SUCCEEDED", "FAILED", "STOPPED"];
/** A Slack bot token, kept in the receiver's headers parameter: a secret of the receiver. */
const BOT_TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx";

// Per-build receivers and answer checks of the packaged notifier, run in its own process against local
// DynamoDB, the loopback parameter store and Slack-like receivers: promises of the per-build messages page
// that the shipped code breaks.
describe("attack: per-build deliveries of the packaged notifier", () => {
  let stack: DeployedNotifier;
  const receivers: Receiver[] = [];

  before(async () => {
    stack = await deployNotifier({ ...RECEIVER_SECRETS }, RECEIVER_SECRET_KEYS);
  });

  after(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await stack?.close();
  });

  async function slack(
    name: string,
    project: string,
    answers?: (request: RecordedRequest, index: number) => ResponseStep | undefined,
    extra: Record<string, AttributeValue> = {},
  ): Promise<Receiver> {
    const receiver = await startSlackReceiver(answers);
    receivers.push(receiver);
    await stack.register(name, receiver.url, project, ALL_STATUSES, {
      per_build: SLACK_PER_BUILD,
      answer: SLACK_ANSWER,
      ...extra,
    });
    return receiver;
  }

  it("never shows a receiver's secret in the reason of an answer refused for its answer values (scrubbed, then bounded)", async () => {
    // Slack's error text echoes the bot token. The reason keeps the error field's first 200 characters
    // before scrubbing, so a token that straddles that cut is no longer whole when the secrets are sought.
    stack.parameterStore.put(
      "/webhooks/leak-slack/headers",
      JSON.stringify({ Authorization: `Bearer ${BOT_TOKEN}` }),
      "SecureString",
    );
    const error = `invalid_auth: ${"x".repeat(160)} token ${BOT_TOKEN} is revoked`;
    await slack(
      "leak-slack",
      "leak-app",
      () => ({ status: 200, body: JSON.stringify({ ok: false, error }) }),
      { hook_headers_param_name: { S: "/webhooks/leak-slack/headers" } },
    );
    const refused = await stack.lambda.invoke(numberedBuild("leak-app", 1, "IN_PROGRESS"));
    assert.equal(refused.ok, false);
    const message = refused.error?.message ?? "";
    assert.match(message, /answered 200 without ok: true/);
    // Any 12 characters of the token in a row are the token, cut short.
    const pieces = Array.from({ length: BOT_TOKEN.length - 11 }, (_, at) => BOT_TOKEN.slice(at, at + 12));
    const shown = [message, ...refused.logs].filter((text) => pieces.some((piece) => text.includes(piece)));
    assert.deepEqual(shown, [], `a part of the bot token reached the error or a log line: ${message}`);
  });

  it("posts the build's message once when the post's answer comes after the attempt timeout (the receiver took it)", async () => {
    // Slack took the first chat.postMessage and posted it, but answered after the notifier's 10 s attempt
    // timeout: the notifier's retry of the attempt posts the build's message a second time.
    const chat = await slack("slow-slack", "slow-app", (request, index) =>
      index === 0 && request.path.endsWith("/chat.postMessage")
        ? { status: 200, delayMs: 10_500, body: '{"ok": true, "channel": "C0123ABC", "ts": "5.5"}' }
        : undefined,
    );
    await stack.lambda.invoke(numberedBuild("slow-app", 1, "IN_PROGRESS"));
    await stack.lambda.invoke(numberedBuild("slow-app", 1, "SUCCEEDED"));
    const posts = slackCalls(chat).filter((call) => call.method === "post");
    assert.equal(posts.length, 1, JSON.stringify(slackCalls(chat)));
  });
  it("sends nothing for a dead-lettered IN_PROGRESS replayed while the dead-letter queue still holds it, after the build's final status was posted", async () => {
    // The IN_PROGRESS post is refused for good and dead-lettered; the final status posts late.
    const chat = await slack("expired-slack", "expired-app", (_request, index) =>
      index < 3 ? { status: 400, body: '{"ok": false, "error": "invalid_blocks"}' } : undefined,
    );
    const started = numberedBuild("expired-app", 1, "IN_PROGRESS");
    for (let attempt = 0; attempt < 3; attempt += 1) {
      assert.equal((await stack.lambda.invoke(started)).ok, false);
    }
    assert.equal((await stack.lambda.invoke(numberedBuild("expired-app", 1, "SUCCEEDED"))).ok, true);
    // The build's message record expires long before the dead letter does: the table's TTL deletes it
    // while the queue still holds the IN_PROGRESS, and a replay in that time comes after the deletion.
    const dynamodb = new DynamoDBClient({
      endpoint: stack.environment.AWS_ENDPOINT_URL_DYNAMODB,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
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
    await stack.lambda.invoke(started);
    assert.deepEqual(slackCalls(chat).slice(3), [
      { method: "post", channel: "C0123ABC", text: "expired-app #1: SUCCEEDED" },
    ]);
  });
});
