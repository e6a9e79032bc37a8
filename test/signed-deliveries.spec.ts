import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { buildEvent } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import { startReceiver, type Receiver } from "./support/receivers";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/specStack";

function newSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

// Signed deliveries, checked by the Standard Webhooks reference verifier acting as the receiver.
describe("signed deliveries (Standard Webhooks)", () => {
  let stack: DeployedNotifier;
  let receiver: Receiver;

  before(async () => {
    stack = await deployNotifier(RECEIVER_SECRETS, RECEIVER_SECRET_KEYS);
    receiver = await startReceiver([{ status: 204 }]);
  });

  after(async () => {
    await receiver?.close();
    await stack?.close();
  });

  async function registerSigned(name: string, secrets: string): Promise<void> {
    stack.parameterStore.put(`/webhooks/${name}/url`, receiver.url, "SecureString");
    stack.parameterStore.put(`/webhooks/${name}/signing-secret`, secrets, "SecureString");
    await stack.registerByHand({
      project: { S: `${name}-app` },
      hook_url_param_name: { S: `/webhooks/${name}/url` },
      signing_secret_param_name: { S: `/webhooks/${name}/signing-secret` },
      statuses: { L: [{ S: "FAILED" }] },
      template: { S: '{"text": "$PROJECT $STATUS — ünïcødé ✓", "env": "$DEPLOY_ENV"}' },
    });
  }

  it("signs the exact bytes sent so the reference verifier accepts them", async () => {
    const secret = newSecret();
    await registerSigned("signed", secret);
    receiver.requests.length = 0;
    const invocation = await stack.lambda.invoke(
      buildEvent("FAILED", "signed-app", [{ name: "DEPLOY_ENV", value: 'quote " and \\ and \n' }]),
    );
    assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
    const [request] = receiver.requests;
    assert.match(request.headers["webhook-signature"], /^v1,[A-Za-z0-9+/]+=*$/);
    assert.ok(Math.abs(Number(request.headers["webhook-timestamp"]) - Date.now() / 1000) < 60);
    const payload = new Webhook(secret).verify(request.body, request.headers) as { env: string };
    assert.equal(payload.env, 'quote " and \\ and \n');
    assert.throws(() => new Webhook(newSecret()).verify(request.body, request.headers));
    assert.throws(() =>
      new Webhook(secret).verify(request.body.replace("FAILED", "PASSED"), request.headers),
    );
    for (const line of stack.lambda.logs)
      assert.ok(!line.includes(secret.slice(6, 30)), "the secret reached the logs");
  });

  it("signs with every secret while one is rotated, so either verifies", async () => {
    const [oldSecret, newSecretValue] = [newSecret(), newSecret()];
    await registerSigned("rotating", `${oldSecret} ${newSecretValue}`);
    receiver.requests.length = 0;
    assert.equal((await stack.lambda.invoke(buildEvent("FAILED", "rotating-app"))).ok, true);
    const [request] = receiver.requests;
    assert.equal(request.headers["webhook-signature"].split(" ").length, 2);
    for (const secret of [oldSecret, newSecretValue]) {
      assert.doesNotThrow(() => new Webhook(secret).verify(request.body, request.headers));
    }
  });

  it("does not send unsigned when the signing secret is malformed, and never quotes it", async () => {
    await registerSigned("malformed", "not-a-webhook-secret");
    receiver.requests.length = 0;
    const invocation = await stack.lambda.invoke(buildEvent("FAILED", "malformed-app"));
    assert.equal(invocation.ok, false);
    assert.equal(receiver.requests.length, 0);
    const error = invocation.logs.map((line) => JSON.parse(line)).find((entry) => entry.level === "ERROR");
    assert.equal(
      error?.reason,
      "parameter /webhooks/malformed/signing-secret does not hold whsec_ secrets (whsec_ followed by base64)",
    );
    assert.ok(!invocation.logs.some((line) => line.includes("not-a-webhook-secret")));
  });
});
