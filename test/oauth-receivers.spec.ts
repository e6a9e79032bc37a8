import * as assert from "node:assert/strict";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { LambdaProcess } from "../local/lambdaProcess";
import { buildEvent } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import {
  REFUSED_CONNECTION_CODES,
  REFUSED_CONNECTION_RETRIED,
  startReceiver,
  type RecordedRequest,
  type Receiver,
  type ResponseStep,
} from "./support/receivers";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/specStack";

/** A client's credentials, as its parameters hold them. */
interface Client {
  id: string;
  secret: string;
}

/** RFC 6749 Appendix B, as a server decodes the Basic credentials. */
function formEncoded(value: string): string {
  return new URLSearchParams([["", value]]).toString().slice(1);
}

/**
 * A token endpoint on the loopback interface: it answers each request as `answer` says (by default a
 * new token, `tok-<n>`, valid for an hour), and records what it was sent.
 */
async function startTokenEndpoint(
  answer: (request: RecordedRequest, index: number) => ResponseStep = () => ({}),
): Promise<Receiver & { issued: string[] }> {
  const issued: string[] = [];
  const endpoint = await startReceiver((request, index) => {
    const step = answer(request, index);
    if (step.status !== undefined || step.body !== undefined || step.hang) return step;
    const token = `tok-${index + 1}-${Math.random().toString(36).slice(2)}`;
    issued.push(token);
    return {
      ...step,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ access_token: token, token_type: "Bearer", expires_in: 3600 }),
    };
  });
  return Object.assign(endpoint, { issued });
}

