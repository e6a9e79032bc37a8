import * as assert from "node:assert/strict";
import type { LambdaProcess } from "../local/lambdaProcess";
import { buildEvent } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import { startReceiver, type Receiver } from "./support/receivers";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/specStack";

/**
 * A burst of builds starts many containers at once, and each cold container reads its receivers'
 * parameters: more GetParameters calls in one second than the account's quota allows (40 by default,
 * shared with CodeBuild's own reads). The throttled reads must ride the quota out, not fail the
 * invocation (which Lambda would retry a minute later, setting off the errors alarm).
 */
describe("cold containers reading parameters past the account's quota", () => {
  const CONTAINERS = 6;
  /** A quota the cold containers' reads exceed threefold at once, as a burst's herd does 40. */
  const READS_PER_SECOND = 2;
  let stack: DeployedNotifier;
  let receiver: Receiver;
  let containers: LambdaProcess[];

  before(async function () {
    this.timeout(60_000);
    stack = await deployNotifier(RECEIVER_SECRETS, RECEIVER_SECRET_KEYS);
    receiver = await startReceiver([{ status: 200 }]);
    await stack.register("herd-chat", receiver.url, "herd-app", ["SUCCEEDED"]);
    containers = await Promise.all(Array.from({ length: CONTAINERS }, () => stack.startContainer()));
  });

  after(async () => {
    stack?.parameterStore.throttleReadsAbove(undefined);
    await receiver?.close();
    await stack?.close();
  });

  it("delivers every event on its first invocation, the throttled reads retried", async function () {
    this.timeout(60_000);
    stack.parameterStore.throttleReadsAbove(READS_PER_SECOND);
    const events = containers.map(() => buildEvent("SUCCEEDED", "herd-app"));
    const invocations = await Promise.all(containers.map((container, at) => container.invoke(events[at])));

    assert.ok(
      stack.parameterStore.throttledReads() >= CONTAINERS - READS_PER_SECOND,
      "the reads were throttled",
    );
    assert.deepEqual(
      invocations.map((invocation) => invocation.error?.message),
      invocations.map(() => undefined),
    );
    assert.equal(receiver.requests.length, CONTAINERS);
  });
});
