import * as assert from "node:assert/strict";
import { DynamoDB, type AttributeValue } from "@aws-sdk/client-dynamodb";
import type { Invocation, LambdaProcess } from "../local/lambdaProcess";
import { createAlertOrder } from "../src/notifier/alertOrder";
import { createStreakRecords } from "../src/notifier/streakRecords";
import { numberedBuild } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import { ALIAS_ALERT_ACTIONS, calls, JIRA_ACTIONS, startJiraReceiver } from "./support/healthReceivers";
import { startReceiver, type RecordedRequest, type Receiver, type ResponseStep } from "./support/receivers";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/specStack";
import { loopbackClient } from "../local/loopbackClient";

// Receivers with actions per transition (one ticket per failure streak, followed up and closed), run in
// the packaged notifier against local DynamoDB and Jira-like receivers.
describe("build health: actions per transition", () => {
  let stack: DeployedNotifier;
  const receivers: Receiver[] = [];

  before(async () => {
    stack = await deployNotifier(RECEIVER_SECRETS, RECEIVER_SECRET_KEYS);
  });

  after(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await stack?.close();
  });

  /**
   * A Jira-like receiver registered for `project`: creating an issue answers `{"key": <next key>}` (or
   * what `create` says), comments and transitions answer 201 and 204 (or what `followUp` says).
   */
  async function jira(
    project: string,
    create?: (request: RecordedRequest, issues: number) => ResponseStep,
    followUp?: (request: RecordedRequest) => ResponseStep,
    actions: AttributeValue = JIRA_ACTIONS,
  ): Promise<Receiver> {
    const receiver = await startJiraReceiver({ create, followUp });
    receivers.push(receiver);
    await stack.register(`${project}-jira`, receiver.url, project, ["FAILED", "SUCCEEDED"], { actions });
    return receiver;
  }

  /** Runs `use` with a client of the local DynamoDB, as an operator's `aws dynamodb` would be. */
  async function withTable(use: (table: DynamoDB) => Promise<void>): Promise<void> {
    const table = new DynamoDB(loopbackClient(stack.environment.AWS_ENDPOINT_URL_DYNAMODB));
    try {
      await use(table);
    } finally {
      table.destroy();
    }
  }

  /** A Jira-like receiver refusing to create issues (its project archived) until `accept` is called. */
  async function archivedJira(project: string): Promise<{ receiver: Receiver; accept(): void }> {
    let refusing = true;
    const receiver = await jira(project, (_request, issues) =>
      refusing
        ? { status: 400, body: '{"errorMessages": ["project OPS is archived"]}' }
        : { status: 201, body: JSON.stringify({ key: `OPS-${issues}` }) },
    );
    return { receiver, accept: () => (refusing = false) };
  }

  /** Why the invocation sent nothing to the project's one receiver, as its outcome and log line say. */
  function skipped(invocation: Invocation): string | undefined {
    const outcome = (invocation.result as { outcomes: { skipped?: string }[] }).outcomes[0];
    const logged = invocation.logs
      .map((line) => JSON.parse(line) as { message?: string; skipped?: string })
      .find((entry) => entry.message === "Nothing to send");
    assert.equal(logged?.skipped, outcome?.skipped, "the log line gives the outcome's reason");
    return outcome?.skipped;
  }

  async function run(project: string, buildNumber: number, status: string, on?: LambdaProcess) {
    const invocation = await (on ?? stack.lambda).invoke(numberedBuild(project, buildNumber, status));
    assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
    return invocation;
  }

  /** Invokes the event as Lambda does: again after a failure, up to twice. */
  async function withRetries(container: LambdaProcess, event: object): Promise<Invocation> {
    let invocation = await container.invoke(event);
    for (let retry = 0; retry < 2 && !invocation.ok; retry += 1) invocation = await container.invoke(event);
    return invocation;
  }

  it("opens one issue per failure streak, comments on each further failure, and closes it when fixed", async () => {
    const receiver = await jira("streak-app");
    await run("streak-app", 1, "SUCCEEDED");
    await run("streak-app", 2, "FAILED");
    await run("streak-app", 3, "FAILED");
    await run("streak-app", 4, "STOPPED");
    await run("streak-app", 5, "FAILED");
    const fixed = await run("streak-app", 6, "SUCCEEDED");
    await run("streak-app", 7, "SUCCEEDED");
    await run("streak-app", 8, "FAILED");
    assert.deepEqual(calls(receiver), [
      "create",
      "comment OPS-1",
      "comment OPS-1",
      "transitions OPS-1",
      "create",
    ]);
    const [opened, secondFailure, thirdFailure, closed] = receiver.requests.map((request) =>
      JSON.parse(request.body),
    );
    assert.equal(opened.fields.summary, "streak-app is failing");
    assert.equal(opened.fields.transition, "broken");
    assert.equal(secondFailure.body, "Still failing (2 builds): build #3");
    assert.equal(thirdFailure.body, "Still failing (3 builds): build #5", "a stopped build changes nothing");
    assert.deepEqual(closed, { transition: { id: "31" }, builds: "3" });
    const outcome = (fixed.result as { outcomes: { transition?: string }[] }).outcomes[0];
    assert.equal(outcome.transition, "fixed");
  });

  it("opens one issue when two failed builds finish at the same moment", async () => {
    const receiver = await jira("concurrent-app");
    await run("concurrent-app", 10, "SUCCEEDED");
    const second = await stack.startContainer();
    const results = await Promise.all([
      withRetries(stack.lambda, numberedBuild("concurrent-app", 11, "FAILED")),
      withRetries(second, numberedBuild("concurrent-app", 12, "FAILED")),
    ]);
    for (const result of results) assert.equal(result.ok, true, JSON.stringify(result.error));
    const made = calls(receiver);
    assert.equal(made.filter((call) => call === "create").length, 1, made.join(", "));
    assert.ok(
      made.every((call) => call === "create" || call === "comment OPS-1"),
      made.join(", "),
    );
  });

  it("keeps a follow-up waiting while the streak's opening action is in flight, then comments on its issue", async () => {
    // Jira answers the opening action once the follow-up has been tried.
    let followUpTried = (): void => undefined;
    const tried = new Promise<void>((resolve) => (followUpTried = resolve));
    const receiver = await jira("slow-jira-app", (_request, issues) => ({
      status: 201,
      body: JSON.stringify({ key: `OPS-${issues}` }),
      heldUntil: tried,
    }));
    await run("slow-jira-app", 60, "SUCCEEDED");
    const second = await stack.startContainer();
    const opening = stack.lambda.invoke(numberedBuild("slow-jira-app", 61, "FAILED"));
    await receiver.waitForRequests(1);
    const followUp = numberedBuild("slow-jira-app", 62, "FAILED");
    const early = await second.invoke(followUp).finally(followUpTried);
    assert.equal(early.ok, false);
    assert.match(
      early.error?.message ?? "",
      /opening action is in flight in another invocation; left to Lambda's retry/,
    );
    assert.equal((await opening).ok, true);
    const retried = await second.invoke(followUp);
    assert.equal(retried.ok, true, JSON.stringify(retried.error));
    assert.deepEqual(calls(receiver), ["create", "comment OPS-1"]);
  });

  it("sends nothing for an old failure that finishes after the fix", async () => {
    const receiver = await jira("late-app");
    await run("late-app", 20, "FAILED");
    await run("late-app", 22, "SUCCEEDED");
    await run("late-app", 21, "FAILED");
    assert.deepEqual(calls(receiver), ["create", "transitions OPS-1"]);
  });

  it("sends a retried event's action once, and opens the streak with the next failure when its opening action never got through", async () => {
    const { receiver, accept } = await archivedJira("retry-app");
    await run("retry-app", 30, "SUCCEEDED");
    const broken = numberedBuild("retry-app", 31, "FAILED");
    const refused = await stack.lambda.invoke(broken);
    assert.equal(refused.ok, false);
    assert.match(
      refused.error?.message ?? "",
      /answered 400: \{"errorMessages": \["project OPS is archived"\]\}/,
    );

    // Its retries fail too and it ends as a dead letter; the next failure opens the issue instead.
    accept();
    await run("retry-app", 32, "FAILED");
    assert.deepEqual(calls(receiver), ["create", "create"]);
    // The dead letter replayed later finds the streak open: no second issue.
    const replay = await stack.lambda.invoke(broken);
    assert.equal(replay.ok, true, JSON.stringify(replay.error));
    await run("retry-app", 33, "FAILED");
    assert.deepEqual(calls(receiver), ["create", "create", "comment OPS-2"]);
  });

  it("sends nothing for a replayed opening action of a streak that is over, and follows up the newer streak's issue", async () => {
    let refusing = true;
    let created = 0;
    const receiver = await jira("replay-app", () =>
      refusing
        ? { status: 400, body: '{"errorMessages": ["project OPS is archived"]}' }
        : { status: 201, body: JSON.stringify({ key: `OPS-${(created += 1)}` }) },
    );
    await run("replay-app", 1, "SUCCEEDED");
    const broken = numberedBuild("replay-app", 2, "FAILED");
    assert.equal((await stack.lambda.invoke(broken)).ok, false, "refused: it ends as a dead letter");
    refusing = false;
    await run("replay-app", 3, "FAILED");
    await run("replay-app", 4, "SUCCEEDED");
    await run("replay-app", 5, "FAILED");
    assert.deepEqual(calls(receiver), ["create", "create", "transitions OPS-1", "create"]);

    // Build 2's streak was opened late (OPS-1) and fixed; build 5 opened the next one (OPS-2).
    const replay = await stack.lambda.invoke(broken);
    assert.equal(replay.ok, true, JSON.stringify(replay.error));
    await run("replay-app", 6, "FAILED");
    await run("replay-app", 7, "SUCCEEDED");
    assert.deepEqual(calls(receiver).slice(4), ["comment OPS-2", "transitions OPS-2"]);
    assert.match(
      skipped(replay) ?? "",
      /the failure streak that began with build #2 is over: a newer one began with build #5/,
    );
  });

  it("sends a replayed follow-up of a streak that is over to that streak's own issue, never the newer one's", async () => {
    let refusing = true;
    const receiver = await jira("old-comment-app", undefined, (request) =>
      refusing && request.path.endsWith("/comment")
        ? { status: 400, body: '{"errorMessages": ["comments are disabled"]}' }
        : { status: request.path.endsWith("/transitions") ? 204 : 201 },
    );
    await run("old-comment-app", 1, "SUCCEEDED");
    await run("old-comment-app", 2, "FAILED");
    const stillFailing = numberedBuild("old-comment-app", 3, "FAILED");
    assert.equal((await stack.lambda.invoke(stillFailing)).ok, false, "refused: it ends as a dead letter");
    refusing = false;
    await run("old-comment-app", 4, "SUCCEEDED");
    await run("old-comment-app", 5, "FAILED");

    const replay = await stack.lambda.invoke(stillFailing);
    assert.equal(replay.ok, true, JSON.stringify(replay.error));
    await run("old-comment-app", 6, "FAILED");
    assert.deepEqual(calls(receiver), [
      "create",
      "comment OPS-1",
      "transitions OPS-1",
      "create",
      "comment OPS-1",
      "comment OPS-2",
    ]);
    assert.equal(JSON.parse(receiver.requests[4].body).body, "Still failing (2 builds): build #3");
  });

  it("never closes a newer streak's alert with a replayed fix of an older streak", async () => {
    let refusing = true;
    const receiver = await startReceiver((request) =>
      refusing && request.path.endsWith("/close") ? { status: 422 } : { status: 202 },
    );
    receivers.push(receiver);
    await stack.register("alias-app-alerts", receiver.url, "alias-app", ["FAILED", "SUCCEEDED"], {
      actions: ALIAS_ALERT_ACTIONS,
    });
    await run("alias-app", 1, "FAILED");
    const fixed = numberedBuild("alias-app", 2, "SUCCEEDED");
    assert.equal((await stack.lambda.invoke(fixed)).ok, false, "refused: it ends as a dead letter");
    refusing = false;
    await run("alias-app", 3, "FAILED");

    const replay = await stack.lambda.invoke(fixed);
    assert.equal(replay.ok, true, JSON.stringify(replay.error));
    await run("alias-app", 4, "SUCCEEDED");
    assert.deepEqual(
      receiver.requests.map((request) => request.path),
      ["/hook/alerts", "/hook/alerts/alias-app/close", "/hook/alerts", "/hook/alerts/alias-app/close"],
    );
    assert.match(
      skipped(replay) ?? "",
      /the failure streak that began with build #1 is over: a newer one began with build #3/,
    );
  });

  it("warns when the answer lacks the field to remember, and never sends a path with a placeholder left in it", async () => {
    const receiver = await jira("no-key-app", () => ({
      status: 201,
      body: '{"id": "10001", "secretish": "x"}',
    }));
    const opened = await run("no-key-app", 40, "FAILED");
    const warning = opened.logs.map((line) => JSON.parse(line)).find((entry) => entry.level === "WARN");
    assert.equal(warning?.message, "The answer lacks fields to remember");
    assert.deepEqual(warning?.fields, ["key"]);
    assert.ok(!opened.logs.some((line) => line.includes("secretish")), "the answer body is never logged");

    const followUp = await stack.lambda.invoke(numberedBuild("no-key-app", 41, "FAILED"));
    assert.equal(followUp.ok, false);
    assert.match(followUp.error?.message ?? "", /the path names \$JIRA_ISSUE, without a value/);
    assert.deepEqual(calls(receiver), ["create"]);
  });

  it("lets no build variable stand in for a remembered value, in a path or a body", async () => {
    const receiver = await jira("variable-app");
    await run("variable-app", 70, "FAILED");
    const event = numberedBuild("variable-app", 71, "FAILED");
    const variables = event.detail?.["additional-information"]?.environment?.["environment-variables"];
    variables?.push({ name: "JIRA_ISSUE", value: "OPS-999", type: "PLAINTEXT" });
    const invocation = await stack.lambda.invoke(event);
    assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
    assert.deepEqual(calls(receiver), ["create", "comment OPS-1"]);
  });

  it("never fills a value the receiver's actions remember from a build variable in a body: it is sent as written", async () => {
    // As PagerDuty's dedup_key would be, were it remembered: the answer to broken lacks the field.
    const resolveActions: AttributeValue = {
      M: {
        broken: {
          M: {
            template: { S: '{"event_action": "trigger"}' },
            remember: { M: { DEDUP: { S: "dedup_key" } } },
          },
        },
        "still-failing": { M: { template: { S: '{"event_action": "note", "dedup_key": "$DEDUP"}' } } },
        fixed: { M: { template: { S: '{"event_action": "resolve", "dedup_key": "$DEDUP", "by": "$WHO"}' } } },
      },
    };
    const receiver = await startReceiver([{ status: 202, body: '{"status": "success"}' }]);
    receivers.push(receiver);
    await stack.register("dedup-app-alerts", receiver.url, "dedup-app", ["FAILED", "SUCCEEDED"], {
      actions: resolveActions,
    });
    await run("dedup-app", 1, "FAILED");
    for (const [number, status] of [
      [2, "FAILED"],
      [3, "SUCCEEDED"],
    ] as const) {
      const event = numberedBuild("dedup-app", number, status);
      event.detail?.["additional-information"]?.environment?.["environment-variables"]?.push(
        { name: "DEDUP", value: "someone-elses-alert", type: "PLAINTEXT" },
        { name: "WHO", value: "ci", type: "PLAINTEXT" },
      );
      const invocation = await stack.lambda.invoke(event);
      assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
    }
    assert.deepEqual(
      receiver.requests.map((request) => JSON.parse(request.body)),
      [
        { event_action: "trigger" },
        { event_action: "note", dedup_key: "$DEDUP" },
        { event_action: "resolve", dedup_key: "$DEDUP", by: "ci" },
      ],
    );
  });

  it("tells a receiver without broken of each transition it declares, with what its still-failing remembered", async () => {
    const threadActions: AttributeValue = {
      M: {
        "still-failing": {
          M: {
            path: { S: "/thread" },
            template: { S: '{"text": "Still failing ($FAILURE_COUNT)", "thread": "$THREAD"}' },
            remember: { M: { THREAD: { S: "ts" } } },
          },
        },
        fixed: { M: { path: { S: "/thread/$THREAD/close" }, template: { S: '{"text": "fixed"}' } } },
      },
    };
    let posted = 0;
    const thread = await startReceiver(() => ({
      status: 200,
      body: JSON.stringify({ ts: `T-${(posted += 1)}` }),
    }));
    const onlyFixed = await startReceiver([{ status: 200 }]);
    receivers.push(thread, onlyFixed);
    await stack.register("thread-app-chat", thread.url, "thread-app", ["FAILED", "SUCCEEDED"], {
      actions: threadActions,
    });
    await stack.register("thread-app-fixes", onlyFixed.url, "thread-app", ["FAILED", "SUCCEEDED"], {
      actions: {
        M: { fixed: { M: { template: { S: '{"text": "$PROJECT fixed after $FAILURE_COUNT"}' } } } },
      },
    });
    await run("thread-app", 1, "SUCCEEDED");
    await run("thread-app", 2, "FAILED");
    await run("thread-app", 3, "FAILED");
    await run("thread-app", 4, "FAILED");
    await run("thread-app", 5, "SUCCEEDED");
    assert.deepEqual(
      thread.requests.map((request) => `${request.path} ${request.body}`),
      [
        '/hook/thread {"text": "Still failing (2)", "thread": "$THREAD"}',
        '/hook/thread {"text": "Still failing (3)", "thread": "T-1"}',
        '/hook/thread/T-2/close {"text": "fixed"}',
      ],
    );
    assert.deepEqual(
      onlyFixed.requests.map((request) => request.body),
      ['{"text": "thread-app fixed after 3"}'],
    );
  });

  it("closes a streak its fix found unopened, so that a replay of its broken opens nothing", async () => {
    const { receiver, accept } = await archivedJira("unopened-app");
    await run("unopened-app", 1, "SUCCEEDED");
    const broken = numberedBuild("unopened-app", 2, "FAILED");
    assert.equal((await stack.lambda.invoke(broken)).ok, false, "refused: it ends as a dead letter");
    accept();
    const fixed = await run("unopened-app", 3, "SUCCEEDED");
    assert.equal(skipped(fixed), "the failure streak was never opened for this receiver; nothing to close");

    const replay = await stack.lambda.invoke(broken);
    assert.equal(replay.ok, true, JSON.stringify(replay.error));
    assert.equal(
      skipped(replay),
      "the failure streak that began with build #2 was fixed before it was opened for this receiver",
    );
    await run("unopened-app", 4, "FAILED");
    assert.deepEqual(calls(receiver), ["create", "create"]);
  });

  it("follows up and closes a streak opened before per-streak records, from its record of the earlier format", async () => {
    const receiver = await jira("upgraded-app");
    await withTable(async (table) => {
      // What the release before wrote for build 10's broken: the status record and one record per receiver.
      const buildId = numberedBuild("upgraded-app", 10, "FAILED").detail?.["build-id"] ?? "";
      const earlierRecords: Record<string, AttributeValue>[] = [
        {
          project: { S: "#status:upgraded-app" },
          hook_url_param_name: { S: "#last-final-status" },
          last_status: { S: "FAILED" },
          last_build_id: { S: buildId },
          last_build_number: { N: "10" },
          health_status: { S: "FAILED" },
          failure_count: { N: "1" },
          streak_start: { N: "10" },
          verdicts: {
            M: {
              "10": {
                M: {
                  changed: { BOOL: true },
                  failure_count: { N: "1" },
                  previous: { S: "SUCCEEDED" },
                  transition: { S: "broken" },
                  streak: { N: "10" },
                  build_id: { S: buildId },
                },
              },
            },
          },
          version: { N: "4" },
        },
        {
          project: { S: "#remember:upgraded-app" },
          hook_url_param_name: { S: "/webhooks/upgraded-app-jira/url" },
          streak: { N: "10" },
          streak_state: { S: "open" },
          opener: { S: "event-of-build-10" },
          opener_lease_until: { N: "0" },
          remembered: { M: { JIRA_ISSUE: { S: "OPS-7" } } },
          expires_at: { N: String(Math.floor(Date.now() / 1000) + 3600) },
        },
      ];
      for (const item of earlierRecords) await table.putItem({ TableName: stack.tableName, Item: item });
    });
    await run("upgraded-app", 11, "FAILED");
    await run("upgraded-app", 12, "SUCCEEDED");
    await run("upgraded-app", 13, "FAILED");
    await run("upgraded-app", 14, "SUCCEEDED");
    assert.deepEqual(calls(receiver), ["comment OPS-7", "transitions OPS-7", "create", "transitions OPS-1"]);
  });

  it("keeps a remembered value holding / and ? as one path segment", async () => {
    const receiver = await jira("odd-key-app", () => ({
      status: 201,
      body: '{"key": "OPS/1?notify=all#x"}',
    }));
    await run("odd-key-app", 50, "FAILED");
    await run("odd-key-app", 51, "FAILED");
    assert.equal(receiver.requests[1].path, "/hook/rest/api/2/issue/OPS%2F1%3Fnotify%3Dall%23x/comment");
    assert.deepEqual(calls(receiver), ["create", "comment OPS/1?notify=all#x"]);
  });

  it("replaces a remembered value when a later action of the streak remembers the same name", async () => {
    // The issue moves on each comment (as a ticket escalated to another project would): each comment's
    // answer gives the key to follow up from then on.
    const movingActions: AttributeValue = {
      M: {
        ...(JIRA_ACTIONS.M ?? {}),
        "still-failing": {
          M: {
            path: { S: "/rest/api/2/issue/$JIRA_ISSUE/comment" },
            template: { S: '{"body": "Still failing on $JIRA_ISSUE"}' },
            remember: { M: { JIRA_ISSUE: { S: "moved.key" } } },
          },
        },
      },
    };
    let comments = 0;
    const receiver = await jira(
      "moving-app",
      undefined,
      (request) =>
        request.path.endsWith("/comment")
          ? { status: 201, body: JSON.stringify({ moved: { key: `ESC-${(comments += 1)}` } }) }
          : { status: 204 },
      movingActions,
    );
    await run("moving-app", 1, "FAILED");
    await run("moving-app", 2, "FAILED");
    await run("moving-app", 3, "FAILED");
    await run("moving-app", 4, "SUCCEEDED");
    assert.deepEqual(calls(receiver), ["create", "comment OPS-1", "comment ESC-1", "transitions ESC-2"]);
    assert.equal(JSON.parse(receiver.requests[2].body).body, "Still failing on ESC-1");
  });

  it("renders $TRANSITION empty for a receiver told of statuses, whatever the build's variables say", async () => {
    const receiver = await startReceiver([{ status: 200 }]);
    receivers.push(receiver);
    await stack.register("plain-app-chat", receiver.url, "plain-app", ["FAILED", "SUCCEEDED"], {
      template: { S: '{"transition": "$TRANSITION", "failures": "$FAILURE_COUNT"}' },
    });
    await run("plain-app", 1, "SUCCEEDED");
    const failed = numberedBuild("plain-app", 2, "FAILED");
    const variables = failed.detail?.["additional-information"]?.environment?.["environment-variables"];
    variables?.push({ name: "TRANSITION", value: "broken", type: "PLAINTEXT" });
    const invocation = await stack.lambda.invoke(failed);
    assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
    await run("plain-app", 3, "SUCCEEDED");
    assert.deepEqual(
      receiver.requests.map((request) => JSON.parse(request.body)),
      [
        { transition: "", failures: "0" },
        { transition: "", failures: "1" },
        { transition: "", failures: "1" },
      ],
    );
  });

  // The conditions on streak records are the last guard when invocations decide at once: their writes
  // are tried here against the local DynamoDB directly. An invocation is its event and its lease's
  // generation (each invocation of an event has the next one).
  it("lets one invocation at a time hold the right to open a streak, and keeps each streak's record apart", async () => {
    const first = (event: string) => ({ event, generation: 1 });
    await withTable(async (table) => {
      const records = createStreakRecords(table, stack.tableName, "records-app");
      assert.equal(await records.claimOpening("jira", 5, first("event-5")), true);
      assert.equal(await records.claimOpening("jira", 5, first("event-5")), true, "its own retry");
      assert.equal(await records.claimOpening("jira", 5, first("event-6")), false, "held by event-5");
      assert.equal(
        await records.claimOpening("jira", 5, { event: "event-5", generation: 2 }),
        true,
        "event-5's next invocation",
      );
      assert.equal(
        await records.claimOpening("jira", 5, first("event-6"), first("event-5")),
        false,
        "not taken over from a later invocation than the one seen ended",
      );
      assert.equal(
        await records.claimOpening("jira", 5, first("event-6"), { event: "event-5", generation: 2 }),
        true,
        "taken over from an opener whose invocations ended without delivering",
      );
      await records.opened("jira", 5, "event-6", { JIRA_ISSUE: "OPS-2" });
      assert.equal(await records.claimOpening("jira", 5, first("event-7"), first("event-6")), false, "open");
      assert.equal(await records.closeUnopened("jira", 5, first("event-7"), first("event-6")), false, "open");
      assert.equal(
        await records.claimOpening("jira", 50, first("event-50")),
        true,
        "a later streak's record",
      );
      await records.closed("jira", 5, "event-9", {});
      assert.deepEqual((await records.read(5)).get("jira"), {
        streak: 5,
        state: "closed",
        opener: "event-6",
        closer: "event-9",
        values: { JIRA_ISSUE: "OPS-2" },
      });
      assert.equal((await records.read(50)).get("jira")?.state, "opening");

      // A streak closed before it was opened stays closed: a late opening sends nothing.
      assert.equal(await records.closeUnopened("jira", 50, first("event-51"), first("event-50")), true);
      assert.equal(await records.claimOpening("jira", 50, first("event-50")), false);
      assert.equal((await records.read(50)).get("jira")?.state, "closed-without-opening");
    });
  });

  it("keeps a fix of an alert named by the project from crossing a newer streak's opening", async () => {
    await withTable(async (table) => {
      const order = createAlertOrder(table, stack.tableName, "order-app");
      const until = Date.now() + 60_000;
      assert.equal(await order.opening("alerts", 1, "open-1", until), true);
      await order.released("alerts", "opening", "open-1");
      assert.equal(await order.closing("alerts", 1, "fix-2", until), true);
      assert.equal(
        await order.opening("alerts", 3, "open-3", until),
        false,
        "the fix of streak 1 is being sent",
      );
      assert.equal(await order.closing("alerts", 3, "fix-4", until), false, "one fix at a time");
      await order.released("alerts", "closing", "fix-2");
      assert.equal(await order.opening("alerts", 3, "open-3", until), true);
      await order.released("alerts", "opening", "open-3");
      assert.equal(await order.closing("alerts", 1, "fix-2", until), false, "a newer streak opened");
      assert.equal(await order.closing("alerts", 3, "fix-4", until), true, "its own fix");
    });
  });

  it("keeps a newer streak's opening and fix of an alert named by the project behind an older opening being sent", async () => {
    await withTable(async (table) => {
      const order = createAlertOrder(table, stack.tableName, "order-app-2");
      const until = Date.now() + 60_000;
      assert.equal(await order.opening("alerts", 1, "open-1", until), true);
      assert.equal(await order.opening("alerts", 1, "open-1", until), true, "a retry of the same event");
      assert.equal(
        await order.opening("alerts", 3, "open-3", until),
        false,
        "the opening of streak 1 is being sent",
      );
      assert.equal(
        await order.closing("alerts", 3, "fix-4", until),
        false,
        "the opening of streak 1 is being sent",
      );
      await order.released("alerts", "opening", "open-1");
      assert.equal(await order.opening("alerts", 3, "open-3", until), true);
      assert.equal(
        await order.closing("alerts", 3, "fix-4", until),
        true,
        "its own streak's opening waits by its claim",
      );
      await order.released("alerts", "opening", "open-3");
      await order.released("alerts", "closing", "fix-4");
      // An older opening whose invocation's deadline passed holds nothing.
      assert.equal(await order.opening("alerts", 5, "open-5", Date.now() - 1), true);
      assert.equal(await order.opening("alerts", 7, "open-7", until), true);
    });
  });

  it("gives one opening of a streak a place at a time, so the one that lost the claim frees nothing the other holds", async () => {
    await withTable(async (table) => {
      const order = createAlertOrder(table, stack.tableName, "loser-app");
      const records = createStreakRecords(table, stack.tableName, "loser-app");
      const lease = Date.now() + 60_000;
      // Builds 2 and 3 of streak 1 both find build 1's opening failed for good: both plan the opening.
      assert.equal(await order.opening("alerts", 1, "event-2", lease), true);
      assert.equal(await order.opening("alerts", 1, "event-3", lease), false, "build 2's opening holds it");
      assert.equal(await records.claimOpening("alerts", 1, { event: "event-2", generation: 1 }), true);
      // A place build 3 does not hold is not freed by it.
      await order.released("alerts", "opening", "event-3");
      // Build 2's opening is being sent (a 429 retried, say): streak 5 waits.
      assert.equal(await order.opening("alerts", 5, "event-5", lease), false);
      assert.equal(await order.closing("alerts", 5, "event-6", lease), false);
      await order.released("alerts", "opening", "event-2");
      assert.equal(await order.opening("alerts", 5, "event-5", lease), true);
    });
  });
});
