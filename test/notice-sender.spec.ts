import { strict as assert } from "node:assert";
import type { Got } from "got";
import { createNoticeSender } from "../src/notifier/sendNotice";
import { startReceiver, type Receiver } from "./support/receivers";

// The sender on its own, with an attempt timeout far shorter than a receiver's Retry-After.
describe("notice sender", () => {
  let receiver: Receiver | undefined;

  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const got = () => (require("got") as { default: Got }).default;

  it("waits out a Retry-After longer than one attempt's timeout when it fits before the deadline", async () => {
    receiver = await startReceiver([{ status: 429, headers: { "Retry-After": "1" } }, { status: 201 }]);
    const send = createNoticeSender(got());

    const sent = await send(
      { method: "POST", url: receiver.url, headers: { "Content-Type": "application/json" }, body: "{}" },
      { deadline: Date.now() + 5000, attemptTimeoutMs: 300 },
    );

    assert.deepEqual([sent.delivered, sent.statusCode, sent.attempts], [true, 201, 2]);
    assert.equal(receiver.requests.length, 2);
  });

  it("leaves a notice whose Retry-After ends past the deadline, after one attempt", async () => {
    receiver = await startReceiver([{ status: 429, headers: { "Retry-After": "3" } }, { status: 201 }]);
    const send = createNoticeSender(got());

    const sent = await send(
      { method: "POST", url: receiver.url, headers: { "Content-Type": "application/json" }, body: "{}" },
      { deadline: Date.now() + 2000, attemptTimeoutMs: 300 },
    );

    assert.deepEqual([sent.delivered, sent.statusCode, sent.attempts], [false, 429, 1]);
    assert.equal(receiver.requests.length, 1);
  });
});
