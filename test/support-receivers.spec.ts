import { strict as assert } from "node:assert";
import { startReceiver, type Receiver } from "./support/receivers";

describe("test receivers", () => {
  const receivers: Receiver[] = [];
  const start = async (...args: Parameters<typeof startReceiver>): Promise<Receiver> => {
    const receiver = await startReceiver(...args);
    receivers.push(receiver);
    return receiver;
  };

  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
  });

  it("records the method, path, lower-case headers and body of each request and answers 200", async () => {
    const receiver = await start();
    assert.match(receiver.url, /^http:\/\/127\.0\.0\.1:\d+\/hook$/);

    const response = await fetch(`${receiver.url}?attempt=1`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Signature": "v1,abc" },
      body: '{"status":"SUCCEEDED"}',
    });

    assert.equal(response.status, 200);
    assert.equal(await response.text(), "");
    const [request] = await receiver.waitForRequests(1);
    assert.equal(request.method, "POST");
    assert.equal(request.path, "/hook?attempt=1");
    assert.equal(request.headers["content-type"], "application/json");
    assert.equal(request.headers["x-signature"], "v1,abc");
    assert.equal(request.body, '{"status":"SUCCEEDED"}');
    assert.equal(typeof request.receivedAt, "number");
  });

  it("plays a list of steps in order and repeats the last one", async () => {
    const receiver = await start([
      { status: 503, body: "busy" },
      { status: 429, headers: { "Retry-After": "1" } },
      { status: 201, body: "created" },
    ]);

    const answers = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const response = await fetch(receiver.url, { method: "POST", body: `attempt ${attempt}` });
      answers.push([response.status, response.headers.get("retry-after"), await response.text()]);
    }

    assert.deepEqual(answers, [
      [503, null, "busy"],
      [429, "1", ""],
      [201, null, "created"],
      [201, null, "created"],
    ]);
    assert.deepEqual(
      receiver.requests.map((request) => request.body),
      ["attempt 0", "attempt 1", "attempt 2", "attempt 3"],
    );
  });

  it("lets a function choose the answer from the request and its index", async () => {
    const receiver = await start((request, index) => ({
      status: 200 + index,
      body: `${request.method} ${request.body}`,
    }));

    const first = await fetch(receiver.url, { method: "PUT", body: "one" });
    const second = await fetch(receiver.url, { method: "POST", body: "two" });

    assert.deepEqual([first.status, await first.text()], [200, "PUT one"]);
    assert.deepEqual([second.status, await second.text()], [201, "POST two"]);
  });

  it("holds a delayed answer back: a client that gives up first gets none", async () => {
    const receiver = await start([{ delayMs: 60_000 }]);

    await assert.rejects(fetch(receiver.url, { method: "POST", signal: AbortSignal.timeout(100) }), {
      name: "TimeoutError",
    });
    assert.equal(receiver.requests.length, 1);
  });

  it("never answers a hanging step, and close() ends the open connection", async () => {
    const receiver = await start([{ hang: true }]);
    const pending = fetch(receiver.url, { method: "POST", body: "hello" });
    await receiver.waitForRequests(1);

    await receiver.close();

    await assert.rejects(pending, { name: "TypeError", message: "fetch failed" });
  });

  it("waitForRequests fails with the count it saw when too few requests arrive", async () => {
    const receiver = await start();
    await fetch(receiver.url, { method: "POST" });

    await assert.rejects(receiver.waitForRequests(2, 200), {
      message: "Expected 2 requests at the receiver within 200 ms, got 1",
    });
  });
});
