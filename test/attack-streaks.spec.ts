import * as assert from "node:assert/strict";
import { DeleteItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { numberedBuild } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import { calls, JIRA_ACTIONS, startJiraReceiver, type JiraAnswers } from "./support/healthReceivers";
import type { Receiver } from "./support/receivers";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/specStack";

// Build-health streaks against the packaged notifier (its archive in a process of its own, local
// DynamoDB behind the fault proxy, loopback Jira-like receivers): cases outside the seeded streak run.
describe("attack: build-health streaks", () => {
  let stack: DeployedNotifier;
  let table: DynamoDBClient;
  const receivers: Receiver[] = [];

  before(async function () {
    this.timeout(60_000);
    stack = await deployNotifier(RECEIVER_SECRETS, RECEIVER_SECRET_KEYS);
    table = new DynamoDBClient({
      endpoint: stack.environment.AWS_ENDPOINT_URL_DYNAMODB,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
  });

  afterEach(() => stack.dynamodb.injectFaults(undefined));

  after(async () => {
    table?.destroy();
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

  it("closes the ticket of a project deleted and created again under its name (its build numbers start again at 1)", async function () {
    this.timeout(30_000);
    // A CodeBuild project replaced by its infrastructure code (delete, then create under the same name)
    // numbers its builds from 1 again; its events are newer than every build of the old project.
    const tickets = await jira("recreated-app");
    const outcomes = [];
    for (const [number, status] of [
      [41, "SUCCEEDED"],
      [42, "FAILED"],
      // The project is deleted and created again: its builds are numbered from 1.
      [1, "FAILED"],
      [2, "SUCCEEDED"],
    ] as const) {
      outcomes.push(await stack.lambda.invoke(numberedBuild("recreated-app", number, status)));
    }
    assert.deepEqual(
      outcomes.map((outcome) => outcome.error?.message),
      [undefined, undefined, undefined, undefined],
    );
    // docs/build-health.md: "`still-failing`: a failed build after a failed one", "`fixed`: a SUCCEEDED
    // build after a failed one"; the reliability invariant "every opened ticket closed by the fix".
    assert.deepEqual(calls(tickets), ["create", "comment OPS-1", "transitions OPS-1"]);
  });

  it("follows up the one ticket when the streak's first follow-up comes after the opening's delivery record expired (15 days), its streak record write having failed", async function () {
    this.timeout(30_000);
    // Jira answers the opening; the write of the streak record then fails (as in the documented case
    // "A receiver that answered 2xx was delivered, whatever happens to the records after it").
    let answered = false;
    const tickets = await jira("slow-streak-app", {
      create: (_request, issues) => {
        answered = true;
        return { status: 201, body: JSON.stringify({ key: `OPS-${issues}` }) };
      },
    });
    stack.dynamodb.injectFaults((request) => {
      const key = (request.input as { Key?: { project?: { S?: string } } }).Key?.project?.S ?? "";
      return answered && request.operation === "UpdateItem" && key.startsWith("#remember:")
        ? { status: 500, type: "InternalServerError" }
        : undefined;
    });
    await stack.lambda.invoke(numberedBuild("slow-streak-app", 1, "SUCCEEDED"));
    const broken = numberedBuild("slow-streak-app", 2, "FAILED");
    const opened = await stack.lambda.invoke(broken);
    stack.dynamodb.injectFaults(undefined);
    assert.equal(opened.ok, true, JSON.stringify(opened.error));

    // The project's next build comes three weeks later (a monthly or release-branch build): DynamoDB's
    // TTL has removed the event's delivery record (15 days), while an open streak's record lives 180 days.
    await table.send(
      new DeleteItemCommand({
        TableName: stack.tableName,
        Key: { project: { S: `#delivery:${broken.id}` }, hook_url_param_name: { S: "#lease" } },
      }),
    );
    const followUps = [];
    for (const [number, status] of [
      [3, "FAILED"],
      [4, "SUCCEEDED"],
    ] as const) {
      const event = numberedBuild("slow-streak-app", number, status);
      // Lambda's two retries of each event, as they would come.
      let last = await stack.lambda.invoke(event);
      for (let retry = 0; retry < 2 && !last.ok; retry += 1) last = await stack.lambda.invoke(event);
      followUps.push(last.error?.message);
    }
    // docs/build-health.md: "a failed write of the streak record neither sends the opening again nor
    // loses the ticket's key"; open streak records are kept 180 days.
    assert.deepEqual(followUps, [undefined, undefined], "no follow-up is dead-lettered");
    assert.deepEqual(calls(tickets), ["create", "comment OPS-1", "transitions OPS-1"]);
  });
});
