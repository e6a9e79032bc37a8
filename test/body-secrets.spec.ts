import * as assert from "node:assert/strict";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { buildEvent } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import { startReceiver, type RecordedRequest, type Receiver, type ResponseScript } from "./support/receivers";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/specStack";

// Secrets a receiver takes in its body (PagerDuty's routing_key), and the scrubbing of every secret of a
// receiver from the answers it echoes them in, as the packaged notifier does both.
describe("body secrets and scrubbed answers (deployed notifier)", () => {
  const ROUTING_KEY = 'R0ut1ng"Key\\with/odd&chars=é';
  let stack: DeployedNotifier;
  const servers: Receiver[] = [];

  before(async () => {
    stack = await deployNotifier(RECEIVER_SECRETS, RECEIVER_SECRET_KEYS);
  });

  after(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await stack?.close();
  });

  async function receiver(script: ResponseScript = [{ status: 202 }]): Promise<Receiver> {
    const started = await startReceiver(script);
    servers.push(started);
    return started;
  }

  /** Registers `name` by hand with the body secret ROUTING_KEY in its folder, and `extra` attributes. */
  async function registerWithSecret(
    name: string,
    url: string,
    project: string,
    extra: Record<string, AttributeValue>,
  ): Promise<void> {
    stack.parameterStore.put(`/webhooks/${name}/secrets/ROUTING_KEY`, ROUTING_KEY, "SecureString");
    await stack.register(name, url, project, ["FAILED"], {
      secret_param_names: { M: { ROUTING_KEY: { S: `/webhooks/${name}/secrets/ROUTING_KEY` } } },
      ...extra,
    });
  }

  it("substitutes a body secret into a JSON body, escaped, over a build variable of its name", async () => {
    const pagerDuty = await receiver();
    await registerWithSecret("pd", pagerDuty.url, "pd-app", {
      template: { S: '{"routing_key": "$ROUTING_KEY", "summary": "$PROJECT failed"}' },
    });
    const event = buildEvent("FAILED", "pd-app", [{ name: "ROUTING_KEY", value: "from-the-build" }]);
    const invocation = await stack.lambda.invoke(event);
    assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
    assert.deepEqual(JSON.parse(pagerDuty.requests[0].body), {
      routing_key: ROUTING_KEY,
      summary: "pd-app failed",
    });
    assert.ok(!invocation.logs.some((line) => line.includes("R0ut1ng")), "the secret reached the logs");
  });

  it("percent-encodes a body secret into a form body", async () => {
    const form = await receiver();
    stack.parameterStore.put(
      "/webhooks/pd-form/headers",
      JSON.stringify({ "Content-Type": "application/x-www-form-urlencoded" }),
      "SecureString",
    );
    await registerWithSecret("pd-form", form.url, "pd-form-app", {
      hook_headers_param_name: { S: "/webhooks/pd-form/headers" },
      template: { S: "key=$ROUTING_KEY&project=$PROJECT" },
    });
    assert.equal((await stack.lambda.invoke(buildEvent("FAILED", "pd-form-app"))).ok, true);
    const fields = new URLSearchParams(form.requests[0].body);
    assert.deepEqual([...fields.keys()], ["key", "project"]);
    assert.equal(fields.get("key"), ROUTING_KEY);
  });

  it("never puts a body secret into an action's path", async () => {
    const target = await receiver();
    await registerWithSecret("pd-path", target.url, "pd-path-app", {
      actions: {
        M: {
          broken: { M: { path: { S: "/keys/$ROUTING_KEY" }, template: { S: '{"k": "$ROUTING_KEY"}' } } },
        },
      },
    });
    const invocation = await stack.lambda.invoke(buildEvent("FAILED", "pd-path-app"));
    assert.equal(
      invocation.error?.message,
      "1 of 1 receivers not delivered: /webhooks/pd-path/url (the path names $ROUTING_KEY, without a value)",
    );
    assert.equal(target.requests.length, 0);
  });

  it("refuses an item whose body secret is another receiver's parameter, or a built-in name", async () => {
    const target = await receiver();
    stack.parameterStore.put("/webhooks/owner/secrets/ROUTING_KEY", ROUTING_KEY, "SecureString");
    const cases: [string, Record<string, AttributeValue>, string][] = [
      [
        "borrowing-app",
        { ROUTING_KEY: { S: "/webhooks/owner/secrets/ROUTING_KEY" } },
        "attribute secret_param_names.ROUTING_KEY must name a parameter in the receiver's own folder " +
          "/webhooks/borrower/, beside its URL parameter",
      ],
      [
        "shadowing-app",
        { PROJECT: { S: "/webhooks/borrower/secrets/PROJECT" } },
        "attribute secret_param_names names PROJECT, a built-in placeholder; give the secret another name",
      ],
    ];
    for (const [project, names, reason] of cases) {
      await stack.register("borrower", target.url, project, ["FAILED"], {
        secret_param_names: { M: names },
        template: { S: '{"k": "$ROUTING_KEY"}' },
      });
      const invocation = await stack.lambda.invoke(buildEvent("FAILED", project));
      assert.equal(
        invocation.error?.message,
        `1 of 1 receivers not delivered: /webhooks/borrower/url (invalid registry item: ${reason})`,
      );
    }
    assert.equal(target.requests.length, 0);
  });

  it("scrubs every secret of the receiver from a refusing answer that echoes the request", async () => {
    const signingSecret = `whsec_${Buffer.alloc(32, 5).toString("base64")}`;
    const bearer = "Bearer headers-token-9f8e7d6c";
    /** Echoes the URL, headers and body it got, in every form a server might. */
    const echo = (request: RecordedRequest) => ({
      status: 400,
      body:
        `Rejected ${request.method} ${request.path} with ${JSON.stringify(request.headers)}: ${request.body} ` +
        `(key ${ROUTING_KEY}, signed with ${signingSecret})`,
    });
    const echoing = await receiver(echo);
    const url = `${echoing.url}/services/T0/B0/url-secret-4b1d`;
    stack.parameterStore.put(
      "/webhooks/echo/headers",
      JSON.stringify({ Authorization: bearer }),
      "SecureString",
    );
    stack.parameterStore.put("/webhooks/echo/signing-secret", signingSecret, "SecureString");
    await registerWithSecret("echo", url, "echo-app", {
      hook_headers_param_name: { S: "/webhooks/echo/headers" },
      signing_secret_param_name: { S: "/webhooks/echo/signing-secret" },
      template: { S: '{"routing_key": "$ROUTING_KEY"}' },
    });
    const invocation = await stack.lambda.invoke(buildEvent("FAILED", "echo-app"));
    const logged = invocation.logs
      .map((line) => JSON.parse(line))
      .find((entry) => entry.message === "Not delivered");
    const responseBody = String(logged?.responseBody);
    assert.match(responseBody, /^Rejected POST <redacted> with \{.*"authorization":"<redacted>"/);
    assert.ok(invocation.error?.message.includes(responseBody.slice(0, 200)), "the error keeps the answer");
    const everything = `${invocation.error?.message}\n${invocation.logs.join("\n")}`;
    for (const secret of [
      "url-secret-4b1d",
      "headers-token-9f8e7d6c",
      "R0ut1ng",
      JSON.stringify(ROUTING_KEY).slice(1, -1),
      signingSecret.slice(6, 30),
    ]) {
      assert.ok(!everything.includes(secret), `${secret} reached the log or the error`);
    }
  });

  it("scrubs the client secret and the bearer token of a receiver with OAuth", async () => {
    const clientSecret = "oauth-client-secret-5a6b";
    const tokens = await receiver([
      {
        status: 200,
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ access_token: "echoed-token-1c2d3e", token_type: "Bearer", expires_in: 3600 }),
      },
    ]);
    const echoing = await receiver((request) => ({
      status: 403,
      body: `token ${request.headers.authorization} is not allowed here; client secret ${clientSecret}`,
    }));
    for (const [kind, value] of [
      ["oauth-token-url", tokens.url],
      ["oauth-client-id", "echo-client"],
      ["oauth-client-secret", clientSecret],
    ]) {
      stack.parameterStore.put(`/webhooks/oauth-echo/${kind}`, value, "SecureString");
    }
    await stack.register("oauth-echo", echoing.url, "oauth-echo-app", ["FAILED"], {
      oauth_token_url_param_name: { S: "/webhooks/oauth-echo/oauth-token-url" },
      oauth_client_id_param_name: { S: "/webhooks/oauth-echo/oauth-client-id" },
      oauth_client_secret_param_name: { S: "/webhooks/oauth-echo/oauth-client-secret" },
    });
    const invocation = await stack.lambda.invoke(buildEvent("FAILED", "oauth-echo-app"));
    assert.equal(
      invocation.error?.message,
      "1 of 1 receivers not delivered: /webhooks/oauth-echo/url (answered 403: token Bearer <redacted> is " +
        "not allowed here; client secret <redacted>)",
    );
    assert.equal(echoing.requests[0].headers.authorization, "Bearer echoed-token-1c2d3e");
  });
});
