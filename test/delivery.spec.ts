import * as assert from "node:assert/strict";
import { buildEvent } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import { startReceiver, type Receiver, type ResponseScript } from "./support/receivers";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/specStack";

// Retries, deadlines and exactly-once delivery of the serialized notifier, against scripted receivers.
describe("delivery: retries, deadlines, idempotency", () => {
  let stack: DeployedNotifier;
  const receivers: Receiver[] = [];
  let projects = 0;

  before(async () => {
    stack = await deployNotifier(RECEIVER_SECRETS, RECEIVER_SECRET_KEYS);
  });

  after(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await stack?.close();
  });

  /** Registers scripted receivers for a project of their own; returns the project and the receivers. */
  async function project(...scripts: ResponseScript[]): Promise<{ name: string; receivers: Receiver[] }> {
    projects += 1;
    const name = `delivery-app-${projects}`;
    const started: Receiver[] = [];
    for (const [index, script] of scripts.entries()) {
      const receiver = await startReceiver(script);
      receivers.push(receiver);
      started.push(receiver);
      const parameter = `/webhooks/${name}-${index}/url`;
      stack.parameterStore.put(parameter, receiver.url, "SecureString");
      await stack.registerByHand({
        project: { S: name },
        hook_url_param_name: { S: parameter },
        statuses: { L: [{ S: "FAILED" }] },
      });
    }
    return { name, receivers: started };
  }

  it("retries 503 and 502, then delivers once the receiver answers 201, with the same body and webhook-id", async () => {
    const {
      name,
      receivers: [flaky],
    } = await project([{ status: 503 }, { status: 502 }, { status: 201 }]);
    const invocation = await stack.lambda.invoke(buildEvent("FAILED", name));
    assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
    assert.equal(flaky.requests.length, 3);
    assert.equal(new Set(flaky.requests.map((request) => request.body)).size, 1);
    assert.equal(new Set(flaky.requests.map((request) => request.headers["webhook-id"])).size, 1);
    assert.match(flaky.requests[0].headers["webhook-id"], /^msg_[A-Za-z0-9_-]{32}$/);
    const [outcome] = (invocation.result as { outcomes: { attempts: number; statusCode: number }[] })
      .outcomes;
    assert.deepEqual([outcome.attempts, outcome.statusCode], [3, 201]);
    const retries = invocation.logs
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.message === "Retrying");
    assert.deepEqual(
      retries.map((entry) => [entry.attempt, entry.statusCode]),
      [
        [2, 503],
        [3, 502],
      ],
    );
  });

  it("waits as long as Retry-After asks, in seconds or as an HTTP date", async () => {
    const {
      name,
      receivers: [limited, busy],
    } = await project(
      [{ status: 429, headers: { "retry-after": "1" } }, { status: 201 }],
      // The date is set as the answer goes out; HTTP dates have whole seconds, so the wait is 1 to 2 s.
      (_request, index) =>
        index === 0
          ? { status: 503, headers: { "retry-after": new Date(Date.now() + 2000).toUTCString() } }
          : { status: 200 },
    );
    const invocation = await stack.lambda.invoke(buildEvent("FAILED", name));
    assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
    assert.equal(limited.requests.length, 2);
    assert.ok(limited.requests[1].receivedAt - limited.requests[0].receivedAt >= 950);
    assert.equal(busy.requests.length, 2);
    assert.ok(busy.requests[1].receivedAt - busy.requests[0].receivedAt >= 900);
  });

  it("does not wait for a Retry-After past the deadline: the notice is left to Lambda's retry", async () => {
    const {
      name,
      receivers: [limited],
    } = await project([{ status: 429, headers: { "retry-after": "3600" } }]);
    const invocation = await stack.lambda.invoke(buildEvent("FAILED", name), { timeoutMs: 20_000 });
    assert.equal(invocation.ok, false);
    assert.equal(limited.requests.length, 1);
    assert.ok(invocation.durationMs < 5000, `returned after ${invocation.durationMs} ms`);
  });

  it("makes one attempt only for a 400, and keeps the receiver's answer in the error", async () => {
    const {
      name,
      receivers: [strict],
    } = await project([{ status: 400, body: '{"errors":{"summary":"required"}}' }]);
    const invocation = await stack.lambda.invoke(buildEvent("FAILED", name));
    assert.equal(invocation.ok, false);
    assert.equal(
      invocation.error?.message,
      `1 of 1 receivers not delivered: /webhooks/${name}-0/url (answered 400: {"errors":{"summary":"required"}})`,
    );
    assert.equal(strict.requests.length, 1);
  });

  it("returns inside its deadline when a receiver never answers, having delivered the others", async () => {
    const {
      name,
      receivers: [silent, prompt],
    } = await project([{ hang: true }], [{ status: 201 }]);
    const invocation = await stack.lambda.invoke(buildEvent("FAILED", name), { timeoutMs: 5000 });
    assert.equal(invocation.timedOut, false);
    assert.ok(invocation.durationMs < 5000);
    assert.equal(
      invocation.error?.message,
      `1 of 2 receivers not delivered: /webhooks/${name}-0/url (no answer: ETIMEDOUT)`,
    );
    assert.ok(silent.requests.length >= 1);
    assert.equal(prompt.requests.length, 1);
  });

  it("sends a Lambda retry of the same event only to the receiver that had not got it", async () => {
    let recovered = false;
    const {
      name,
      receivers: [healthy, flaky],
    } = await project([{ status: 201 }], () => (recovered ? { status: 201 } : { status: 503 }));
    const event = buildEvent("FAILED", name);
    const first = await stack.lambda.invoke(event, { timeoutMs: 4000 });
    assert.equal(first.ok, false);
    const failedAttempts = flaky.requests.length;
    assert.ok(failedAttempts >= 1);

    recovered = true;
    const retry = await stack.lambda.invoke(event, { timeoutMs: 4000 });
    assert.equal(retry.ok, true, JSON.stringify(retry.error));
    assert.equal(healthy.requests.length, 1);
    assert.equal(flaky.requests.length, failedAttempts + 1);
    assert.equal(new Set(flaky.requests.map((request) => request.headers["webhook-id"])).size, 1);
    const skipped = retry.logs.map((line) => JSON.parse(line)).find((entry) => entry.alreadyDelivered);
    assert.equal(skipped?.receiver, `/webhooks/${name}-0/url`);

    // Later replays (another Lambda retry, a dead letter replayed) send nothing more.
    assert.equal((await stack.lambda.invoke(event)).ok, true);
    assert.equal(healthy.requests.length + flaky.requests.length, failedAttempts + 2);
  });

  it("sends to each receiver once when two invocations of one event run at the same time", async () => {
    const slow = { status: 201, delayMs: 300 };
    const { name, receivers: started } = await project([slow], [slow], [slow]);
    const event = buildEvent("FAILED", name);
    const second = await stack.startContainer();
    const results = await Promise.all([stack.lambda.invoke(event), second.invoke(event)]);
    for (const receiver of started) assert.equal(receiver.requests.length, 1);
    // An invocation that found deliveries in progress elsewhere failed, so Lambda retries it; the retry
    // then finds them delivered and sends nothing.
    for (const [index, result] of results.entries()) {
      if (result.ok) continue;
      assert.match(result.error?.message ?? "", /receivers not delivered/);
      const retry = await [stack.lambda, second][index].invoke(event);
      assert.equal(retry.ok, true, JSON.stringify(retry.error));
    }
    for (const receiver of started) assert.equal(receiver.requests.length, 1);
  });

  it("keeps at most 100 deliveries in flight, and delivers them all", async () => {
    const delayMs = 500;
    const shared = await startReceiver([{ status: 200, delayMs }]);
    receivers.push(shared);
    const name = "wide-fan-out-app";
    for (let index = 0; index < 150; index += 1) {
      const parameter = `/webhooks/${name}-${index}/url`;
      stack.parameterStore.put(parameter, `${shared.url}/${index}`, "SecureString");
      await stack.registerByHand({
        project: { S: name },
        hook_url_param_name: { S: parameter },
        statuses: { L: [{ S: "FAILED" }] },
      });
    }
    const invocation = await stack.lambda.invoke(buildEvent("FAILED", name));
    assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
    assert.equal(new Set(shared.requests.map((request) => request.path)).size, 150);
    // Each request is answered delayMs after it arrives: count those still unanswered at each arrival.
    const arrivals = shared.requests.map((request) => request.receivedAt).sort((a, b) => a - b);
    const inFlight = arrivals.map(
      (at) => arrivals.filter((other) => other <= at && other > at - delayMs).length,
    );
    const peak = Math.max(...inFlight);
    assert.ok(peak <= 100, `${peak} in flight`);
    assert.ok(peak > 50, `deliveries run concurrently (peak ${peak})`);
  });

  it("gives each delivery its own webhook-id: per receiver and per event", async () => {
    const {
      name,
      receivers: [first, second],
    } = await project([{ status: 200 }], [{ status: 200 }]);
    assert.equal((await stack.lambda.invoke(buildEvent("FAILED", name))).ok, true);
    assert.equal((await stack.lambda.invoke(buildEvent("FAILED", name))).ok, true);
    const ids = [...first.requests, ...second.requests].map((request) => request.headers["webhook-id"]);
    assert.equal(new Set(ids).size, 4);
  });
});
