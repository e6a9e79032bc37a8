import * as assert from "node:assert/strict";
import * as path from "node:path";
import { secretReferences, sendConfig } from "../local/localRunConfig";
import { runInShell, runScript, type CommandRun } from "./support/npmCommand";
import { startReceiver, type Receiver } from "./support/receivers";

const RECEIVERS_DIR = "test/fixtures/start/credential-receivers";
const FOLDER = path.join(__dirname, "fixtures", "start", "credential-receivers");
/** Local secrets a user gives; none may be printed. */
const LOCAL_SECRETS = {
  CODEBUILD_WEBHOOKS_pagerDutyRoutingKey: 'local"routing&key-5e6f',
  CODEBUILD_WEBHOOKS_serviceNowClientSecret: "local-client-secret-7a8b",
};

/** The output block of one event, from its `== <event>` heading to the blank line after it. */
function eventBlock(stdout: string, event: string): string {
  const block = stdout.split("\n\n").find((chunk) => chunk.startsWith(`== ${event}`));
  assert.ok(block, `no block for ${event} in:\n${stdout}`);
  return block;
}

function assertNoSecret(run: CommandRun, secrets: readonly string[]): void {
  for (const secret of secrets) {
    assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), `${secret} was printed`);
  }
}

// npm start and npm run render for receivers with OAuth client credentials and body secrets.
describe("the local run of receivers with OAuth and body secrets", () => {
  it("npm start plays the token endpoint, shows the token request once per container, redacts secrets", async () => {
    const run = await runScript("start", ["--receivers-dir", RECEIVERS_DIR], LOCAL_SECRETS);
    assert.equal(run.code, 0, run.stderr);
    const broken = eventBlock(run.stdout, "my-app FAILED, build #43");
    assert.match(
      broken,
      /^ {4}OAuth token: POST http:\/\/127\.0\.0\.1:\d+\/~oauth\/servicenow\/token \(grant_type=client_credentials&scope=builds\.write; client authentication HTTP Basic \(redacted\)\): a token \(redacted\), sent as Bearer$/m,
    );
    assert.match(broken, /^ {6}authorization: <redacted>$/m);
    assert.match(broken, /"routing_key": "<redacted>", "event_action": "trigger"/);
    const stillFailing = eventBlock(run.stdout, "my-app FAILED, build #44");
    assert.match(
      stillFailing,
      /^ {4}OAuth token: the one the notifier got for an earlier event \(no token request\)$/m,
    );
    assert.match(run.stdout, /\n4 deliveries of 6 events: 4 delivered, 0 failed\n/);
    assertNoSecret(run, [
      ...Object.values(LOCAL_SECRETS),
      JSON.stringify(LOCAL_SECRETS.CODEBUILD_WEBHOOKS_pagerDutyRoutingKey).slice(1, -1),
      "local-token-",
    ]);
  });

  describe("--send", () => {
    let pagerDuty: Receiver;
    let serviceNow: Receiver;
    let tokens: Receiver;

    before(async () => {
      pagerDuty = await startReceiver([{ status: 400, body: 'Invalid routing key: local"routing&key-5e6f' }]);
      serviceNow = await startReceiver([{ status: 201 }]);
      tokens = await startReceiver([
        {
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ access_token: "real-token-3c4d", token_type: "Bearer", expires_in: 3600 }),
        },
      ]);
    });

    after(async () => {
      await Promise.all([pagerDuty, serviceNow, tokens].map((server) => server?.close()));
    });

    it("gets the token from the real endpoint and scrubs the echoed routing key from the answer", async () => {
      const run = await runScript(
        "start",
        ["--send", "--receivers-dir", RECEIVERS_DIR, "--status", "FAILED"],
        {
          ...LOCAL_SECRETS,
          CODEBUILD_WEBHOOKS_pagerDutyEventsUrl: `${pagerDuty.url}/v2/enqueue`,
          CODEBUILD_WEBHOOKS_serviceNowUrl: serviceNow.url,
          CODEBUILD_WEBHOOKS_serviceNowTokenUrl: tokens.url,
          CODEBUILD_WEBHOOKS_serviceNowClientId: "send-client",
        },
      );
      assert.equal(run.code, 1, run.stderr);
      assert.equal(
        JSON.parse(pagerDuty.requests[0].body).routing_key,
        LOCAL_SECRETS.CODEBUILD_WEBHOOKS_pagerDutyRoutingKey,
      );
      assert.equal(serviceNow.requests[0].headers.authorization, "Bearer real-token-3c4d");
      assert.equal(tokens.requests.length, 1);
      assert.match(run.stdout, /^ {4}answer: Invalid routing key: <redacted>$/m);
      assert.match(run.stdout, /"routing_key": "<redacted>"/);
      assertNoSecret(run, [...Object.values(LOCAL_SECRETS), "real-token-3c4d", "send-client"]);
    });

    it("names each OAuth and body secret it is missing, by field and variable", () => {
      const onlyUrls = (key: string) => (key.endsWith("Url") ? "https://example.com/x" : undefined);
      const file = `${path.relative(process.cwd(), FOLDER)}`;
      assert.throws(() => sendConfig(secretReferences(FOLDER), onlyUrls), {
        name: "LocalRunInputError",
        message:
          "--send needs every receiver's secrets:\n" +
          `${file}/pagerduty.yaml: secrets.ROUTING_KEY.secret (line 5): CODEBUILD_WEBHOOKS_pagerDutyRoutingKey ` +
          "is not set; with --send it holds the body secret ROUTING_KEY, in the environment or in .webhooks.local.env\n" +
          `${file}/servicenow.yaml: oauth.clientId.secret (line 7): CODEBUILD_WEBHOOKS_serviceNowClientId is ` +
          "not set; with --send it holds the OAuth client ID, in the environment or in .webhooks.local.env\n" +
          `${file}/servicenow.yaml: oauth.clientSecret.secret (line 8): CODEBUILD_WEBHOOKS_serviceNowClientSecret ` +
          "is not set; with --send it holds the OAuth client secret, in the environment or in .webhooks.local.env",
      });
    });
  });

  it("npm run render shows a body secret as <redacted>, the body still JSON for jq", async () => {
    const JQ_STAND_IN = `node -e 'let text = ""; process.stdin.on("data", (chunk) => (text += chunk)).on("end", () => process.stdout.write(JSON.stringify(JSON.parse(text))))'`;
    const variables = Object.entries(LOCAL_SECRETS)
      .map(([name, value]) => `${name}='${value}'`)
      .join(" ");
    const run = await runInShell(
      `${variables} npm run -s render -- pagerduty --receivers-dir ${RECEIVERS_DIR} --transition fixed | ${JQ_STAND_IN}`,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      routing_key: "<redacted>",
      event_action: "resolve",
      dedup_key: "123456789012/us-east-1/my-app",
    });
    assert.match(
      run.stderr,
      /^\$ROUTING_KEY is a body secret \(codebuild-webhooks:pagerDutyRoutingKey\): shown as <redacted>$/m,
    );
    assertNoSecret(run, Object.values(LOCAL_SECRETS));

    const oauth = await runScript("render", ["servicenow", "--receivers-dir", RECEIVERS_DIR]);
    assert.equal(oauth.code, 0, oauth.stderr);
    assert.match(
      oauth.stderr,
      /^With Authorization: Bearer <a token from the endpoint in codebuild-webhooks:serviceNowTokenUrl>, got with the client-credentials grant \(client authentication basic, scope builds\.write\)$/m,
    );
  });
});
