import * as assert from "node:assert/strict";
import { buildEvent } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import { startReceiver, type Receiver } from "./support/receivers";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/specStack";

// Secrets in what the packaged notifier keeps of a refusing receiver's answer (its log lines and the
// invocation's error, which becomes the dead letter).
describe("attack: secrets echoed by receivers", () => {
  let stack: DeployedNotifier;
  const receivers: Receiver[] = [];

  before(async function () {
    this.timeout(60_000);
    stack = await deployNotifier(RECEIVER_SECRETS, RECEIVER_SECRET_KEYS);
  });

  after(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await stack?.close();
  });

  it("keeps no secret in the log lines or the dead letter when a receiver echoes the Basic credentials it decoded", async function () {
    this.timeout(30_000);
    // The Jira headers secret as docs/build-health.md has users make it:
    // {"Authorization": "Basic $(printf '%s' 'you@example.com:<api token>' | base64 -w0)"}
    const apiToken = "ATATT3xFfGF0T9sEcReTjIrAtOkEn4711";
    const credentials = Buffer.from(`you@example.com:${apiToken}`).toString("base64");
    // A server checks Basic credentials by decoding them; one that refuses them says which it got.
    const receiver = await startReceiver((request) => {
      const sent = Buffer.from((request.headers.authorization ?? "").replace(/^Basic /, ""), "base64");
      return {
        status: 401,
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ errorMessages: [`Invalid credentials: ${sent.toString("utf8")}`] }),
      };
    });
    receivers.push(receiver);
    stack.parameterStore.put(
      "/webhooks/basic-jira/headers",
      JSON.stringify({ Authorization: `Basic ${credentials}` }),
      "SecureString",
    );
    await stack.register("basic-jira", receiver.url, "basic-app", ["FAILED"], {
      hook_headers_param_name: { S: "/webhooks/basic-jira/headers" },
    });

    const invocation = await stack.lambda.invoke(buildEvent("FAILED", "basic-app"));
    assert.equal(receiver.requests.length, 1, "the receiver was asked once (401 is no retry)");
    assert.equal(invocation.ok, false);
    // docs/security.md, "Scrubbed echoes": "every secret of the receiver replaced by <redacted>", header
    // values "and their credentials without the scheme" among them.
    const kept = [invocation.error?.message ?? "", ...invocation.logs];
    assert.deepEqual(
      kept.filter((text) => text.includes(apiToken)),
      [],
      "the API token inside the Basic credentials reaches no log line nor the dead letter",
    );
  });
});
