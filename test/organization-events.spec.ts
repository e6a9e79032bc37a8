import * as assert from "node:assert/strict";
import type { BuildStateChangeEvent } from "../src/notifier/buildEvent";
import { numberedBuild } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import { startReceiver, type Receiver } from "./support/receivers";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/specStack";

const HUB_ACCOUNT = "123456789012";
const SPOKE_ACCOUNT = "210987654321";

/** A build event as a spoke forwards it: the build's own account and region, and its ARN in them. */
function fromElsewhere(event: BuildStateChangeEvent, account: string, region: string): BuildStateChangeEvent {
  const detail = event.detail ?? {};
  detail["build-id"] = detail["build-id"]?.replace(
    /:codebuild:[^:]+:\d{12}:/,
    `:codebuild:${region}:${account}:`,
  );
  return { ...event, account, region, detail };
}

// Builds of other accounts and regions, forwarded to the hub's event bus, reach the receivers whose
// filters admit them: the packaged notifier of a hub stack serving one more account.
describe("builds from other accounts and regions", () => {
  let stack: DeployedNotifier;
  const receivers = new Map<string, Receiver>();

  before(async () => {
    stack = await deployNotifier(
      { ...RECEIVER_SECRETS, sourceAccounts: JSON.stringify([SPOKE_ACCOUNT]) },
      RECEIVER_SECRET_KEYS,
    );
    const registrations: [string, Record<string, { L: { S: string }[] }>][] = [
      ["anywhere", {}],
      ["spoke-only", { accounts: { L: [{ S: SPOKE_ACCOUNT }] } }],
      ["hub-only", { accounts: { L: [{ S: HUB_ACCOUNT }] } }],
      ["ireland-only", { regions: { L: [{ S: "eu-west-1" }] } }],
    ];
    for (const [name, filters] of registrations) {
      const receiver = await startReceiver([{ status: 200 }]);
      receivers.set(name, receiver);
      await stack.register(name, receiver.url, "shared-name", ["FAILED", "SUCCEEDED"], {
        template: {
          S: '{"build": "$BUILD_URL", "account": "$ACCOUNT", "region": "$REGION", "was": "$PREVIOUS_STATUS"}',
        },
        ...filters,
      });
    }
  });

  beforeEach(() => {
    for (const receiver of receivers.values()) receiver.requests.length = 0;
  });

  after(async () => {
    await Promise.all([...receivers.values()].map((receiver) => receiver.close()));
    await stack?.close();
  });

  const reached = () =>
    [...receivers]
      .filter(([, receiver]) => receiver.requests.length > 0)
      .map(([name]) => name)
      .sort();

  it("delivers a spoke's build to the receivers whose accounts and regions admit it, with links to its own console", async () => {
    const event = fromElsewhere(numberedBuild("shared-name", 7, "FAILED"), SPOKE_ACCOUNT, "eu-west-1");
    const invocation = await stack.lambda.invoke(event);
    assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
    assert.deepEqual(reached(), ["anywhere", "ireland-only", "spoke-only"]);
    const body = JSON.parse(receivers.get("anywhere")?.requests[0].body ?? "{}");
    assert.equal(body.account, SPOKE_ACCOUNT);
    assert.equal(body.region, "eu-west-1");
    assert.match(
      body.build,
      /^https:\/\/eu-west-1\.console\.aws\.amazon\.com\/codesuite\/codebuild\/210987654321\/projects\/shared-name\/build\/shared-name%3A/,
    );
    assert.match(body.build, /\?region=eu-west-1$/);
  });

  it("delivers the hub's own builds as before, to the receivers without other accounts' filters", async () => {
    assert.equal((await stack.lambda.invoke(numberedBuild("shared-name", 7, "FAILED"))).ok, true);
    assert.deepEqual(reached(), ["anywhere", "hub-only"]);
  });

  it("keeps the status of a project apart per account and region: build numbers repeat there", async () => {
    await stack.lambda.invoke(numberedBuild("shared-name", 8, "SUCCEEDED"));
    const spokeBuild = fromElsewhere(
      numberedBuild("shared-name", 8, "SUCCEEDED"),
      SPOKE_ACCOUNT,
      "eu-west-1",
    );
    assert.equal((await stack.lambda.invoke(spokeBuild)).ok, true);
    // The spoke's build 8 follows the spoke's failed build 7, not the hub's builds.
    assert.equal(JSON.parse(receivers.get("spoke-only")?.requests[0].body ?? "{}").was, "FAILED");
  });

  it("refuses a build of an account the stack does not serve", async () => {
    const stranger = fromElsewhere(numberedBuild("shared-name", 9, "FAILED"), "999999999999", "us-east-1");
    const invocation = await stack.lambda.invoke(stranger);
    assert.equal(
      invocation.error?.message,
      'Refused: a build of account "999999999999", which this stack does not serve (its sourceAccounts setting)',
    );
    assert.deepEqual(reached(), []);
  });
});
