import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runProgramUnderMocks } from "../local/programUnderMocks";
import { numberedBuild } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import { ofType, single } from "./support/programResources";
import { startReceiver, type Receiver } from "./support/receivers";
import { specRun } from "./support/specStack";

const EXAMPLES = path.join(__dirname, "..", "receivers", "examples");

/** A receiver folder holding copies of the named presets. */
function presetFolder(...presets: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "receivers-"));
  for (const preset of presets) fs.copyFileSync(path.join(EXAMPLES, preset), path.join(dir, preset));
  return dir;
}

const secretKeys = (config: Record<string, string>) =>
  Object.keys(config)
    .filter((key) => key !== "receiversDir")
    .map((key) => `codebuild-webhooks:${key}`);

// The PagerDuty and ServiceNow presets, deployed by index.ts: what the stack creates for their body
// secret and OAuth credentials, and what the packaged notifier then sends.
describe("the presets with body secrets and OAuth (pagerduty.yaml, servicenow-incident.yaml)", () => {
  const ROUTING_KEY = "R0123456789ABCDEF0123456789ABCDE";
  const CLIENT_SECRET = "servicenow-client-secret-7e8f";
  let dir: string;
  let pagerDuty: Receiver;
  let serviceNow: Receiver;
  let tokens: Receiver;
  let config: Record<string, string>;

  before(async () => {
    dir = presetFolder("pagerduty.yaml", "servicenow-incident.yaml");
    pagerDuty = await startReceiver([{ status: 202, body: '{"status": "success"}' }]);
    serviceNow = await startReceiver((request) =>
      request.method === "POST"
        ? {
            status: 201,
            body: '{"result": {"sys_id": "9d385017c611228701d22104cc95c371", "number": "INC0010001"}}',
          }
        : { status: 200 },
    );
    tokens = await startReceiver([
      {
        status: 200,
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ access_token: "sn-token-1", token_type: "Bearer", expires_in: 1799 }),
      },
    ]);
    config = {
      receiversDir: dir,
      pagerDutyEventsUrl: `${pagerDuty.url}/v2/enqueue`,
      pagerDutyRoutingKey: ROUTING_KEY,
      serviceNowUrl: `${serviceNow.url}/api/now/table/incident`,
      serviceNowTokenUrl: `${tokens.url}/oauth_token.do`,
      serviceNowClientId: "servicenow-client",
      serviceNowClientSecret: CLIENT_SECRET,
    };
  });

  after(async () => {
    await Promise.all([pagerDuty, serviceNow, tokens].map((server) => server?.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("keeps each secret in a SecureString parameter of the receiver's folder, named by the item", async () => {
    const run = await runProgramUnderMocks(specRun(config, secretKeys(config)));
    const parameters = ofType(run, "aws:ssm/parameter:Parameter");
    assert.deepEqual(parameters.map((parameter) => [parameter.inputs.name, parameter.inputs.type]).sort(), [
      ["/webhooks/pagerduty/secrets/ROUTING_KEY", "SecureString"],
      ["/webhooks/pagerduty/url", "SecureString"],
      ["/webhooks/servicenow-incident/oauth-client-id", "SecureString"],
      ["/webhooks/servicenow-incident/oauth-client-secret", "SecureString"],
      ["/webhooks/servicenow-incident/oauth-token-url", "SecureString"],
      ["/webhooks/servicenow-incident/url", "SecureString"],
    ]);
    for (const parameter of parameters) assert.ok(parameter.secretInputs.includes("value"), parameter.name);
    const items = ofType(run, "aws:dynamodb/tableItem:TableItem").map(
      (item) => JSON.parse(item.inputs.item as string) as Record<string, unknown>,
    );
    const [pagerDutyItem, serviceNowItem] = items;
    assert.deepEqual(pagerDutyItem.secret_param_names, {
      M: { ROUTING_KEY: { S: "/webhooks/pagerduty/secrets/ROUTING_KEY" } },
    });
    assert.deepEqual(
      Object.fromEntries(Object.entries(serviceNowItem).filter(([name]) => name.startsWith("oauth_"))),
      {
        oauth_token_url_param_name: { S: "/webhooks/servicenow-incident/oauth-token-url" },
        oauth_client_id_param_name: { S: "/webhooks/servicenow-incident/oauth-client-id" },
        oauth_client_secret_param_name: { S: "/webhooks/servicenow-incident/oauth-client-secret" },
        oauth_client_auth: { S: "body" },
      },
    );
    // Neither the items nor the notifier's settings hold a secret.
    const plain = JSON.stringify([items, single(run, "aws:lambda/function:Function").inputs.environment]);
    for (const secret of [ROUTING_KEY, CLIENT_SECRET, "servicenow-client"])
      assert.ok(!plain.includes(secret));
  });

  describe("deployed", () => {
    let stack: DeployedNotifier;

    before(async () => {
      stack = await deployNotifier(config, secretKeys(config));
    });

    after(async () => {
      await stack?.close();
    });

    it("triggers a PagerDuty alert on broken and resolves it on fixed, the routing key in the body", async () => {
      for (const [buildNumber, status] of [
        [1, "FAILED"],
        [2, "FAILED"],
        [3, "SUCCEEDED"],
      ] as const) {
        const invocation = await stack.lambda.invoke(numberedBuild("my-app", buildNumber, status));
        assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
      }
      const bodies = pagerDuty.requests.map((request) => JSON.parse(request.body) as Record<string, unknown>);
      assert.deepEqual(
        bodies.map(({ routing_key, event_action, dedup_key }) => ({ routing_key, event_action, dedup_key })),
        [
          { routing_key: ROUTING_KEY, event_action: "trigger", dedup_key: "123456789012/us-east-1/my-app" },
          { routing_key: ROUTING_KEY, event_action: "resolve", dedup_key: "123456789012/us-east-1/my-app" },
        ],
      );
      assert.ok(pagerDuty.requests.every((request) => request.path === "/hook/v2/enqueue"));
    });

    it("opens and resolves a ServiceNow incident with a bearer token from one token request", () => {
      // The builds of the test above: broken, still-failing (no action), fixed.
      assert.deepEqual(
        serviceNow.requests.map(
          (request) => `${request.method} ${request.path} ${request.headers.authorization}`,
        ),
        [
          "POST /hook/api/now/table/incident Bearer sn-token-1",
          "PATCH /hook/api/now/table/incident/9d385017c611228701d22104cc95c371 Bearer sn-token-1",
        ],
      );
      assert.equal(tokens.requests.length, 1);
      assert.equal(
        tokens.requests[0].body,
        `grant_type=client_credentials&client_id=servicenow-client&client_secret=${CLIENT_SECRET}`,
      );
      const logs = stack.lambda.logs.join("\n");
      for (const secret of [ROUTING_KEY, CLIENT_SECRET, "sn-token-1"]) assert.ok(!logs.includes(secret));
    });
  });
});
