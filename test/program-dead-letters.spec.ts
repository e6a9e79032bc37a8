import * as assert from "node:assert/strict";
import { runProgramUnderMocks, type ProgramRun } from "../local/programUnderMocks";
import { single } from "./support/programResources";
import { specRun } from "./support/specStack";

describe("the dead-letter queue's policies (index.ts under Pulumi mocks)", () => {
  let run: ProgramRun;

  before(async () => {
    run = await runProgramUnderMocks(specRun());
  });

  it("denies sending to every principal but the role the notifier runs as, and nothing else", () => {
    const queue = single(run, "aws:sqs/queue:Queue");
    const notifier = single(run, "aws:lambda/function:Function");
    const role = single(run, "aws:iam/role:Role");
    // Lambda's on-failure destination sends with the function's execution role.
    assert.equal(notifier.inputs.role, role.outputs.arn);
    const queuePolicy = single(run, "aws:sqs/queuePolicy:QueuePolicy");
    assert.equal(queuePolicy.inputs.queueUrl, queue.outputs.url);
    // One Deny on SendMessage only (SendMessageBatch is authorized as SendMessage): the replay's
    // ReceiveMessage and DeleteMessage, and the deployer's management of the queue, stay with IAM.
    const document = JSON.parse(queuePolicy.inputs.policy as string) as { Statement: object[] };
    assert.equal(document.Statement.length, 1);
    const { Effect, Principal, Action, Resource, Condition } = document.Statement[0] as Record<
      string,
      unknown
    >;
    assert.deepEqual(
      { Effect, Principal, Action, Resource },
      { Effect: "Deny", Principal: "*", Action: "sqs:SendMessage", Resource: queue.outputs.arn },
    );
    // Lambda's sessions of the role carry its ARN as aws:PrincipalArn; a principal with none is denied.
    assert.deepEqual(Condition, { ArnNotEquals: { "aws:PrincipalArn": role.outputs.arn } });
  });

  it("lets no other queue move messages into it: its redrive allow policy denies every source queue", () => {
    // SQS moves a message to a dead-letter queue for the source queue's redrive policy, past the queue
    // policy's Deny; without a redrive allow policy, any queue of the account and region may name it.
    const queue = single(run, "aws:sqs/queue:Queue");
    assert.deepEqual(JSON.parse(queue.inputs.redriveAllowPolicy as string), { redrivePermission: "denyAll" });
    assert.deepEqual(
      run.resources.filter((resource) => resource.type === "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy"),
      [],
      "one redrive allow policy, on the queue itself: a second resource would replace it",
    );
  });
});
