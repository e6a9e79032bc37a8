import * as assert from "node:assert/strict";
import { replayDeadLetters, type DeadLetter } from "../src/replayDeadLetters";
import { buildEvent } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import { startReceiver, type Receiver } from "./support/receivers";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/stackSecrets";

/**
 * An SQS-like queue in memory: a received message stays invisible until its visibility timeout ends,
 * and leaves the queue only when removed.
 */
class VisibilityQueue {
  private readonly messages: { body: string; invisible: boolean }[];

  constructor(bodies: string[]) {
    this.messages = bodies.map((body) => ({ body, invisible: false }));
  }

  get size(): number {
    return this.messages.length;
  }

  async receive(): Promise<DeadLetter[]> {
    return this.messages
      .filter((message) => !message.invisible)
      .map((message) => {
        message.invisible = true;
        return {
          body: message.body,
          remove: async () => void this.messages.splice(this.messages.indexOf(message), 1),
        };
      });
  }

  endVisibilityTimeout(): void {
    for (const message of this.messages) message.invisible = false;
  }
}

describe("replaying dead letters", () => {
  let stack: DeployedNotifier;
  let healthy: Receiver;
  let broken: Receiver;
  let fixed = false;

  before(async () => {
    stack = await deployNotifier(RECEIVER_SECRETS, RECEIVER_SECRET_KEYS);
    healthy = await startReceiver([{ status: 201 }]);
    broken = await startReceiver(() => (fixed ? { status: 200 } : { status: 404 }));
    for (const [name, receiver] of [
      ["replay-healthy", healthy],
      ["replay-broken", broken],
    ] as const) {
      stack.parameterStore.put(`/webhooks/${name}/url`, receiver.url, "SecureString");
      await stack.registerByHand({
        project: { S: "replay-app" },
        hook_url_param_name: { S: `/webhooks/${name}/url` },
        statuses: { L: [{ S: "FAILED" }] },
      });
    }
  });

  after(async () => {
    await Promise.all([healthy?.close(), broken?.close()]);
    await stack?.close();
  });

  it("sends each dead event to the receivers that missed it, once, and empties the queue", async () => {
    const event = buildEvent("FAILED", "replay-app");
    // The event fails (the broken receiver answers 404) and, after Lambda's retries, is dead-lettered
    // with the record Lambda's on-failure destination writes.
    const failed = await stack.lambda.invoke(event);
    assert.equal(failed.ok, false);
    const queued: string[] = [
      JSON.stringify({
        version: "1.0",
        requestContext: { condition: "RetriesExhausted", approximateInvokeCount: 3 },
        requestPayload: event,
        responseContext: { statusCode: 200, functionError: "Unhandled" },
        responsePayload: { errorType: failed.error?.name, errorMessage: failed.error?.message },
      }),
    ];
    const queue = new VisibilityQueue(queued);
    const invoke = async (payload: unknown) => {
      const invocation = await stack.lambda.invoke(payload);
      return { error: invocation.error?.message };
    };
    const lines: string[] = [];

    // Replayed before the receiver is fixed: the dead letter stays queued.
    const early = await replayDeadLetters(queue, invoke, (line) => lines.push(line));
    assert.deepEqual(early, {
      replayed: 0,
      stillFailing: [
        {
          reason:
            "RetriesExhausted: 1 of 2 receivers not delivered: /webhooks/replay-broken/url (answered 404)",
          error: "1 of 2 receivers not delivered: /webhooks/replay-broken/url (answered 404)",
        },
      ],
    });
    assert.equal(queue.size, 1);

    fixed = true;
    queue.endVisibilityTimeout();
    const report = await replayDeadLetters(queue, invoke, (line) => lines.push(line));
    assert.deepEqual(report, { replayed: 1, stillFailing: [] });
    assert.equal(queue.size, 0);
    assert.deepEqual(lines, [
      "still failing: 1 of 2 receivers not delivered: /webhooks/replay-broken/url (answered 404)",
      "replayed (RetriesExhausted: 1 of 2 receivers not delivered: /webhooks/replay-broken/url (answered 404))",
    ]);
    assert.equal(healthy.requests.length, 1, "the healthy receiver got the notice once, before the replays");
    assert.equal(broken.requests.length, 3, "404 on the event and the first replay, 200 on the second");
    assert.equal(new Set(broken.requests.map((request) => request.headers["webhook-id"])).size, 1);
  });
});
