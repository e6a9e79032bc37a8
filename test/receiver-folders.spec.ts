import * as assert from "node:assert/strict";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { buildEvent } from "./support/buildEvents";
import { deadLetterOf } from "./support/deadLetters";
import type { Receiver } from "./support/receivers";
import { deployForSuite } from "./support/suiteNotifier";

/** The `Receiver` dimension of each metric line among `lines`. */
function metricReceivers(lines: readonly string[]): string[] {
  return lines
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { _aws?: unknown; Receiver?: string })
    .filter((entry) => entry._aws !== undefined)
    .map((entry) => entry.Receiver ?? "");
}

// Which parameters a registry item may name, and how the packaged notifier names an item in what it
// keeps: whoever writes an item must reach no other receiver's secret, and text pasted into an attribute
// (a URL with its token) must reach no log.
describe("receiver folders of registry items", () => {
  const suite = deployForSuite();
  const VICTIM_AUTH = "Bearer victim-token-41c2";
  let attacker: Receiver;

  before(async () => {
    const { parameterStore } = suite.stack;
    attacker = await suite.receiver([{ status: 200 }]);
    const victim = await suite.receiver([{ status: 200 }]);
    parameterStore.put("/webhooks/victim/url", victim.url, "SecureString");
    parameterStore.put(
      "/webhooks/victim/headers",
      JSON.stringify({ Authorization: VICTIM_AUTH }),
      "SecureString",
    );
    parameterStore.put(
      "/webhooks/team/jira/headers",
      JSON.stringify({ Authorization: VICTIM_AUTH }),
      "SecureString",
    );
    parameterStore.put("/webhooks/victim/signing-secret", `whsec_${"v".repeat(32)}`, "SecureString");
    parameterStore.put("/webhooks/victim/secrets/ROUTING_KEY", "victim-routing-key", "SecureString");
    parameterStore.put(
      "/webhooks/sample-headers",
      JSON.stringify({ Authorization: VICTIM_AUTH }),
      "SecureString",
    );
    for (const name of ["/webhooks/loose-url", "/webhooks/team/chat-url", "/webhooks/team/jira/url"]) {
      parameterStore.put(name, attacker.url, "SecureString");
    }
  });

  /** Registers `item` for `project`, handles a FAILED build of it, and answers the invocation's error. */
  async function refusal(project: string, item: Record<string, AttributeValue>): Promise<string | undefined> {
    await suite.stack.registerByHand({
      project: { S: project },
      statuses: { L: [{ S: "FAILED" }] },
      ...item,
    });
    return (await suite.stack.lambda.invoke(buildEvent("FAILED", project))).error?.message;
  }

  /** The names of the parameters the notifier read since `from` calls. */
  const readSince = (from: number) =>
    suite.stack.parameterStore.calls.slice(from).flatMap((call) => call.names);

  it("accepts the AWS sample's flat layout for a receiver with only a URL, named by its last segment", async () => {
    const slack = await suite.receiver([{ status: 200 }]);
    suite.stack.parameterStore.put("/webhooks/slack-webhook-url", slack.url, "SecureString");
    await suite.stack.registerByHand({
      project: { S: "sample-app" },
      hook_url_param_name: { S: "/webhooks/slack-webhook-url" },
      statuses: { L: [{ S: "FAILED" }] },
    });
    const invocation = await suite.stack.lambda.invoke(buildEvent("FAILED", "sample-app"));
    assert.equal(invocation.error?.message, undefined);
    assert.equal(slack.requests.length, 1);
    assert.deepEqual(metricReceivers(invocation.logs), ["slack-webhook-url"]);
    const delivered = invocation.logs
      .map((line) => JSON.parse(line))
      .find((line) => line.message === "Delivered");
    assert.equal(delivered?.receiver, "/webhooks/slack-webhook-url");
  });

  it("refuses a URL kept outside a receiver folder beside any other parameter, its own or another receiver's", async () => {
    const from = suite.stack.parameterStore.calls.length;
    const oauth = (folder: string) => ({
      oauth_token_url_param_name: { S: `/webhooks/${folder}oauth-token-url` },
      oauth_client_id_param_name: { S: `/webhooks/${folder}oauth-client-id` },
      oauth_client_secret_param_name: { S: `/webhooks/${folder}oauth-client-secret` },
    });
    for (const [project, attribute, extra] of [
      [
        "flat-headers-app",
        "hook_headers_param_name",
        { hook_headers_param_name: { S: "/webhooks/victim/headers" } },
      ],
      [
        "flat-own-headers-app",
        "hook_headers_param_name",
        { hook_headers_param_name: { S: "/webhooks/sample-headers" } },
      ],
      [
        "flat-secret-app",
        "signing_secret_param_name",
        { signing_secret_param_name: { S: "/webhooks/victim/signing-secret" } },
      ],
      ["flat-oauth-app", "oauth_token_url_param_name", oauth("victim/")],
      ["flat-own-oauth-app", "oauth_token_url_param_name", oauth("")],
      [
        "flat-body-secret-app",
        "secret_param_names.ROUTING_KEY",
        { secret_param_names: { M: { ROUTING_KEY: { S: "/webhooks/victim/secrets/ROUTING_KEY" } } } },
      ],
    ] as const) {
      assert.equal(
        await refusal(project, { hook_url_param_name: { S: "/webhooks/loose-url" }, ...extra }),
        `1 of 1 receivers not delivered: /webhooks/loose-url (invalid registry item: attribute ${attribute}: an ` +
          "item whose URL parameter is in no receiver folder names no other parameter; put its parameters in " +
          "a folder of their own, /webhooks/<receiver>/)",
        project,
      );
    }
    assert.equal(attacker.requests.length, 0, "nothing went to the item's URL");
    assert.deepEqual(readSince(from), [], "no parameter was even read");
  });

  it("keeps a receiver folder one level deep: a nested folder lends the one above it nothing", async () => {
    const from = suite.stack.parameterStore.calls.length;
    const borrowing = (attribute: string) =>
      `1 of 1 receivers not delivered: /webhooks/team/chat-url (invalid registry item: attribute ${attribute} ` +
      "must name a parameter in the receiver's own folder /webhooks/team/, beside its URL parameter)";
    assert.equal(
      await refusal("nested-headers-app", {
        hook_url_param_name: { S: "/webhooks/team/chat-url" },
        hook_headers_param_name: { S: "/webhooks/team/jira/headers" },
      }),
      borrowing("hook_headers_param_name"),
    );
    assert.equal(
      await refusal("nested-body-secret-app", {
        hook_url_param_name: { S: "/webhooks/team/chat-url" },
        secret_param_names: { M: { AUTH: { S: "/webhooks/team/jira/headers" } } },
      }),
      borrowing("secret_param_names.AUTH"),
    );
    assert.equal(
      await refusal("nested-url-app", {
        hook_url_param_name: { S: "/webhooks/team/jira/url" },
        hook_headers_param_name: { S: "/webhooks/team/jira/headers" },
      }),
      "1 of 1 receivers not delivered: (the item of project nested-url-app with an invalid " +
        "hook_url_param_name, not shown) (invalid registry item: attribute " +
        "hook_url_param_name must name a parameter in a receiver folder, /webhooks/<receiver>/url (one level: " +
        "no / in <receiver> nor after it), or /webhooks/<name> for a receiver with only a URL)",
    );
    assert.equal(attacker.requests.length, 0, "no Authorization of Jira's went to the chat");
    assert.deepEqual(readSince(from), [], "no parameter was even read");

    // Body secrets keep the folder the stack writes them in: <receiver>/secrets/<NAME>.
    suite.stack.parameterStore.put("/webhooks/team/secrets/ROUTING_KEY", "team-routing-key", "SecureString");
    assert.equal(
      await refusal("team-body-secret-app", {
        hook_url_param_name: { S: "/webhooks/team/chat-url" },
        secret_param_names: { M: { ROUTING_KEY: { S: "/webhooks/team/secrets/ROUTING_KEY" } } },
        template: { S: '{"routing_key": "$ROUTING_KEY"}' },
      }),
      undefined,
    );
    assert.deepEqual(
      attacker.requests.map((request) => request.body),
      ['{"routing_key": "team-routing-key"}'],
    );
  });

  it("never echoes an attribute value that is no parameter name of a receiver: not in logs, metrics or the dead letter", async () => {
    const project = "pasted-app";
    const pasted = (n: number) => `https://hooks.slack.com/services/T000/B000/pasted-token-${n}`;
    const items: Record<string, AttributeValue>[] = [
      { hook_url_param_name: { S: pasted(1) } },
      { hook_url_param_name: { S: `/webhooks/${pasted(2).replace("https://", "")}` } },
      { hook_url_param_name: { S: `/webhooks/${pasted(3)}` } },
      { hook_url_param_name: { S: pasted(4) }, statuses: { S: "FAILED" } },
      { hook_url_param_name: { S: "/webhooks/p5/url" }, hook_headers_param_name: { S: pasted(5) } },
      {
        hook_url_param_name: { S: "/webhooks/p6/url" },
        signing_secret_param_name: { S: "whsec_pasted-token-6" },
      },
      {
        hook_url_param_name: { S: "/webhooks/p7/url" },
        oauth_token_url_param_name: { S: pasted(7) },
        oauth_client_id_param_name: { S: "/webhooks/p7/oauth-client-id" },
        oauth_client_secret_param_name: { S: "/webhooks/p7/pasted-token-7/secret" },
      },
      {
        hook_url_param_name: { S: "/webhooks/p8/url" },
        secret_param_names: { M: { KEY: { S: pasted(8) } } },
      },
      {
        hook_url_param_name: { S: "/webhooks/p9/url" },
        actions: { M: { [pasted(9)]: { M: { template: { S: "{}" } } } } },
      },
    ];
    for (const item of items) {
      await suite.stack.registerByHand({
        project: { S: project },
        statuses: { L: [{ S: "FAILED" }] },
        ...item,
      });
    }
    const container = await suite.stack.startContainer();
    const deadLetter = await deadLetterOf(container, buildEvent("FAILED", project));

    const unnamed = "(the item of project pasted-app with an invalid hook_url_param_name, not shown)";
    const error = (JSON.parse(deadLetter ?? "{}") as { responsePayload?: { errorMessage?: string } })
      .responsePayload?.errorMessage;
    assert.deepEqual(
      error?.split(/; (?=\(|\/)/).sort(),
      [
        `9 of 9 receivers not delivered: ${unnamed} (invalid registry item: attribute hook_url_param_name must name a parameter in a receiver folder, /webhooks/<receiver>/url (one level: no / in <receiver> nor after it), or /webhooks/<name> for a receiver with only a URL)`,
        `${unnamed} (invalid registry item: attribute hook_url_param_name must name a parameter in a receiver folder, /webhooks/<receiver>/url (one level: no / in <receiver> nor after it), or /webhooks/<name> for a receiver with only a URL)`,
        `${unnamed} (invalid registry item: attribute hook_url_param_name must name a parameter in a receiver folder, /webhooks/<receiver>/url (one level: no / in <receiver> nor after it), or /webhooks/<name> for a receiver with only a URL)`,
        `${unnamed} (invalid registry item: attribute statuses must be a list or string set of strings)`,
        "/webhooks/p5/url (invalid registry item: attribute hook_headers_param_name must name a parameter in the receiver's own folder /webhooks/p5/, beside its URL parameter)",
        "/webhooks/p6/url (invalid registry item: attribute signing_secret_param_name must name a parameter in the receiver's own folder /webhooks/p6/, beside its URL parameter)",
        "/webhooks/p7/url (invalid registry item: attribute oauth_token_url_param_name must name a parameter in the receiver's own folder /webhooks/p7/, beside its URL parameter)",
        "/webhooks/p8/url (invalid registry item: attribute secret_param_names.KEY must name a parameter in the receiver's own folder /webhooks/p8/, beside its URL parameter)",
        "/webhooks/p9/url (invalid registry item: attribute actions has a key that is not one of broken, still-failing, fixed)",
      ].sort(),
    );
    assert.ok(!deadLetter?.includes("pasted-token"), "the dead letter holds no pasted value");
    assert.deepEqual(
      container.logs.filter((line) => line.includes("pasted-token")),
      [],
      "no log line holds a pasted value",
    );
    assert.deepEqual([...new Set(metricReceivers(container.logs))].sort(), [
      "(invalid hook_url_param_name)",
      "p5",
      "p6",
      "p7",
      "p8",
      "p9",
    ]);
  });
});
