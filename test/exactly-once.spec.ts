import * as assert from "node:assert/strict";
import { buildEvent, numberedBuild } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import { startReceiver, type Receiver, type ResponseScript } from "./support/receivers";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/specStack";

interface LogEntry {
  level: string;
  message: string;
  [field: string]: unknown;
}

function logEntries(lines: string[]): LogEntry[] {
  return lines.map((line) => JSON.parse(line) as LogEntry);
}

// Each notice once, also when receivers hang, records cannot be written, registrations overlap, and
// newer builds are recorded before Lambda retries an older one: the packaged notifier against local
// DynamoDB, parameter store and receivers.
describe("each notice once, whatever fails around it", () => {
  let stack: DeployedNotifier;
  const receivers: Receiver[] = [];

  before(async () => {
    stack = await deployNotifier(RECEIVER_SECRETS, RECEIVER_SECRET_KEYS);
  });

  afterEach(() => {
    stack.dynamodb.injectFaults(undefined);
    stack.parameterStore.denyReads(undefined);
  });

  after(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await stack?.close();
  });

  async function receiver(script: ResponseScript = [{ status: 200 }]): Promise<Receiver> {
    const started = await startReceiver(script);
    receivers.push(started);
    return started;
  }

  const register: DeployedNotifier["register"] = (...args) => stack.register(...args);

  it("keeps a build's verdict for its retry, even after a newer build was recorded", async () => {
    let accepting = false;
    const tickets = await receiver(() => (accepting ? { status: 201 } : { status: 400, body: "bad" }));
    await register("verdict-tickets", tickets.url, "verdict-app", ["FAILED"], {
      only_on_change: { BOOL: true },
      template: { S: '{"build": "$BUILD_NUMBER", "was": "$PREVIOUS_STATUS"}' },
    });
    assert.equal((await stack.lambda.invoke(numberedBuild("verdict-app", 1, "SUCCEEDED"))).ok, true);
    const broken = numberedBuild("verdict-app", 2, "FAILED");
    const first = await stack.lambda.invoke(broken);
    assert.equal(first.ok, false, "the receiver refused build 2's notice");
    // Build 3 fails too, and is recorded before Lambda retries build 2: it continues the streak.
    assert.equal((await stack.lambda.invoke(numberedBuild("verdict-app", 3, "FAILED"))).ok, true);
    assert.equal(tickets.requests.length, 1);

    accepting = true;
    const retry = await stack.lambda.invoke(broken);
    assert.equal(retry.ok, true, JSON.stringify(retry.error));
    assert.equal(tickets.requests.length, 2, "the retry of build 2 sends its notice");
    assert.deepEqual(JSON.parse(tickets.requests[1].body), { build: "2", was: "SUCCEEDED" });
    // A later replay of build 2 sends nothing more, and build 3 still was no change.
    assert.equal((await stack.lambda.invoke(broken)).ok, true);
    assert.equal(tickets.requests.length, 2);
  });

  it("never starts a delivery whose turn comes too late, and lets receivers that answer through hung ones", async () => {
    const hung = new Set(Array.from({ length: 100 }, (_, index) => `/hook/hung-${index}`));
    let hanging = true;
    // Those that answer take a moment, as real receivers do: a delivery started with no time left
    // reaches them, then gives up before their answer.
    const shared = await receiver((request) =>
      hanging && hung.has(request.path) ? { hang: true } : { status: 200, delayMs: 20 },
    );
    const healthy = Array.from({ length: 20 }, (_, index) => `/hook/healthy-${index}`);
    // The registry lists a project's receivers by parameter name: the hung ones come first, and take
    // every delivery slot.
    for (const path of [...hung, ...healthy]) {
      const name = `queue-${path.startsWith("/hook/hung") ? "a" : "b"}-${path.slice("/hook/".length)}`;
      await register(name, `${shared.url.replace(/\/hook$/, "")}${path}`, "queue-app", ["FAILED"]);
    }
    const event = buildEvent("FAILED", "queue-app");
    const first = await stack.lambda.invoke(event, { timeoutMs: 8000 });
    assert.equal(first.ok, false);
    assert.match(
      first.error?.message ?? "",
      /^100 of 120 receivers not delivered/,
      "those that answer were delivered",
    );

    hanging = false;
    const retry = await stack.lambda.invoke(event, { timeoutMs: 8000 });
    assert.equal(retry.ok, true, JSON.stringify(retry.error));
    const sentTo = (path: string) => shared.requests.filter((request) => request.path === path).length;
    assert.deepEqual(
      healthy.filter((path) => sentTo(path) !== 1),
      [],
      "every receiver that answers got the notice exactly once",
    );
    assert.ok([...hung].every((path) => sentTo(path) >= 2));
  });

  it("does not send again when the outcomes could not be recorded after the notices went out", async () => {
    // From the moment a receiver has the notice, every write to the table fails, as in an outage.
    let outage = false;
    const answer: ResponseScript = () => {
      outage = true;
      return { status: 200, delayMs: 50 };
    };
    const first = await receiver(answer);
    const second = await receiver(answer);
    await register("unrecorded-one", first.url, "unrecorded-app", ["FAILED"]);
    await register("unrecorded-two", second.url, "unrecorded-app", ["FAILED"]);
    const event = buildEvent("FAILED", "unrecorded-app");
    stack.dynamodb.injectFaults(({ operation }) =>
      outage && operation !== "Query" && operation !== "GetItem"
        ? { status: 500, type: "InternalServerError" }
        : undefined,
    );
    const invocation = await stack.lambda.invoke(event, { timeoutMs: 3000 });
    assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
    const unrecorded = logEntries(invocation.logs).find((entry) =>
      entry.message.startsWith("Delivery records not written"),
    );
    assert.deepEqual((unrecorded?.receivers as string[]).sort(), [
      "/webhooks/unrecorded-one/url",
      "/webhooks/unrecorded-two/url",
    ]);

    // The event comes again (a replay) once the outage is over and its lease has run out: the container
    // that sent it records what it sent instead of sending it again.
    stack.dynamodb.injectFaults(undefined);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const replay = await stack.lambda.invoke(event);
    assert.equal(replay.ok, true, JSON.stringify(replay.error));
    assert.deepEqual([first.requests.length, second.requests.length], [1, 1]);
    const elsewhere = await stack.startContainer();
    assert.equal((await elsewhere.invoke(event)).ok, true);
    assert.deepEqual([first.requests.length, second.requests.length], [1, 1]);
  });

  it("tells a receiver registered for its project and for every project, whichever registration matches", async () => {
    const shadowed = await receiver();
    stack.parameterStore.put("/webhooks/shadowed/url", shadowed.url, "SecureString");
    await stack.registerByHand({
      project: { S: "*" },
      hook_url_param_name: { S: "/webhooks/shadowed/url" },
      statuses: { L: [{ S: "FAILED" }] },
    });
    await stack.registerByHand({
      project: { S: "shadow-app" },
      hook_url_param_name: { S: "/webhooks/shadowed/url" },
      statuses: { L: [{ S: "SUCCEEDED" }] },
    });
    assert.equal((await stack.lambda.invoke(buildEvent("FAILED", "shadow-app"))).ok, true);
    assert.equal((await stack.lambda.invoke(buildEvent("SUCCEEDED", "shadow-app"))).ok, true);
    assert.equal((await stack.lambda.invoke(buildEvent("IN_PROGRESS", "shadow-app"))).ok, true);
    assert.deepEqual(
      shadowed.requests.map((request) => JSON.parse(request.body).text),
      ["Build of *shadow-app* reached status *FAILED*", "Build of *shadow-app* reached status *SUCCEEDED*"],
      "one notice per matching event",
    );
    await stack.unregister("*", "/webhooks/shadowed/url");
  });

  it("sends the default body for an empty template, as the AWS sample does", async () => {
    const target = await receiver();
    await register("empty-template", target.url, "empty-template-app", ["FAILED"], { template: { S: "" } });
    assert.equal((await stack.lambda.invoke(buildEvent("FAILED", "empty-template-app"))).ok, true);
    assert.equal(
      target.requests[0].body,
      '{"text": "Build of *empty-template-app* reached status *FAILED*"}',
    );
  });

  it("fails only the registration whose parameter may not be read, not the others read with it", async () => {
    const open = await receiver();
    const locked = await receiver();
    await register("readable", open.url, "locked-app", ["FAILED"]);
    await register("locked", locked.url, "locked-app", ["FAILED"]);
    stack.parameterStore.denyReads((name) => name.startsWith("/webhooks/locked/"));
    const invocation = await stack.lambda.invoke(buildEvent("FAILED", "locked-app"));
    assert.equal(
      invocation.error?.message,
      "1 of 2 receivers not delivered: /webhooks/locked/url " +
        "(parameter /webhooks/locked/url could not be read (AccessDeniedException))",
    );
    assert.equal(open.requests.length, 1);
    assert.equal(locked.requests.length, 0);
  });
});
