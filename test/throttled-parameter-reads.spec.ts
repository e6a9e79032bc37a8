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

/**
 * A large registry: 500 receivers with a URL and headers each are 1,000 names, 100 GetParameters calls
 * for a cold container, two and a half seconds of the account's whole quota of 40 calls per second,
 * which CodeBuild shares (it reads each starting build's PARAMETER_STORE variables from it).
 */
describe("a cold container reading a large registry within the account's quota", () => {
  const RECEIVERS = 500;
  const READS_PER_SECOND = 40;
  let stack: DeployedNotifier;
  let receiver: Receiver;

  before(async function () {
    this.timeout(120_000);
    stack = await deployNotifier(RECEIVER_SECRETS, RECEIVER_SECRET_KEYS);
    receiver = await startReceiver([{ status: 200 }]);
    for (let at = 0; at < RECEIVERS; at += 1) {
      stack.parameterStore.put(
        `/webhooks/team-${at}/headers`,
        JSON.stringify({ Authorization: `Bearer team-${at}-token` }),
        "SecureString",
      );
      await stack.register(`team-${at}`, `${receiver.url}/team-${at}`, "monorepo", ["FAILED"], {
        hook_headers_param_name: { S: `/webhooks/team-${at}/headers` },
      });
    }
    stack.parameterStore.put("/codebuild/monorepo/npm-token", "build-variable");
  });

  after(async () => {
    stack?.parameterStore.throttleReadsAbove(undefined);
    await receiver?.close();
    await stack?.close();
  });

  /** CodeBuild reading build variables from the same quota, about `perSecond` calls a second, until stopped. */
  function codeBuildReading(perSecond: number): { stop(): Promise<void> } {
    let reading = true;
    const reads = (async () => {
      while (reading) {
        await fetch(stack.parameterStore.endpoint, {
          method: "POST",
          headers: {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AmazonSSM.GetParameters",
          },
          body: JSON.stringify({ Names: ["/codebuild/monorepo/npm-token"], WithDecryption: true }),
        });
        await new Promise((resolve) => setTimeout(resolve, 1000 / perSecond));
      }
    })();
    return {
      async stop() {
        reading = false;
        await reads;
      },
    };
  }

  it("delivers every receiver on the first invocation, its reads paced within the quota", async function () {
    this.timeout(120_000);
    stack.parameterStore.throttleReadsAbove(READS_PER_SECOND);
    const codeBuild = codeBuildReading(10);
    const container = await stack.startContainer();
    stack.parameterStore.resetCalls();
    const invocation = await container.invoke(buildEvent("FAILED", "monorepo"), {
      timeoutMs: stack.deployment.notifierSettings.timeoutMs,
    });
    await codeBuild.stop();

    assert.equal(invocation.error?.message, undefined);
    assert.equal(new Set(receiver.requests.map((request) => request.path)).size, RECEIVERS);
    const notifierCalls = stack.parameterStore.calls.filter((call) => call.names[0].startsWith("/webhooks/"));
    assert.ok(
      notifierCalls.length < 1.25 * (RECEIVERS / 5),
      `${notifierCalls.length} calls for ${RECEIVERS / 5} batches: paced, hardly any throttled`,
    );
  });

  it("fails only the receivers whose parameters were not read in time, and Lambda's retry finds the rest cached", async function () {
    this.timeout(120_000);
    receiver.requests.length = 0;
    // A quota far too small for the function's time: only some calls get through before the deadline.
    stack.parameterStore.throttleReadsAbove(2);
    const container = await stack.startContainer();
    const event = buildEvent("FAILED", "monorepo");
    const first = await container.invoke(event, { timeoutMs: 4000 });
    const unread = [
      ...(first.error?.message ?? "").matchAll(/\/webhooks\/(team-\d+)\/url \((parameter [^)]*\))\)/g),
    ];
    assert.ok(unread.length > 0, "some reads did not fit in the time");
    for (const [, , reason] of unread)
      assert.match(reason, /^parameter \/webhooks\/team-\d+\/\w+ could not be read \(ThrottlingException\)$/);
    const delivered = receiver.requests.map((request) => request.path.replace("/hook/", ""));
    assert.deepEqual(
      [...delivered, ...unread.map(([, name]) => name)].sort(),
      Array.from({ length: RECEIVERS }, (_, at) => `team-${at}`).sort(),
      "every receiver is either delivered or named with its unread parameter",
    );

    // Lambda's retries in the same container keep what was read and read the rest.
    stack.parameterStore.throttleReadsAbove(READS_PER_SECOND);
    const retry = await container.invoke(event, { timeoutMs: stack.deployment.notifierSettings.timeoutMs });
    assert.equal(retry.error?.message, undefined);
    const paths = receiver.requests.map((request) => request.path);
    assert.equal(paths.length, RECEIVERS, "each receiver once");
    assert.equal(new Set(paths).size, RECEIVERS);
  });
});
