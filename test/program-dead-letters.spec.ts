import * as assert from "node:assert/strict";
import { runProgramUnderMocks, type ProgramRun } from "../local/programUnderMocks";
import { ofType, single } from "./support/programResources";
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

  it("sets the failure destination only once the grant to send to it exists: Lambda checks it then", () => {
    // PutFunctionEventInvokeConfig refuses a destination the execution role may not send to; the
    // provider retries that refusal for two minutes of IAM propagation, counted from when it starts.
    const invokeConfig = single(run, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig");
    const notifier = single(run, "aws:lambda/function:Function");
    const queue = single(run, "aws:sqs/queue:Queue");
    const destination = (invokeConfig.inputs.destinationConfig as { onFailure: { destination: string } })
      .onFailure.destination;
    assert.equal(destination, queue.outputs.arn);
    const role = ofType(run, "aws:iam/role:Role").find((each) => each.outputs.arn === notifier.inputs.role);
    const grants = ofType(run, "aws:iam/rolePolicy:RolePolicy").filter(
      (policy) =>
        policy.inputs.role === role?.outputs.name &&
        (
          JSON.parse(policy.inputs.policy as string) as { Statement: Record<string, unknown>[] }
        ).Statement.some(
          (statement) =>
            statement.Effect === "Allow" &&
            [statement.Action].flat().includes("sqs:SendMessage") &&
            [statement.Resource].flat().includes(destination),
        ),
    );
    assert.equal(grants.length, 1, "one role policy lets the notifier's role send to the queue");
    const grant = `${grants[0].type}::${grants[0].name}`;
    const configWaitsFor = invokeConfig.dependsOn ?? [];
    assert.ok(
      configWaitsFor.includes(grant),
      `the invoke config waits for ${grant} itself, not only through the function: ${configWaitsFor.join(", ")}`,
    );
    assert.ok((notifier.dependsOn ?? []).includes(grant), "the function is created once its grants exist");
    assert.ok(configWaitsFor.includes(`${notifier.type}::${notifier.name}`));
  });
});
