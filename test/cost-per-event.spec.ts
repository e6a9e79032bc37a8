import * as assert from "node:assert/strict";
import { buildEvent, numberedBuild } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import { startReceiver, type Receiver } from "./support/receivers";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/specStack";

// What one event costs in table calls, counted at the local DynamoDB: a constant, whatever the number of
// receivers, cold or warm.
describe("table calls per event", () => {
  const RECEIVERS = 100;
  let stack: DeployedNotifier;
  let receiver: Receiver;

  before(async () => {
    stack = await deployNotifier(RECEIVER_SECRETS, RECEIVER_SECRET_KEYS);
    receiver = await startReceiver([{ status: 200 }]);
    for (let index = 0; index < RECEIVERS; index += 1) {
      await stack.register(`wide-${index}`, `${receiver.url}/${index}`, "wide-app", ["FAILED", "SUCCEEDED"]);
    }
  });

  after(async () => {
    await receiver?.close();
    await stack?.close();
  });

  async function callsFor(event: object, container = stack.lambda): Promise<Record<string, number>> {
    stack.dynamodb.resetCalls();
    const invocation = await container.invoke(event);
    assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
    return stack.dynamodb.calls().byOperation;
  }

  it("makes four calls for an event of 100 receivers, cold or warm: two queries, the lease, the record", async () => {
    const cold = await stack.startContainer();
    const expected = { Query: 2, UpdateItem: 2 };
    assert.deepEqual(await callsFor(buildEvent("FAILED", "wide-app"), cold), expected);
    assert.deepEqual(await callsFor(buildEvent("FAILED", "wide-app"), cold), expected);
    assert.equal(receiver.requests.length, 2 * RECEIVERS);
  });

  it("adds two for a project whose receivers follow its status: the status record read and written", async () => {
    await stack.register("wide-on-change", `${receiver.url}/on-change`, "wide-app", ["FAILED"], {
      only_on_change: { BOOL: true },
    });
    assert.deepEqual(await callsFor(numberedBuild("wide-app", 1, "FAILED")), {
      GetItem: 1,
      PutItem: 1,
      Query: 2,
      UpdateItem: 2,
    });
  });

  it("makes no write for an event no receiver hears of", async () => {
    assert.deepEqual(await callsFor(buildEvent("IN_PROGRESS", "wide-app")), { Query: 2 });
  });
});
