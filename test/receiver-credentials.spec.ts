import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadReceivers } from "../src/receivers/loadReceivers";
import { ReceiverConfigError } from "../src/receivers/receiverFinding";
import { parseRegistryItem } from "../src/notifier/registryEntries";
import { registryItem } from "../src/receivers/registryItem";

/** The receiver file of the manual, with OAuth client credentials, as a user writes it. */
const OAUTH_RECEIVER = `projects: [my-app]
statuses: [FAILED]
url: { secret: serviceNowUrl }
oauth:
  tokenUrl: { secret: serviceNowTokenUrl }
  clientId: { secret: serviceNowClientId }
  clientSecret: { secret: serviceNowClientSecret }
  scope: builds.write
  audience: https://api.example.com
template: |
  { "short_description": "$PROJECT failed" }
`;

const OAUTH_CONFIG: Record<string, string> = {
  serviceNowUrl: "https://example.service-now.com/api/now/table/incident",
  serviceNowTokenUrl: "https://example.service-now.com/oauth_token.do",
  serviceNowClientId: "client-id",
  serviceNowClientSecret: "client-secret",
};

const BODY_SECRET_RECEIVER = `projects: [my-app]
url: { secret: pagerDutyEventsUrl }
secrets:
  ROUTING_KEY: { secret: pagerDutyRoutingKey }
on:
  broken:
    template: '{ "routing_key": "$ROUTING_KEY", "event_action": "trigger" }'
`;

const BODY_SECRET_CONFIG: Record<string, string> = {
  pagerDutyEventsUrl: "https://events.pagerduty.com/v2/enqueue",
  pagerDutyRoutingKey: "R0123456789ABCDEF0123456789ABCDE",
};