// Receivers that take OAuth 2.0 client credentials, delivered by the packaged notifier: the token
// endpoint and the receivers are loopback servers that record exactly what they got.
describe("receivers with OAuth 2.0 client credentials (deployed notifier)", () => {
  let stack: DeployedNotifier;
  const servers: Receiver[] = [];
  /** Containers of their own some tests start; their log lines are checked with the stack's. */
  const containers: LambdaProcess[] = [];
  /** Every secret value the tests handed the notifier or its endpoints answered; none may be logged. */
  const secrets: string[] = [];

  before(async () => {
    stack = await deployNotifier(RECEIVER_SECRETS, RECEIVER_SECRET_KEYS);
  });

  after(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await stack?.close();
  });

  async function receiver(script: ResponseStep[] | ((r: RecordedRequest, i: number) => ResponseStep) = []) {
    const started = await startReceiver(script);
    servers.push(started);
    return started;
  }

  async function tokenEndpoint(answer?: (request: RecordedRequest, index: number) => ResponseStep) {
    const started = await startTokenEndpoint(answer);
    servers.push(started);
    return started;
  }

  /**
   * Registers a receiver by hand in its own folder: its URL and OAuth parameters, and an item for the
   * project's FAILED builds with the OAuth attributes and `extra`.
   */
  async function registerOAuth(
    name: string,
    options: { url: string; tokenUrl: string; client: Client; project: string },
    extra: Record<string, AttributeValue> = {},
  ): Promise<void> {
    const folder = `/webhooks/${name}`;
    stack.parameterStore.put(`${folder}/url`, options.url, "SecureString");
    stack.parameterStore.put(`${folder}/oauth-token-url`, options.tokenUrl, "SecureString");
    stack.parameterStore.put(`${folder}/oauth-client-id`, options.client.id, "SecureString");
    stack.parameterStore.put(`${folder}/oauth-client-secret`, options.client.secret, "SecureString");
    secrets.push(options.client.secret);
    await stack.registerByHand({
      project: { S: options.project },
      hook_url_param_name: { S: `${folder}/url` },
      statuses: { L: [{ S: "FAILED" }] },
      oauth_token_url_param_name: { S: `${folder}/oauth-token-url` },
      oauth_client_id_param_name: { S: `${folder}/oauth-client-id` },
      oauth_client_secret_param_name: { S: `${folder}/oauth-client-secret` },
      ...extra,
    });
  }

  async function newContainer(): Promise<LambdaProcess> {
    const started = await stack.startContainer();
    containers.push(started);
    return started;
  }

  function client(name: string): Client {
    return { id: `${name}-client`, secret: `${name}-secret-${Math.random().toString(36).slice(2)}` };
  }

  it("asks for one token for several events in a warm container, and for concurrent deliveries", async () => {
    const tokens = await tokenEndpoint();
    const target = await receiver([{ status: 201 }]);
    const credentials = client("warm");
    for (const name of ["warm-a", "warm-b", "warm-c"]) {
      await registerOAuth(name, {
        url: `${target.url}/${name}`,
        tokenUrl: tokens.url,
        client: credentials,
        project: "warm-app",
      });
    }
    const container = await newContainer();
    for (let event = 0; event < 3; event++) {
      const invocation = await container.invoke(buildEvent("FAILED", "warm-app"));
      assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
    }
    assert.equal(tokens.requests.length, 1, "one token request for 3 events × 3 concurrent deliveries");
    assert.equal(target.requests.length, 9);
    for (const request of target.requests) {
      assert.equal(request.headers.authorization, `Bearer ${tokens.issued[0]}`);
    }
    secrets.push(...tokens.issued);
  });

  it("authenticates with HTTP Basic by default, the credentials form-encoded (RFC 6749 2.3.1)", async () => {
    const tokens = await tokenEndpoint();
    const target = await receiver([{ status: 200 }]);
    const credentials = { id: "client id:ü", secret: `s3cr3t/+&=%${Math.random()}` };
    await registerOAuth(
      "basic",
      { url: target.url, tokenUrl: `${tokens.url}/oauth2/token`, client: credentials, project: "basic-app" },
      { oauth_scope: { S: "builds.write incidents" }, oauth_audience: { S: "https://api.example.com" } },
    );
    const invocation = await stack.lambda.invoke(buildEvent("FAILED", "basic-app"));
    assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
    const [request] = tokens.requests;
    assert.equal(request.method, "POST");
    assert.equal(request.path, "/hook/oauth2/token");
    assert.equal(request.headers["content-type"], "application/x-www-form-urlencoded");
    assert.equal(request.headers.accept, "application/json");
    const pair = `${formEncoded(credentials.id)}:${formEncoded(credentials.secret)}`;
    assert.equal(request.headers.authorization, `Basic ${Buffer.from(pair).toString("base64")}`);
    assert.equal(
      request.body,
      "grant_type=client_credentials&scope=builds.write+incidents&audience=https%3A%2F%2Fapi.example.com",
    );
    assert.equal(target.requests[0].headers.authorization, `Bearer ${tokens.issued[0]}`);
    secrets.push(...tokens.issued);
  });

  it("sends the client's credentials in the form body with oauth_client_auth body", async () => {
    const tokens = await tokenEndpoint();
    const target = await receiver([{ status: 200 }]);
    const credentials = { id: "body-client", secret: `body secret&=${Math.random()}` };
    await registerOAuth(
      "body",
      { url: target.url, tokenUrl: tokens.url, client: credentials, project: "body-app" },
      { oauth_client_auth: { S: "body" } },
    );
    const invocation = await stack.lambda.invoke(buildEvent("FAILED", "body-app"));
    assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
    const [request] = tokens.requests;
    assert.equal(request.headers.authorization, undefined);
    assert.equal(
      request.body,
      `grant_type=client_credentials&client_id=body-client&client_secret=${formEncoded(credentials.secret)}`,
    );
    assert.equal(new URLSearchParams(request.body).get("client_secret"), credentials.secret);
    secrets.push(...tokens.issued);
  });

  it("sends the bearer token over an Authorization header of the receiver's headers", async () => {
    const tokens = await tokenEndpoint();
    const target = await receiver([{ status: 200 }]);
    stack.parameterStore.put(
      "/webhooks/headed/headers",
      JSON.stringify({ authorization: "Basic c3RhbGU=", "X-Tenant": "ops" }),
      "SecureString",
    );
    await registerOAuth(
      "headed",
      { url: target.url, tokenUrl: tokens.url, client: client("headed"), project: "headed-app" },
      { hook_headers_param_name: { S: "/webhooks/headed/headers" } },
    );
    assert.equal((await stack.lambda.invoke(buildEvent("FAILED", "headed-app"))).ok, true);
    assert.equal(target.requests[0].headers.authorization, `Bearer ${tokens.issued[0]}`);
    assert.equal(target.requests[0].headers["x-tenant"], "ops");
    secrets.push(...tokens.issued);
  });

  it("gets a new token once the cached one is within 60 s of expiring", async () => {
    const tokens = await tokenEndpoint((_, index) => {
      const token = `short-lived-${index + 1}`;
      return {
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ access_token: token, token_type: "bearer", expires_in: 61 }),
      };
    });
    const target = await receiver([{ status: 200 }]);
    await registerOAuth("expiring", {
      url: target.url,
      tokenUrl: tokens.url,
      client: client("expiring"),
      project: "expiring-app",
    });
    // expires_in 61 keeps the token for 1 s: the second event comes after that.
    assert.equal((await stack.lambda.invoke(buildEvent("FAILED", "expiring-app"))).ok, true);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    assert.equal((await stack.lambda.invoke(buildEvent("FAILED", "expiring-app"))).ok, true);
    assert.equal(tokens.requests.length, 2);
    assert.deepEqual(
      target.requests.map((request) => request.headers.authorization),
      ["Bearer short-lived-1", "Bearer short-lived-2"],
    );
    secrets.push("short-lived-1", "short-lived-2");
  });

  it("answers a 401 from the receiver with one new token and one more try", async () => {
    const newTokenDelayMs = 300;
    const tokens = await tokenEndpoint((_, index) => (index === 1 ? { delayMs: newTokenDelayMs } : {}));
    const revoking = await receiver([{ status: 401, body: "token revoked" }, { status: 200 }]);
    await registerOAuth("revoking", {
      url: revoking.url,
      tokenUrl: tokens.url,
      client: client("revoking"),
      project: "revoking-app",
    });
    const invocation = await stack.lambda.invoke(buildEvent("FAILED", "revoking-app"));
    assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
    assert.equal(tokens.requests.length, 2);
    assert.deepEqual(
      revoking.requests.map((request) => request.headers.authorization),
      tokens.issued.map((token) => `Bearer ${token}`),
    );
    const [outcome] = (invocation.result as { outcomes: { attempts: number; durationMs: number }[] })
      .outcomes;
    assert.equal(outcome.attempts, 2);
    // Its latency (the DeliveryLatency metric) runs from the first attempt to the final answer, so it
    // holds the wait for the new token.
    assert.ok(outcome.durationMs >= newTokenDelayMs, `latency ${outcome.durationMs} ms`);
    secrets.push(...tokens.issued);

    // A receiver that refuses every token is tried twice in all, not in a loop.
    const refusing = await receiver([{ status: 401 }]);
    const moreTokens = await tokenEndpoint();
    await registerOAuth("always-401", {
      url: refusing.url,
      tokenUrl: moreTokens.url,
      client: client("always-401"),
      project: "always-401-app",
    });
    const failed = await stack.lambda.invoke(buildEvent("FAILED", "always-401-app"));
    assert.equal(
      failed.error?.message,
      "1 of 1 receivers not delivered: /webhooks/always-401/url (answered 401)",
    );
    assert.equal(refusing.requests.length, 2);
    assert.equal(moreTokens.requests.length, 2);
    secrets.push(...moreTokens.issued);
  });

  it("retries a failing token endpoint like a delivery", async () => {
    const tokens = await tokenEndpoint((_, index) =>
      index === 0 ? { status: 503, body: "maintenance" } : index === 1 ? { status: 429 } : {},
    );
    const target = await receiver([{ status: 200 }]);
    await registerOAuth("flaky-tokens", {
      url: target.url,
      tokenUrl: tokens.url,
      client: client("flaky-tokens"),
      project: "flaky-tokens-app",
    });
    const invocation = await stack.lambda.invoke(buildEvent("FAILED", "flaky-tokens-app"));
    assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
    assert.equal(tokens.requests.length, 3);
    assert.equal(target.requests[0].headers.authorization, `Bearer ${tokens.issued[0]}`);
    secrets.push(...tokens.issued);
  });

  for (const status of [400, 401]) {
    it(`fails the delivery when the token endpoint refuses (${status}), naming the receiver and the OAuth error only`, async () => {
      const name = `refused-${status}`;
      const credentials = client(name);
      const description = `Client authentication failed: secret ${credentials.secret} is not valid`;
      const tokens = await tokenEndpoint(() => ({
        status,
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ error: "invalid_client", error_description: description }),
      }));
      const target = await receiver([{ status: 200 }]);
      await registerOAuth(name, {
        url: target.url,
        tokenUrl: tokens.url,
        client: credentials,
        project: `${name}-app`,
      });
      const invocation = await stack.lambda.invoke(buildEvent("FAILED", `${name}-app`));
      // The error is what Lambda keeps with the dead letter.
      assert.equal(
        invocation.error?.message,
        `1 of 1 receivers not delivered: /webhooks/${name}/url (no OAuth token for receiver ${name}: the ` +
          `token endpoint refused the client credentials: invalid_client (answered ${status}))`,
      );
      assert.equal(tokens.requests.length, 1, "a refusal is not retried");
      assert.equal(target.requests.length, 0);
      assert.ok(!invocation.logs.some((line) => line.includes("Client authentication failed")));
    });
  }

  it("fails the delivery when the token endpoint cannot be reached, after retrying it like a delivery", async () => {
    // A loopback port with nothing listening: every connection is refused.
    const closed = await tokenEndpoint();
    const tokenUrl = closed.url;
    await closed.close();
    const target = await receiver([{ status: 200 }]);
    await registerOAuth("unreachable-tokens", {
      url: target.url,
      tokenUrl,
      client: client("unreachable-tokens"),
      project: "unreachable-tokens-app",
    });
    const invocation = await stack.lambda.invoke(buildEvent("FAILED", "unreachable-tokens-app"));
    const message = invocation.error?.message ?? "";
    const code = REFUSED_CONNECTION_CODES.find((candidate) => message.endsWith(`(${candidate}))`));
    assert.equal(
      message,
      "1 of 1 receivers not delivered: /webhooks/unreachable-tokens/url (no OAuth token for receiver " +
        `unreachable-tokens: the token endpoint did not answer (${code}))`,
    );
    if (REFUSED_CONNECTION_RETRIED) {
      assert.ok(
        invocation.logs.some((line) => /"message":"Retrying".*"errorCode":"ECONNREFUSED"/.test(line)),
        "the token request was retried",
      );
    }
    assert.equal(target.requests.length, 0);
  });

  it("never sends the client secret over plain http to another host than loopback", async () => {
    const target = await receiver([{ status: 200 }]);
    await registerOAuth("plain-http", {
      url: target.url,
      tokenUrl: "http://tokens.example/oauth2/token",
      client: client("plain-http"),
      project: "plain-http-app",
    });
    const invocation = await stack.lambda.invoke(buildEvent("FAILED", "plain-http-app"));
    assert.equal(
      invocation.error?.message,
      "1 of 1 receivers not delivered: /webhooks/plain-http/url (parameter " +
        "/webhooks/plain-http/oauth-token-url is not an https URL; a receiver with OAuth sends its client " +
        "secret and tokens over https only (http only to a loopback address))",
    );
    assert.equal(target.requests.length, 0);
  });

  it("refuses an item that names another receiver's client secret", async () => {
    const tokens = await tokenEndpoint();
    const attacker = await receiver([{ status: 200 }]);
    await registerOAuth("victim", {
      url: attacker.url,
      tokenUrl: tokens.url,
      client: client("victim"),
      project: "victim-app",
    });
    stack.parameterStore.put("/webhooks/thief/url", attacker.url, "SecureString");
    for (const attribute of [
      "oauth_token_url_param_name",
      "oauth_client_id_param_name",
      "oauth_client_secret_param_name",
    ]) {
      const own = {
        oauth_token_url_param_name: { S: "/webhooks/thief/oauth-token-url" },
        oauth_client_id_param_name: { S: "/webhooks/thief/oauth-client-id" },
        oauth_client_secret_param_name: { S: "/webhooks/thief/oauth-client-secret" },
      };
      const kind = attribute.replace(/^oauth_(.+)_param_name$/, "oauth-$1").replaceAll("_", "-");
      await stack.registerByHand({
        project: { S: `thief-${kind}-app` },
        hook_url_param_name: { S: "/webhooks/thief/url" },
        statuses: { L: [{ S: "FAILED" }] },
        ...own,
        [attribute]: { S: `/webhooks/victim/${kind}` },
      });
      const invocation = await stack.lambda.invoke(buildEvent("FAILED", `thief-${kind}-app`));
      assert.equal(
        invocation.error?.message,
        `1 of 1 receivers not delivered: /webhooks/thief/url (invalid registry item: attribute ${attribute} ` +
          "must name a parameter in the receiver's own folder /webhooks/thief/, beside its URL parameter)",
      );
    }
    assert.equal(tokens.requests.length, 0);
    assert.equal(attacker.requests.length, 0);
  });

  it("does not hand a receiver's cached token to an item with its token URL and client ID but another secret", async () => {
    const victimClient = client("cached-victim");
    const tokens = await tokenEndpoint((request) => {
      const given = Buffer.from((request.headers.authorization ?? "").replace(/^Basic /, ""), "base64");
      return given.toString() === `${formEncoded(victimClient.id)}:${formEncoded(victimClient.secret)}`
        ? {}
        : { status: 401, body: JSON.stringify({ error: "invalid_client" }) };
    });
    const victim = await receiver([{ status: 200 }]);
    const attacker = await receiver([{ status: 200 }]);
    await registerOAuth("cached-victim", {
      url: victim.url,
      tokenUrl: tokens.url,
      client: victimClient,
      project: "cached-app",
    });
    await registerOAuth("cached-thief", {
      url: attacker.url,
      tokenUrl: tokens.url,
      client: { id: victimClient.id, secret: "guessed-secret" },
      project: "cached-thief-app",
    });
    const container = await newContainer();
    assert.equal((await container.invoke(buildEvent("FAILED", "cached-app"))).ok, true);
    const stolen = await container.invoke(buildEvent("FAILED", "cached-thief-app"));
    assert.match(stolen.error?.message ?? "", /invalid_client \(answered 401\)\)$/);
    assert.equal(attacker.requests.length, 0, "the attacker's URL got no token");
    assert.equal(victim.requests.length, 1);
    secrets.push(...tokens.issued);
  });

  it("writes no client secret, token or token answer into any log line", () => {
    assert.ok(secrets.length > 10);
    const logs = [stack.lambda, ...containers].flatMap((lambda) => lambda.logs).join("\n");
    for (const secret of secrets) assert.ok(!logs.includes(secret), `a secret reached the logs`);
    assert.ok(!logs.includes("access_token"), "a token answer reached the logs");
    assert.match(logs, /"message":"OAuth token obtained"/);
  });
});
