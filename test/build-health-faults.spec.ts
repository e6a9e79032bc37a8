import * as assert from "node:assert/strict";
import { DeleteItemCommand, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import type { InjectedFault, ProxiedRequest } from "../local/dynamoDbProxy";
import type { Invocation, LambdaProcess } from "../local/lambdaProcess";
import { numberedBuild } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import {
  ALIAS_ALERT_ACTIONS,
  calls,
  JIRA_ACTIONS,
  startJiraReceiver,
  type JiraAnswers,
} from "./support/healthReceivers";
import { startReceiver, type Receiver, type ResponseScript } from "./support/receivers";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/specStack";
import { loopbackClient } from "../local/loopbackClient";

interface LogEntry {
  level: string;
  message: string;
  [field: string]: unknown;
}

/** The partition a table call is about: its item's hash key, or the one a query reads. */
function partitionOf(request: ProxiedRequest): string | undefined {
  const { Key, ExpressionAttributeValues } = request.input as {
    Key?: Record<string, { S?: string }>;
    ExpressionAttributeValues?: Record<string, { S?: string }>;
  };
  return Key?.project?.S ?? ExpressionAttributeValues?.[":project"]?.S;
}

/** Resolves once `condition` holds, checking every 10 ms (rejects after 10 s). */
async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 10_000) throw new Error("The condition never came true");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// Receivers with actions per transition when table writes fail or hang after a receiver answered, and
// when builds of one project are handled at once by several containers: the packaged notifier against
// local DynamoDB (behind a proxy that fails, delays or hangs chosen calls) and Jira-like receivers.
describe("build health under table faults and concurrent builds", () => {
  let stack: DeployedNotifier;
  const receivers: Receiver[] = [];

  before(async () => {
    stack = await deployNotifier(RECEIVER_SECRETS, RECEIVER_SECRET_KEYS);
  });

  afterEach(() => stack.dynamodb.injectFaults(undefined));

  after(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await stack?.close();
  });

  async function jira(project: string, answers?: JiraAnswers): Promise<Receiver> {
    const receiver = await startJiraReceiver(answers);
    receivers.push(receiver);
    await stack.register(`${project}-jira`, receiver.url, project, ["FAILED", "SUCCEEDED"], {
      actions: JIRA_ACTIONS,
    });
    return receiver;
  }

  async function receiver(script: ResponseScript): Promise<Receiver> {
    const started = await startReceiver(script);
    receivers.push(started);
    return started;
  }

  async function run(
    project: string,
    buildNumber: number,
    status: string,
    on?: LambdaProcess,
    startedAt?: Date,
  ) {
    const event = numberedBuild(project, buildNumber, status, startedAt);
    const invocation = await (on ?? stack.lambda).invoke(event);
    assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
    return invocation;
  }

  /**
   * A Jira-like receiver for `project`; from the moment it answered the creation of an issue, every
   * write of a streak record meets `fault` (until the test's end).
   */
  async function jiraThenFaultyRecords(project: string, fault: InjectedFault): Promise<Receiver> {
    let answered = false;
    const tickets = await jira(project, {
      create: (_request, issues) => {
        answered = true;
        return { status: 201, body: JSON.stringify({ key: `OPS-${issues}` }) };
      },
    });
    stack.dynamodb.injectFaults((request) =>
      answered && request.operation === "UpdateItem" && partitionOf(request)?.startsWith("#remember:")
        ? fault
        : undefined,
    );
    return tickets;
  }

  /**
   * An alert named by `project` at a receiver that answers the first close 429 (`Retry-After: 2`), and
   * holds its answer to that close's second attempt until `release` is called; opened by build 1's
   * failure. Resolves once build 2's fix is being sent: it stays in flight until released.
   */
  async function alertClosingLate(
    project: string,
  ): Promise<{ alerts: Receiver; closing: Promise<Invocation>; release(): void }> {
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let firstClose: string | undefined;
    const alerts = await receiver((request) => {
      if (!request.path.endsWith("/close")) return { status: 202 };
      if (firstClose === undefined) {
        firstClose = request.headers["webhook-id"];
        return { status: 429, headers: { "Retry-After": "2" } };
      }
      // A delivery's attempts share its webhook-id.
      return request.headers["webhook-id"] === firstClose
        ? { status: 202, heldUntil: released }
        : { status: 202 };
    });
    await stack.register(`${project}-alerts`, alerts.url, project, ["FAILED", "SUCCEEDED"], {
      actions: ALIAS_ALERT_ACTIONS,
    });
    await run(project, 1, "FAILED");
    const closing = stack.lambda.invoke(numberedBuild(project, 2, "SUCCEEDED"));
    await alerts.waitForRequests(2);
    return { alerts, closing, release };
  }

  /**
   * Hands each event to `container` in turn while another invocation is held by its receiver, then
   * releases the hold: the first tries, in order.
   */
  async function invokeEachThenRelease(
    container: LambdaProcess,
    events: readonly unknown[],
    release: () => void,
  ): Promise<Invocation[]> {
    const firstTries: Invocation[] = [];
    try {
      for (const event of events) firstTries.push(await container.invoke(event));
    } finally {
      release();
    }
    return firstTries;
  }

  /**
   * Lambda's retry, once, of each event whose first try failed: each must succeed. The events are builds
   * numbered from `firstBuild` on.
   */
  async function retryFailed(
    container: LambdaProcess,
    events: readonly unknown[],
    firstTries: readonly Invocation[],
    firstBuild: number,
  ): Promise<void> {
    for (const [index, event] of events.entries()) {
      if (!firstTries[index].ok) {
        assert.equal((await container.invoke(event)).ok, true, `retry of build ${firstBuild + index}`);
      }
    }
  }

  /**
   * DynamoDB's TTL, `days` from now: removes every item of the table whose `expires_at` has passed by
   * then (the registry items and status records have none).
   */
  async function expireRecordsAfter(days: number): Promise<void> {
    const table = new DynamoDBClient(loopbackClient(stack.environment.AWS_ENDPOINT_URL_DYNAMODB));
    try {
      const then = Date.now() / 1000 + days * 24 * 3600;
      const { Items: items = [] } = await table.send(new ScanCommand({ TableName: stack.tableName }));
      for (const item of items.filter((candidate) => Number(candidate.expires_at?.N) < then)) {
        await table.send(
          new DeleteItemCommand({
            TableName: stack.tableName,
            Key: { project: item.project, hook_url_param_name: item.hook_url_param_name },
          }),
        );
      }
    } finally {
      table.destroy();
    }
  }

  /**
   * Builds #3 FAILED and #4 SUCCEEDED of `project`, one after the other, each invoked as Lambda does
   * (with its two retries while it fails); answers the error each ended with (the dead letter), if any.
   */
  async function failThenFix(project: string): Promise<(string | undefined)[]> {
    const errors = [];
    for (const event of [numberedBuild(project, 3, "FAILED"), numberedBuild(project, 4, "SUCCEEDED")]) {
      let last = await stack.lambda.invoke(event);
      for (let retry = 0; retry < 2 && !last.ok; retry += 1) last = await stack.lambda.invoke(event);
      errors.push(last.error?.message);
    }
    return errors;
  }

  function logEntries(invocation: Invocation): LogEntry[] {
    return invocation.logs.map((line) => JSON.parse(line) as LogEntry);
  }

  it("counts a broken the receiver answered as delivered when its streak record cannot be written, and follows up that one issue", async () => {
    // From the moment Jira answered, every write of a streak record fails (after the SDK's retries).
    const tickets = await jiraThenFaultyRecords("unwritten-app", {
      status: 500,
      type: "InternalServerError",
    });
    await run("unwritten-app", 1, "SUCCEEDED");
    const broken = numberedBuild("unwritten-app", 2, "FAILED");
    const first = await stack.lambda.invoke(broken);
    stack.dynamodb.injectFaults(undefined);
    assert.equal(first.ok, true, JSON.stringify(first.error));
    const unwritten = logEntries(first).find((entry) =>
      entry.message.startsWith("Streak record not written"),
    );
    assert.equal(unwritten?.errorCode, "InternalServerError");
    assert.equal(unwritten?.receiver, "/webhooks/unwritten-app-jira/url");
    assert.ok(!first.logs.some((line) => line.includes("OPS-1")), "no remembered value is logged");

    // A duplicate delivery of the event sends nothing; the follow-ups find the issue's key.
    assert.equal((await stack.lambda.invoke(broken)).ok, true);
    await run("unwritten-app", 3, "FAILED");
    await run("unwritten-app", 4, "SUCCEEDED");
    assert.deepEqual(calls(tickets), ["create", "comment OPS-1", "transitions OPS-1"]);
  });

  it("follows up and closes the one issue when the streak's next build comes three weeks later, its opening's streak record write having failed", async () => {
    const tickets = await jiraThenFaultyRecords("monthly-app", { status: 500, type: "InternalServerError" });
    await run("monthly-app", 1, "SUCCEEDED");
    assert.equal((await stack.lambda.invoke(numberedBuild("monthly-app", 2, "FAILED"))).ok, true);
    stack.dynamodb.injectFaults(undefined);
    // The project's next build comes three weeks later (a monthly or release-branch build): DynamoDB's TTL
    // has removed what expires within them.
    await expireRecordsAfter(21);
    assert.deepEqual(
      await failThenFix("monthly-app"),
      [undefined, undefined],
      "no follow-up is dead-lettered",
    );
    assert.deepEqual(calls(tickets), ["create", "comment OPS-1", "transitions OPS-1"]);
  });

  it("opens the issue with the streak's next failure when its opening never got through and its delivery record expired", async () => {
    // Jira refuses the first issue (its project key was wrong, say), then accepts.
    const tickets = await jira("refused-app", {
      create: (_request, issues) =>
        issues === 1
          ? { status: 400, body: '{"errors": {"project": "project is required"}}' }
          : { status: 201, body: JSON.stringify({ key: `OPS-${issues}` }) },
    });
    await run("refused-app", 1, "SUCCEEDED");
    const refused = await stack.lambda.invoke(numberedBuild("refused-app", 2, "FAILED"));
    assert.equal(refused.ok, false);
    // Its dead letter was never replayed; three weeks later, the next builds.
    await expireRecordsAfter(21);
    assert.deepEqual(await failThenFix("refused-app"), [undefined, undefined], "no build is dead-lettered");
    assert.deepEqual(calls(tickets), ["create", "create", "transitions OPS-2"]);
  });

  it("closes the issue of a project deleted and created again under its name, whose build numbers start again at 1", async () => {
    const tickets = await jira("recreated-app");
    // Builds #41 and #42 start in May, a minute apart; the project, created again in June (its
    // infrastructure code replaced it), numbers its builds from 1 again.
    const recreated = (number: number) => new Date(Date.UTC(2024, 5, 3, 9) + number * 60_000);
    const outcomes = [];
    for (const [number, status, startedAt] of [
      [41, "SUCCEEDED", undefined],
      [42, "FAILED", undefined],
      [1, "FAILED", recreated(1)],
      [2, "SUCCEEDED", recreated(2)],
    ] as const) {
      outcomes.push(await stack.lambda.invoke(numberedBuild("recreated-app", number, status, startedAt)));
    }
    assert.deepEqual(
      outcomes.map((outcome) => outcome.error?.message),
      [undefined, undefined, undefined, undefined],
    );
    // The new project's builds follow on the old one's: #1 still failing, #2 the fix.
    assert.deepEqual(calls(tickets), ["create", "comment OPS-1", "transitions OPS-1"]);
  });

  it("opens a new issue for a streak of the project created again, even where the old project's streak of that number was fixed", async () => {
    const tickets = await jira("reborn-app");
    const recreated = (number: number) => new Date(Date.UTC(2024, 5, 3, 9) + number * 60_000);
    // The old project: streak #2 opened and fixed, then #4 the newest build.
    for (const [number, status] of [
      [1, "SUCCEEDED"],
      [2, "FAILED"],
      [3, "SUCCEEDED"],
      [4, "SUCCEEDED"],
    ] as const) {
      await run("reborn-app", number, status);
    }
    // The new project: #1 succeeds, #2 fails (its streak record would be the old streak #2's, closed),
    // #3 fails too; a late event of the old project's build #3 comes in between, and changes nothing.
    await run("reborn-app", 1, "SUCCEEDED", undefined, recreated(1));
    await run("reborn-app", 2, "FAILED", undefined, recreated(2));
    await run("reborn-app", 3, "SUCCEEDED");
    await run("reborn-app", 3, "FAILED", undefined, recreated(3));
    assert.deepEqual(calls(tickets), ["create", "transitions OPS-1", "create", "comment OPS-2"]);
  });

  it("gives up a streak record write that hangs before the deadline, and sends nothing twice", async () => {
    const chat = await receiver([{ status: 200 }]);
    await stack.register("hung-app-chat", chat.url, "hung-app", ["FAILED"]);
    const tickets = await jiraThenFaultyRecords("hung-app", { hang: true });
    await run("hung-app", 1, "SUCCEEDED");
    const broken = numberedBuild("hung-app", 2, "FAILED");
    const first = await stack.lambda.invoke(broken, { timeoutMs: 5000 });
    stack.dynamodb.injectFaults(undefined);
    assert.equal(first.timedOut, false, "the invocation ends before its timeout");
    assert.equal(first.ok, true, JSON.stringify(first.error));

    // Lambda delivers the event again: both receivers have it already.
    assert.equal((await stack.lambda.invoke(broken)).ok, true);
    assert.equal(chat.requests.length, 1);
    await run("hung-app", 3, "FAILED");
    assert.deepEqual(calls(tickets), ["create", "comment OPS-1"]);
  });

  it("keeps a fix waiting while the build that broke is recorded but has not reached the receiver yet", async () => {
    const tickets = await jira("slow-open-app");
    await run("slow-open-app", 41, "SUCCEEDED");
    // Build 42's invocation is slow after its verdict: its first call on the streak records lags.
    let delayed = false;
    stack.dynamodb.injectFaults((request) => {
      if (delayed || partitionOf(request) !== "#remember:slow-open-app") return undefined;
      delayed = true;
      return { delayMs: 2000 };
    });
    // Started before the opening, so that its start takes nothing of the 2 s its records lag.
    const second = await stack.startContainer();
    const opening = stack.lambda.invoke(numberedBuild("slow-open-app", 42, "FAILED"));
    await until(() => delayed);
    const fix = numberedBuild("slow-open-app", 43, "SUCCEEDED");
    const early = await second.invoke(fix);
    assert.equal(early.ok, false, "the fix waits for the issue it closes");
    assert.match(early.error?.message ?? "", /left to Lambda's retry/);
    assert.equal((await opening).ok, true);
    const retried = await second.invoke(fix);
    assert.equal(retried.ok, true, JSON.stringify(retried.error));
    assert.deepEqual(calls(tickets), ["create", "transitions OPS-1"]);
  });

  it("closes a streak's issue with its fix even when the next streak opened its own issue first", async () => {
    // Jira answers build 29's opening once the fix was tried and build 31 opened the next streak.
    let nextStreakOpened = (): void => undefined;
    const opened = new Promise<void>((resolve) => (nextStreakOpened = resolve));
    let issue = 0;
    const tickets = await jira("next-streak-app", {
      create: () => {
        issue += 1;
        return {
          status: 201,
          body: JSON.stringify({ key: `OPS-${issue}` }),
          ...(issue === 1 ? { heldUntil: opened } : {}),
        };
      },
    });
    await run("next-streak-app", 28, "SUCCEEDED");
    const [second, third] = await Promise.all([stack.startContainer(), stack.startContainer()]);
    const opening = stack.lambda.invoke(numberedBuild("next-streak-app", 29, "FAILED"));
    await tickets.waitForRequests(1);
    const fix = numberedBuild("next-streak-app", 30, "SUCCEEDED");
    try {
      const early = await second.invoke(fix);
      assert.equal(early.ok, false, "the fix waits for build 29's issue");
      await run("next-streak-app", 31, "FAILED", third);
    } finally {
      nextStreakOpened();
    }
    assert.equal((await opening).ok, true);
    const retried = await second.invoke(fix);
    assert.equal(retried.ok, true, JSON.stringify(retried.error));
    await run("next-streak-app", 32, "SUCCEEDED", third);
    assert.deepEqual(calls(tickets), ["create", "create", "transitions OPS-1", "transitions OPS-2"]);
  });

  it("never lets a fix still being retried close the next streak's alert", async () => {
    const second = await stack.startContainer();
    const { alerts, closing, release } = await alertClosingLate("race-app");
    const reopen = numberedBuild("race-app", 3, "FAILED");
    const early = await second.invoke(reopen).finally(release);
    assert.equal(early.ok, false, "the next streak's alert waits for the fix in flight");
    assert.equal((await closing).ok, true);
    const retried = await second.invoke(reopen);
    assert.equal(retried.ok, true, JSON.stringify(retried.error));
    assert.deepEqual(
      alerts.requests.map((request) => request.path),
      ["/hook/alerts", "/hook/alerts/race-app/close", "/hook/alerts/race-app/close", "/hook/alerts"],
    );
  });

  it("never lets a fix close a streak unopened while a retry of its broken opens it", async () => {
    let refusing = true;
    const tickets = await jira("retried-open-app", {
      create: () => (refusing ? { status: 503 } : { status: 201, body: '{"key": "OPS-1"}', delayMs: 3000 }),
    });
    await run("retried-open-app", 1, "SUCCEEDED");
    const broken = numberedBuild("retried-open-app", 2, "FAILED");
    assert.equal((await stack.lambda.invoke(broken, { timeoutMs: 4000 })).ok, false, "Jira is down");
    refusing = false;
    // The fix finds build 2's invocation ended without the issue; its write closing the streak unopened is
    // slow, and lands while build 2's retry is opening the issue (Jira answers it slowly).
    let delayed = false;
    stack.dynamodb.injectFaults((request) => {
      if (delayed || !JSON.stringify(request.input).includes("closed-without-opening")) return undefined;
      delayed = true;
      return { delayMs: 1500 };
    });
    const fix = numberedBuild("retried-open-app", 3, "SUCCEEDED");
    const second = await stack.startContainer();
    const closing = stack.lambda.invoke(fix);
    await until(() => delayed);
    assert.equal((await second.invoke(broken)).ok, true, "Lambda's retry of build 2 opens the issue");
    const early = await closing;
    assert.equal(early.ok, false, "the fix waits for the issue opened meanwhile");
    assert.equal((await stack.lambda.invoke(fix)).ok, true);
    assert.deepEqual(calls(tickets).slice(-2), ["create", "transitions OPS-1"]);
  });

  it("keeps a newer streak's alert waiting for an older streak's fix still being sent, across streaks in between", async () => {
    const second = await stack.startContainer();
    const { alerts, closing, release } = await alertClosingLate("chain-app");
    // While build 2's close is retried, streak 3 fails and is fixed, and streak 5 begins.
    const later = [3, 4, 5].map((number) =>
      numberedBuild("chain-app", number, number === 4 ? "SUCCEEDED" : "FAILED"),
    );
    const early = await invokeEachThenRelease(second, later, release);
    assert.equal((await closing).ok, true);
    assert.equal(early[2].ok, false, "streak 5's alert waits for the close in flight");
    await retryFailed(second, later, early, 3);
    const paths = alerts.requests.map((request) => request.path.replace("/hook", ""));
    assert.equal(paths.at(-1), "/alerts", `the alert is open while streak 5 fails: ${paths.join(", ")}`);
    assert.equal(paths.indexOf("/alerts", 1), paths.length - 1, paths.join(", "));
  });

  it("never lets an older streak's opening, still being retried, reach the alert after a newer streak's fix closed it", async () => {
    const second = await stack.startContainer();
    // Build 1's opening is answered 429 (Retry-After: 1), but only once builds 2 to 4 were handled: its
    // second attempt reaches the receiver after build 4's close.
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let firstOpening: string | undefined;
    const alerts = await receiver((request) => {
      if (request.path.endsWith("/close")) return { status: 202 };
      if (firstOpening === undefined) {
        firstOpening = request.headers["webhook-id"];
        return { status: 429, headers: { "Retry-After": "1" }, heldUntil: released };
      }
      return { status: 202 };
    });
    await stack.register("late-opening-app-alerts", alerts.url, "late-opening-app", ["FAILED", "SUCCEEDED"], {
      actions: ALIAS_ALERT_ACTIONS,
    });
    const opening = stack.lambda.invoke(numberedBuild("late-opening-app", 1, "FAILED"));
    await alerts.waitForRequests(1);
    const later = [2, 3, 4].map((number) =>
      numberedBuild("late-opening-app", number, number === 3 ? "FAILED" : "SUCCEEDED"),
    );
    const early = await invokeEachThenRelease(second, later, release);
    assert.equal((await opening).ok, true);
    await retryFailed(second, later, early, 2);
    // The project passes since build 4: the alert's last request must close it.
    const taken = alerts.requests.map((request) => request.path.replace("/hook", ""));
    assert.equal(
      taken.at(-1),
      "/alerts/late-opening-app/close",
      `the alert is open, yet build 4 passed: ${taken.join(", ")}`,
    );
  });

  it("never lets a streak's opening, planned by two builds at once, reach the alert after a newer streak's close", async function () {
    this.timeout(180_000);
    // Builds 2 and 3 of streak 1 both plan its opening (build 1's failed for good). Build 2 takes the
    // opening's place and its claim of the streak; build 3, coming while build 2's claim is on its way,
    // waits for that place: it can neither take it over nor, refused, free it while build 2's opening is
    // still being sent.
    const project = "loser-release-app";
    const second = await stack.startContainer();
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let openings = 0;
    const alerts = await receiver((request) => {
      if (request.path.endsWith("/close")) return { status: 202 };
      openings++;
      // Build 1's opening is refused for good; the next opening (build 2's, winning the claim) is answered
      // 429 once every later build was handled, so its second attempt arrives last.
      if (openings === 1) return { status: 400 };
      if (openings === 2) return { status: 429, headers: { "Retry-After": "1" }, heldUntil: released };
      return { status: 202 };
    });
    await stack.register(`${project}-alerts`, alerts.url, project, ["FAILED", "SUCCEEDED"], {
      actions: ALIAS_ALERT_ACTIONS,
    });
    await stack.lambda.invoke(numberedBuild(project, 1, "FAILED"));
    assert.equal(openings, 1);

    const build2 = numberedBuild(project, 2, "FAILED");
    const build3 = numberedBuild(project, 3, "FAILED");
    const seen: string[] = [];
    // Build 2's claim of the streak is slowed, so build 3 asks for the opening's place after build 2 took it.
    stack.dynamodb.injectFaults((request: ProxiedRequest) => {
      if (request.operation !== "UpdateItem") return undefined;
      const key = (request.input.Key as Record<string, { S?: string }>).hook_url_param_name?.S ?? "";
      const text = JSON.stringify(request.input);
      if (!text.includes(`#remember:${project}`)) return undefined;
      for (const [event, build, delayMs] of [
        [build2.id, 2, 2000],
        [build3.id, 3, 5000],
      ] as const) {
        if (event === undefined || !text.includes(event)) continue;
        const what = `${build}:${key.startsWith("#alert#") ? "place" : "claim"}`;
        const first = !seen.includes(what);
        seen.push(what);
        if (what.endsWith("claim") && first) return { delayMs };
      }
      return undefined;
    });
    const opening = stack.lambda.invoke(build2);
    await until(() => seen.includes("2:place"));
    const third = await second.invoke(build3);
    // Arrivals at the proxy: build 2's claim is forwarded 2 s after it arrived; build 3 got no place.
    assert.deepEqual(seen.slice(0, 3), ["2:place", "2:claim", "3:place"]);
    assert.ok(!seen.includes("3:claim"), seen.join(", "));
    assert.equal(third.ok, false, `build 3 waits for build 2's opening: ${JSON.stringify(third.error)}`);
    await until(() => openings === 2);
    stack.dynamodb.injectFaults(undefined);

    // Build 2's opening of streak 1 is still being sent; the project passes, fails again and passes.
    const later = [4, 5, 6].map((number) =>
      numberedBuild(project, number, number === 5 ? "FAILED" : "SUCCEEDED"),
    );
    const early = await invokeEachThenRelease(second, later, release);
    assert.equal((await opening).ok, true);
    assert.equal((await second.invoke(build3)).ok, true, "retry of build 3");
    const firstTries = early.map((invocation) => invocation.ok).join(", ");
    // Lambda's retries: a place left behind holds at most until its invocation's deadline (60 s).
    for (const [index, event] of later.entries()) {
      for (let tries = 0; !early[index].ok; tries++) {
        assert.ok(tries < 45, `retry of build ${index + 4}: ${JSON.stringify(early[index].error)}`);
        await new Promise((resolve) => setTimeout(resolve, 2000));
        early[index] = await second.invoke(event);
      }
    }
    const taken = alerts.requests.map((request) => request.path.replace("/hook", ""));
    assert.equal(
      taken.at(-1),
      `/alerts/${project}/close`,
      `the alert is open, yet build 6 passed: ${taken.join(", ")} (first tries of builds 4-6 ok: ${firstTries})`,
    );
  });
});
