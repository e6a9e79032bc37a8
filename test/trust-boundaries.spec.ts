import * as assert from "node:assert/strict";
import { createGzip } from "node:zlib";
import { buildEvent, numberedBuild } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import { startReceiver, type Receiver, type ResponseScript } from "./support/receivers";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/specStack";

/** A gzip answer that inflates to `inflatedBytes` of zeros: a few hundred KiB on the wire. */
function gzipBomb(inflatedBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gzip = createGzip({ level: 9 });
    const chunks: Buffer[] = [];
    gzip.on("data", (chunk: Buffer) => chunks.push(chunk));
    gzip.on("end", () => resolve(Buffer.concat(chunks)));
    gzip.on("error", reject);
    const zeros = Buffer.alloc(16 * 1024 * 1024);
    let written = 0;
    const writeMore = (): void => {
      while (written < inflatedBytes) {
        written += zeros.length;
        if (!gzip.write(zeros)) {
          gzip.once("drain", writeMore);
          return;
        }
      }
      gzip.end();
    };
    writeMore();
  });
}

// What a registry item, a receiver's answer and an event can make the packaged notifier do: each is
// input from someone who may not be trusted with the receivers' secrets or the function's memory.
describe("trust boundaries of the deployed notifier", () => {
  const VICTIM_AUTH = "Bearer victim-token-7f3a";
  const VICTIM_SECRET = `whsec_${Buffer.alloc(32, 9).toString("base64")}`;
  let stack: DeployedNotifier;
  let victim: Receiver;
  let attacker: Receiver;
  const receivers: Receiver[] = [];

  before(async () => {
    stack = await deployNotifier(RECEIVER_SECRETS, RECEIVER_SECRET_KEYS);
    victim = await startReceiver([{ status: 200 }]);
    attacker = await startReceiver([{ status: 200 }]);
    receivers.push(victim, attacker);
    stack.parameterStore.put("/webhooks/victim/url", victim.url, "SecureString");
    stack.parameterStore.put(
      "/webhooks/victim/headers",
      JSON.stringify({ Authorization: VICTIM_AUTH }),
      "SecureString",
    );
    stack.parameterStore.put("/webhooks/victim/signing-secret", VICTIM_SECRET, "SecureString");
    stack.parameterStore.put("/webhooks/attacker/url", attacker.url, "SecureString");
  });

  after(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await stack?.close();
  });

  async function receiver(script: ResponseScript): Promise<Receiver> {
    const started = await startReceiver(script);
    receivers.push(started);
    return started;
  }

  it("refuses an item that names another receiver's headers or signing secret beside its own URL", async () => {
    for (const [project, attribute, parameter] of [
      ["borrowed-headers-app", "hook_headers_param_name", "/webhooks/victim/headers"],
      ["borrowed-secret-app", "signing_secret_param_name", "/webhooks/victim/signing-secret"],
    ]) {
      await stack.registerByHand({
        project: { S: project },
        hook_url_param_name: { S: "/webhooks/attacker/url" },
        [attribute]: { S: parameter },
        statuses: { L: [{ S: "FAILED" }] },
      });
      const invocation = await stack.lambda.invoke(buildEvent("FAILED", project));
      assert.equal(
        invocation.error?.message,
        `1 of 1 receivers not delivered: /webhooks/attacker/url (invalid registry item: attribute ${attribute} ` +
          "must name a parameter in the receiver's own folder /webhooks/attacker/, beside its URL parameter)",
      );
    }
    assert.equal(attacker.requests.length, 0, "nothing went to the item's URL");
    assert.equal(
      stack.parameterStore.calls
        .flatMap((call) => call.names)
        .filter((name) => name.startsWith("/webhooks/victim/")).length,
      0,
      "the other receiver's parameters were not even read",
    );
  });

  it("reads a few KiB of an answer at most, and never inflates a compressed one", async () => {
    const bomb = await gzipBomb(1024 ** 3);
    const hostile = await receiver([{ status: 200, headers: { "content-encoding": "gzip" }, body: bomb }]);
    const verbose = await receiver([{ status: 201, body: "x".repeat(32 * 1024 * 1024) }]);
    const refusing = await receiver([{ status: 400, headers: { "content-encoding": "gzip" }, body: bomb }]);
    for (const [name, target] of [
      ["hostile", hostile],
      ["verbose", verbose],
      ["refusing", refusing],
    ] as const) {
      await stack.register(name, target.url, "answers-app", ["FAILED"]);
    }
    const container = await stack.startContainer();
    const invocation = await container.invoke(buildEvent("FAILED", "answers-app"));
    assert.equal(
      invocation.error?.message,
      "1 of 3 receivers not delivered: /webhooks/refusing/url (answered 400)",
    );
    assert.deepEqual([hostile.requests.length, verbose.requests.length, refusing.requests.length], [1, 1, 1]);
    const peak = await container.peakRssBytes();
    const memoryBytes = stack.deployment.notifierSettings.memoryMb * 1024 * 1024;
    assert.ok(peak < memoryBytes, `peak RSS ${Math.round(peak / 2 ** 20)} MiB within the function's memory`);
    assert.equal(hostile.requests[0].headers["accept-encoding"], "identity");
  });

  it("keeps the start of a refusing receiver's answer, without control characters, in its log line and error", async () => {
    const strict = await receiver([
      { status: 400, body: `bad\u0007 request\n\u001b[31m${"e".repeat(2000)}` },
    ]);
    await stack.register("strict", strict.url, "strict-app", ["FAILED"]);
    const invocation = await stack.lambda.invoke(buildEvent("FAILED", "strict-app"));
    const expected = `bad  request [31m${"e".repeat(1024 - "bad\u0007 request\n\u001b[31m".length)}`;
    assert.equal(
      invocation.error?.message,
      `1 of 1 receivers not delivered: /webhooks/strict/url (answered 400: ${expected})`,
    );
    const logged = invocation.logs
      .map((line) => JSON.parse(line))
      .find((entry) => entry.message === "Not delivered");
    assert.equal(logged?.responseBody, expected);
  });

  it("refuses an event that is not a CodeBuild build state change, whoever sends it", async () => {
    await stack.register("forged-target", victim.url, "forged-app", ["FAILED"]);
    const forged = { ...buildEvent("FAILED", "forged-app"), source: "my.application" };
    const invocation = await stack.lambda.invoke(forged);
    assert.equal(
      invocation.error?.message,
      'Refused: not a CodeBuild Build State Change event (source "my.application", detail-type "CodeBuild Build State Change")',
    );
    assert.equal(victim.requests.length, 0);
  });

  it("percent-encodes build values into a form body, so a value cannot add a field", async () => {
    const form = await receiver([{ status: 200 }]);
    stack.parameterStore.put(
      "/webhooks/form/headers",
      JSON.stringify({ "Content-Type": "application/x-www-form-urlencoded" }),
      "SecureString",
    );
    await stack.register("form", form.url, "form-app", ["FAILED"], {
      hook_headers_param_name: { S: "/webhooks/form/headers" },
      template: { S: "channel=%23builds&text=$PROJECT+failed+on+$BRANCH" },
    });
    const event = buildEvent("FAILED", "form-app", [{ name: "BRANCH", value: "main&channel=%23elsewhere" }]);
    assert.equal((await stack.lambda.invoke(event)).ok, true);
    const fields = new URLSearchParams(form.requests[0].body);
    assert.deepEqual(fields.getAll("channel"), ["#builds"]);
    assert.equal(fields.get("text"), "form-app failed on main&channel=%23elsewhere");
  });

  it("sends no action whose path a value would leave with an empty, . or .. segment, naming the placeholder, nor one whose value holds a %", async () => {
    /** A receiver that opens an issue with the answer's key, then comments on it at `path`. */
    const issueTracker = async (name: string, key: string, path: string): Promise<Receiver> => {
      const tracker = await receiver((request) =>
        request.path === "/hook/issues" ? { status: 201, body: JSON.stringify({ key }) } : { status: 201 },
      );
      await stack.register(name, tracker.url, `${name}-app`, ["FAILED"], {
        actions: {
          M: {
            broken: {
              M: {
                path: { S: "/issues" },
                template: { S: '{"summary": "$PROJECT is failing"}' },
                remember: { M: { ISSUE: { S: "key" } } },
              },
            },
            "still-failing": { M: { path: { S: path }, template: { S: '{"body": "still failing"}' } } },
          },
        },
      });
      return tracker;
    };
    for (const [name, key, path] of [
      ["up-a-level", "..", "/issues/$ISSUE/comments"],
      ["same-level", ".", "/issues/$ISSUE/comments"],
      ["empty-key", "", "/issues/$ISSUE/comments"],
      ["dot-prefixed", ".", "/issues/.${ISSUE}/comments"],
    ]) {
      const tracker = await issueTracker(name, key, path);
      assert.equal((await stack.lambda.invoke(numberedBuild(`${name}-app`, 1, "FAILED"))).ok, true);
      const followUp = await stack.lambda.invoke(numberedBuild(`${name}-app`, 2, "FAILED"));
      assert.equal(
        followUp.error?.message,
        `1 of 1 receivers not delivered: /webhooks/${name}/url (the path names $ISSUE with a value that ` +
          'leaves its segment empty, "." or "..", which would change the path)',
        name,
      );
      assert.deepEqual(
        tracker.requests.map((request) => request.path),
        ["/hook/issues"],
        `${name}: the comment went nowhere, neither to /hook/comments nor to /hook/issues/comments`,
      );
    }

    // Percent-encoded dots in a value, encoded again (%252e), would climb at a server behind a
    // decoding proxy: a value holding a % is not sent either.
    const encoded = await issueTracker("encoded-dots", "%2e%2E", "/issues/$ISSUE/comments");
    assert.equal((await stack.lambda.invoke(numberedBuild("encoded-dots-app", 1, "FAILED"))).ok, true);
    const followUp = await stack.lambda.invoke(numberedBuild("encoded-dots-app", 2, "FAILED"));
    assert.equal(
      followUp.error?.message,
      '1 of 1 receivers not delivered: /webhooks/encoded-dots/url (the path holds %25, an encoded "%", ' +
        "which a server decoding the path a second time (behind a proxy that decoded it once) reads as " +
        "another escape: %252e%252e climbs above the receiver URL's path as .. does; write each character " +
        'as it is or encoded once, and no "%" in a value)',
    );
    assert.deepEqual(
      encoded.requests.map((request) => request.path),
      ["/hook/issues"],
    );
  });
});