// Receiver files with OAuth client credentials (oauth) and body secrets (secrets), checked at preview.
describe("receiver files with OAuth client credentials and body secrets", () => {
  let root: string;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "receivers-"));
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** Loads `text` as receivers/hook.yaml; the keys in `plain` were set without --secret. */
  function load(text: string, config: Record<string, string>, plain: string[] = []) {
    const dir = path.join(root, "receivers");
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "hook.yaml"), text);
    return loadReceivers(
      dir,
      (key) => (key in config ? { value: config[key], secret: !plain.includes(key) } : undefined),
      { relativeTo: root },
    );
  }

  /** The problems preview reports, one a line, without the count. */
  function problems(text: string, config: Record<string, string>, plain: string[] = []): string[] {
    try {
      load(text, config, plain);
    } catch (error) {
      assert.ok(error instanceof ReceiverConfigError, String(error));
      return [...error.problems];
    }
    assert.fail("the receiver file was accepted");
  }

  describe("oauth", () => {
    it("is read as written, and the registry item names its parameters in the receiver's folder", () => {
      const [receiver] = load(OAUTH_RECEIVER, OAUTH_CONFIG).receivers;
      assert.deepEqual(receiver.oauth, {
        tokenUrlConfigKey: "serviceNowTokenUrl",
        clientIdConfigKey: "serviceNowClientId",
        clientSecretConfigKey: "serviceNowClientSecret",
        scope: "builds.write",
        audience: "https://api.example.com",
        clientAuth: "basic",
      });
      const item = registryItem(receiver, "my-app", "/webhooks/");
      assert.deepEqual(
        Object.fromEntries(Object.entries(item).filter(([name]) => name.startsWith("oauth_"))),
        {
          oauth_token_url_param_name: { S: "/webhooks/hook/oauth-token-url" },
          oauth_client_id_param_name: { S: "/webhooks/hook/oauth-client-id" },
          oauth_client_secret_param_name: { S: "/webhooks/hook/oauth-client-secret" },
          oauth_scope: { S: "builds.write" },
          oauth_audience: { S: "https://api.example.com" },
          oauth_client_auth: { S: "basic" },
        },
      );
      const entry = parseRegistryItem(item, "/webhooks/");
      assert.ok(!("reason" in entry), JSON.stringify(entry));
      assert.deepEqual(entry.oauth, {
        tokenUrlParameter: "/webhooks/hook/oauth-token-url",
        clientIdParameter: "/webhooks/hook/oauth-client-id",
        clientSecretParameter: "/webhooks/hook/oauth-client-secret",
        scope: "builds.write",
        audience: "https://api.example.com",
        clientAuth: "basic",
      });
    });

    it("takes clientAuth body, and combines with on and headers", () => {
      const text = `projects: [my-app]
url: { secret: serviceNowUrl }
headers: { secret: serviceNowHeaders }
oauth:
  tokenUrl: { secret: serviceNowTokenUrl }
  clientId: { secret: serviceNowClientId }
  clientSecret: { secret: serviceNowClientSecret }
  clientAuth: body
on:
  broken:
    template: '{ "short_description": "$PROJECT failed" }'
`;
      const [receiver] = load(text, { ...OAUTH_CONFIG, serviceNowHeaders: '{"X-Tenant": "ops"}' }).receivers;
      assert.equal(receiver.oauth?.clientAuth, "body");
      assert.equal(receiver.headersConfigKey, "serviceNowHeaders");
      assert.deepEqual(Object.keys(receiver.actions ?? {}), ["broken"]);
    });

    it("takes https URLs only, and http to a loopback address", () => {
      const http = {
        ...OAUTH_CONFIG,
        serviceNowTokenUrl: "http://example.service-now.com/oauth_token.do",
        serviceNowUrl: "http://example.service-now.com/api/now/table/incident",
      };
      assert.deepEqual(problems(OAUTH_RECEIVER, http), [
        'receivers/hook.yaml: url.secret (line 3): config "codebuild-webhooks:serviceNowUrl" is an http URL; ' +
          "the bearer token goes to the receiver, so a receiver with oauth takes https only (RFC 6749 requires " +
          "TLS; http only to a loopback address): set it again: pulumi config set --secret " +
          "codebuild-webhooks:serviceNowUrl <value>",
        'receivers/hook.yaml: oauth.tokenUrl.secret (line 5): config "codebuild-webhooks:serviceNowTokenUrl" ' +
          "is an http URL; the client secret goes to the token endpoint, so a receiver with oauth takes https " +
          "only (RFC 6749 requires TLS; http only to a loopback address): set it again: pulumi config set " +
          "--secret codebuild-webhooks:serviceNowTokenUrl <value>",
      ]);
      const loopback = {
        ...OAUTH_CONFIG,
        serviceNowTokenUrl: "http://127.0.0.1:8080/token",
        serviceNowUrl: "http://localhost:8080/hook",
      };
      assert.equal(load(OAUTH_RECEIVER, loopback).receivers.length, 1);
    });

    it("checks each field, naming it and its line, never quoting a secret", () => {
      const text = `projects: [my-app]
statuses: [FAILED]
url: { secret: serviceNowUrl }
oauth:
  tokenUrl: https://example.service-now.com/oauth_token.do
  clientId: { secret: serviceNowClientId }
  scope: 'builds.write "all"'
  audience: api example
  clientAuth: header
  grantType: password
`;
      assert.deepEqual(problems(text, { ...OAUTH_CONFIG, serviceNowClientId: "id\nwrapped" }), [
        "receivers/hook.yaml: oauth.clientSecret (line 4): missing; expected { secret: <config key> }, where " +
          "the config key holds the OAuth client secret",
        "receivers/hook.yaml: oauth.tokenUrl (line 5): expected { secret: <config key> }, where the config key " +
          "holds the token endpoint's URL, got a string; tokenUrl values are secrets: store them with pulumi " +
          "config set --secret and name the key here",
        'receivers/hook.yaml: oauth.clientId.secret (line 6): config "codebuild-webhooks:serviceNowClientId" ' +
          "has a line break inside; set it again, on one line: pulumi config set --secret " +
          "codebuild-webhooks:serviceNowClientId <value>",
        "receivers/hook.yaml: oauth.scope (line 7): not an OAuth scope: scope names of printable ASCII " +
          "characters (no quote or backslash), separated by single spaces, e.g. scope: builds.write",
        "receivers/hook.yaml: oauth.audience (line 8): not an audience: an identifier or URI of printable " +
          "ASCII characters, without spaces",
        'receivers/hook.yaml: oauth.clientAuth (line 9): "header" is not a client authentication; use basic ' +
          "(HTTP Basic, the default) or body (client_id and client_secret in the form body)",
        "receivers/hook.yaml: oauth.grantType (line 10): unknown field; oauth takes tokenUrl, clientId, " +
          "clientSecret, scope, audience and clientAuth",
      ]);
    });

    it("needs its secrets set, with --secret", () => {
      const config = Object.fromEntries(
        Object.entries(OAUTH_CONFIG).filter(([key]) => key !== "serviceNowClientSecret"),
      );
      assert.deepEqual(problems(OAUTH_RECEIVER, config, ["serviceNowTokenUrl"]), [
        'receivers/hook.yaml: oauth.tokenUrl.secret (line 5): config "codebuild-webhooks:serviceNowTokenUrl" ' +
          "is set without --secret, so its value is stored in plain text in the stack's Pulumi.<stack>.yaml; " +
          "set it again as a secret: pulumi config set --secret codebuild-webhooks:serviceNowTokenUrl <value>",
        'receivers/hook.yaml: oauth.clientSecret.secret (line 7): config "codebuild-webhooks:serviceNowClientSecret" ' +
          "is not set; run: pulumi config set --secret codebuild-webhooks:serviceNowClientSecret <value>",
      ]);
    });
  });

  describe("secrets (body secrets)", () => {
    it("are read as written, each a parameter in the receiver's folder that the item names", () => {
      const [receiver] = load(BODY_SECRET_RECEIVER, BODY_SECRET_CONFIG).receivers;
      assert.deepEqual(receiver.bodySecretConfigKeys, { ROUTING_KEY: "pagerDutyRoutingKey" });
      const item = registryItem(receiver, "my-app", "/webhooks/staging/");
      assert.deepEqual(item.secret_param_names, {
        M: { ROUTING_KEY: { S: "/webhooks/staging/hook/secrets/ROUTING_KEY" } },
      });
      const entry = parseRegistryItem(item, "/webhooks/staging/");
      assert.ok(!("reason" in entry));
      assert.deepEqual(entry.bodySecretParameters, {
        ROUTING_KEY: "/webhooks/staging/hook/secrets/ROUTING_KEY",
      });
    });

    it("are known names of the templates: no warning of a placeholder that is not built in", () => {
      assert.deepEqual(load(BODY_SECRET_RECEIVER, BODY_SECRET_CONFIG).warnings, []);
    });

    it("take placeholder names, neither built-in ones nor ones the actions remember", () => {
      const text = `projects: [my-app]
url: { secret: pagerDutyEventsUrl }
secrets:
  PROJECT: { secret: pagerDutyRoutingKey }
  routing-key: { secret: pagerDutyRoutingKey }
  INCIDENT: { secret: pagerDutyRoutingKey }
on:
  broken:
    template: '{ "k": "$INCIDENT" }'
    remember: { INCIDENT: id }
`;
      assert.deepEqual(problems(text, BODY_SECRET_CONFIG), [
        "receivers/hook.yaml: secrets.PROJECT (line 4): PROJECT is a built-in placeholder, which the notifier " +
          "fills itself; give the secret a name of its own",
        'receivers/hook.yaml: secrets (line 5): "routing-key" is not a placeholder name (letters, ' +
          'digits and "_", not starting with a digit); the templates write it $NAME, e.g. secrets: { ' +
          "ROUTING_KEY: { secret: pagerDutyRoutingKey } }",
        "receivers/hook.yaml: secrets.INCIDENT (line 6): $INCIDENT is also a value on.broken remembers; a body " +
          "secret needs a name of its own",
      ]);
    });

    it("never go into a path, and need their config set with --secret", () => {
      const text = `projects: [my-app]
url: { secret: pagerDutyEventsUrl }
secrets:
  ROUTING_KEY: { secret: pagerDutyRoutingKey }
  OTHER_KEY: { secret: otherKey }
on:
  fixed:
    path: /resolve/$ROUTING_KEY
    template: '{ "routing_key": "$ROUTING_KEY", "other": "$OTHER_KEY" }'
`;
      assert.deepEqual(problems(text, BODY_SECRET_CONFIG, ["pagerDutyRoutingKey"]), [
        'receivers/hook.yaml: secrets.ROUTING_KEY.secret (line 4): config "codebuild-webhooks:pagerDutyRoutingKey" ' +
          "is set without --secret, so its value is stored in plain text in the stack's Pulumi.<stack>.yaml; " +
          "set it again as a secret: pulumi config set --secret codebuild-webhooks:pagerDutyRoutingKey <value>",
        'receivers/hook.yaml: secrets.OTHER_KEY.secret (line 5): config "codebuild-webhooks:otherKey" is not ' +
          "set; run: pulumi config set --secret codebuild-webhooks:otherKey <value>",
        "receivers/hook.yaml: on.fixed.path (line 8): $ROUTING_KEY in the path is a body secret " +
          "(secrets.ROUTING_KEY); secrets reach bodies only, never a URL, where proxies and servers log them: " +
          "put it in the template",
      ]);
    });
  });
});
