import * as assert from "node:assert/strict";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { Invocation, LambdaProcess } from "../local/lambdaProcess";
import { numberedBuild } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import { startReceiver, type RecordedRequest, type Receiver, type ResponseStep } from "./support/receivers";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/stackSecrets";

/** The Jira actions of a receiver file's `on`, as the registry item holds them. */
const JIRA_ACTIONS: AttributeValue = {
  M: {
    broken: {
      M: {
        path: { S: "/rest/api/2/issue" },
        template: {
          S: '{"fields": {"summary": "$PROJECT is failing", "description": "$BUILD_URL", "transition": "$TRANSITION"}}',
        },
        remember: { M: { JIRA_ISSUE: { S: "key" } } },
      },
    },
    "still-failing": {
      M: {
        path: { S: "/rest/api/2/issue/$JIRA_ISSUE/comment" },
        template: { S: '{"body": "Still failing ($FAILURE_COUNT builds): build #$BUILD_NUMBER"}' },
      },
    },
    fixed: {
      M: {
        path: { S: "/rest/api/2/issue/$JIRA_ISSUE/transitions" },
        template: { S: '{"transition": {"id": "31"}, "builds": "$FAILURE_COUNT"}' },
      },
    },
  },
};

/** What a Jira-like receiver was asked: the kind of call and, for follow-ups, the issue it concerns. */
function calls(receiver: Receiver): string[] {
  return receiver.requests.map((request) => {
    const path = request.path.replace(/^\/hook/, "");
    if (path === "/rest/api/2/issue") return "create";
    const [, issue, what] = /^\/rest\/api\/2\/issue\/([^/]+)\/(comment|transitions)$/.exec(path) ?? [];
    return `${what} ${decodeURIComponent(issue ?? "?")}`;
  });
}

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
   * what `create` says), comments and transitions answer 201 and 204.
   */
  async function jira(
    project: string,
    create: (request: RecordedRequest, issues: number) => ResponseStep = (_request, issues) => ({
      status: 201,
      body: JSON.stringify({ id: String(10000 + issues), key: `OPS-${issues}` }),
    }),
  ): Promise<Receiver> {
    let issues = 0;
    const receiver = await startReceiver((request) => {
      if (request.path.endsWith("/rest/api/2/issue")) return create(request, (issues += 1));
      return { status: request.path.endsWith("/transitions") ? 204 : 201 };
    });
    receivers.push(receiver);
    await stack.register(`${project}-jira`, receiver.url, project, ["FAILED", "SUCCEEDED"], {
      actions: JIRA_ACTIONS,
    });
    return receiver;
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
    const receiver = await jira("slow-jira-app", (_request, issues) => ({
      status: 201,
      body: JSON.stringify({ key: `OPS-${issues}` }),
      delayMs: 1500,
    }));
    await run("slow-jira-app", 60, "SUCCEEDED");
    const opening = stack.lambda.invoke(numberedBuild("slow-jira-app", 61, "FAILED"));
    await receiver.waitForRequests(1);
    const second = await stack.startContainer();
    const followUp = numberedBuild("slow-jira-app", 62, "FAILED");
    const early = await second.invoke(followUp);
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
    let refusing = true;
    const receiver = await jira("retry-app", (_request, issues) =>
      refusing
        ? { status: 400, body: '{"errorMessages": ["project OPS is archived"]}' }
        : { status: 201, body: JSON.stringify({ key: `OPS-${issues}` }) },
    );
    await run("retry-app", 30, "SUCCEEDED");
    const broken = numberedBuild("retry-app", 31, "FAILED");
    const refused = await stack.lambda.invoke(broken);
    assert.equal(refused.ok, false);
    assert.match(
      refused.error?.message ?? "",
      /answered 400: \{"errorMessages": \["project OPS is archived"\]\}/,
    );

    // Its retries fail too and it ends as a dead letter; the next failure opens the issue instead.
    refusing = false;
    await run("retry-app", 32, "FAILED");
    assert.deepEqual(calls(receiver), ["create", "create"]);
    // The dead letter replayed later finds the streak open: no second issue.
    const replay = await stack.lambda.invoke(broken);
    assert.equal(replay.ok, true, JSON.stringify(replay.error));
    await run("retry-app", 33, "FAILED");
    assert.deepEqual(calls(receiver), ["create", "create", "comment OPS-2"]);
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
});
