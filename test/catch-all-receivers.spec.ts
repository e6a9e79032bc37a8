import * as assert from "node:assert/strict";
import { buildEvent } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import { startReceiver, type Receiver } from "./support/receivers";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/specStack";

describe("catch-all receivers", () => {
  let stack: DeployedNotifier;
  let everyProject: Receiver;
  let ownProject: Receiver;
  let both: Receiver;

  before(async () => {
    stack = await deployNotifier(RECEIVER_SECRETS, RECEIVER_SECRET_KEYS);
    [everyProject, ownProject, both] = await Promise.all([startReceiver(), startReceiver(), startReceiver()]);
    const registrations: [string, Receiver, string[]][] = [
      ["every-project", everyProject, ["*"]],
      ["own-project", ownProject, ["api"]],
      ["both", both, ["*", "api"]],
    ];
    for (const [name, receiver, projects] of registrations) {
      stack.parameterStore.put(`/webhooks/${name}/url`, receiver.url, "SecureString");
      for (const project of projects) {
        await stack.registerByHand({
          project: { S: project },
          hook_url_param_name: { S: `/webhooks/${name}/url` },
          statuses: { L: [{ S: "SUCCEEDED" }] },
        });
      }
    }
  });

  after(async () => {
    await Promise.all([everyProject, ownProject, both].map((receiver) => receiver?.close()));
    await stack?.close();
  });

  it("sends a project's events to its receivers and the catch-all ones, each once", async () => {
    assert.equal((await stack.lambda.invoke(buildEvent("SUCCEEDED", "api"))).ok, true);
    assert.deepEqual(
      [everyProject, ownProject, both].map((receiver) => receiver.requests.length),
      [1, 1, 1],
    );
    assert.match(JSON.parse(both.requests[0].body).text, /\*api\*/);
  });

  it("sends any other project's events to the catch-all receivers only", async () => {
    assert.equal((await stack.lambda.invoke(buildEvent("SUCCEEDED", "web"))).ok, true);
    assert.deepEqual(
      [everyProject, ownProject, both].map((receiver) => receiver.requests.length),
      [2, 1, 2],
    );
    assert.match(JSON.parse(everyProject.requests[1].body).text, /\*web\*/);
  });

  it("still filters catch-all receivers by status", async () => {
    assert.equal((await stack.lambda.invoke(buildEvent("FAILED", "web"))).ok, true);
    assert.equal(everyProject.requests.length, 2);
  });
});
