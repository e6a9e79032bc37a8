import * as assert from "node:assert/strict";
import { runProgramUnderMocks, type ProgramRun } from "../local/programUnderMocks";
import { replayDeadLetters, type DeadLetter, type NotifierFunction } from "../src/replayDeadLetters";
import { buildEvent } from "./support/buildEvents";
import { single } from "./support/programResources";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/stackSecrets";

// Breaks docs/delivery.md, "Only the notifier's own failures are replayed": "The queue takes messages
// from the notifier only: its queue policy denies sqs:SendMessage to every principal but the notifier's
// role", and "With the queue policy in place, a message no failure of the notifier wrote means someone
// changed that policy, or sent with the notifier's role."
//
// SQS moves a message to a dead-letter queue on behalf of the *source* queue's redrive policy, not as a
// SendMessage of any principal, so the queue policy's Deny never sees it. Which source queues may use a
// queue as their dead-letter queue is the queue's RedriveAllowPolicy, and without one it is allowAll:
// "Any source queues in this AWS account in the same Region can specify this queue as the dead-letter
// queue" (SQS API reference, RedriveAllowPolicy). So anyone in the account who may create a queue and
// set its attributes points their own queue's RedrivePolicy at the notifier's dead-letter queue
// (maxReceiveCount 1), sends it a forged Lambda failure record (version 1.0, the notifier's ARN, a
// condition, a CodeBuild event of their choosing: every field refusalOf checks is text they write),
// receives it once, and SQS moves it to the dead-letter queue. npm run replay-dead-letters then invokes
// the notifier with it. (No AWS here: this test asserts the program's input that would stop it.)
describe("red team: the dead-letter queue takes messages redriven from any queue of the account", () => {
  let run: ProgramRun;

  before(async () => {
    run = await runProgramUnderMocks({ config: RECEIVER_SECRETS, secretKeys: RECEIVER_SECRET_KEYS });
  });

  it("lets no other queue redrive into it (redriveAllowPolicy denyAll)", () => {
    const queue = single(run, "aws:sqs/queue:Queue");
    const allowPolicies = run.resources.filter(
      (resource) => resource.type === "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
    );
    const declared = [
      queue.inputs.redriveAllowPolicy,
      ...allowPolicies.map((policy) => policy.inputs.redriveAllowPolicy),
    ]
      .filter((policy): policy is string => typeof policy === "string")
      .map((policy) => JSON.parse(policy) as { redrivePermission?: string });
    assert.ok(
      declared.some((policy) => policy.redrivePermission === "denyAll"),
      "the dead-letter queue has no redrive allow policy: SQS's default, allowAll, lets any queue of the " +
        `account move messages into it past the queue policy (queue inputs: ${JSON.stringify(queue.inputs)})`,
    );
  });
});

// Breaks docs/delivery.md, on refused messages: they are named "by its SQS message ID and the check it
// failed, never by its content, which whoever planted it wrote". A message that passes the checks is
// echoed instead: `replayed (<condition>: <errorMessage>)` prints requestContext.condition and
// responsePayload.errorMessage from the message body, control characters and all. refusalOf only asks
// condition to be a string, so a planted record (see above) writes terminal escape sequences into the
// operator's terminal: here OSC 52, which asks the terminal to replace the clipboard, and a screen clear.
describe("red team: what npm run replay-dead-letters prints of a message it replays", () => {
  it("never writes control characters or escape sequences from the message to the terminal", async () => {
    const notifier: NotifierFunction = {
      region: "eu-west-1",
      account: "123456789012",
      name: "notifier-8d41b7e",
    };
    const planted = {
      version: "1.0",
      requestContext: {
        functionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${notifier.name}:$LATEST`,
        condition: "RetriesExhausted\u001b]52;c;ZWNobyBwbGFudGVk\u0007\u001b[2J\u001b[H",
      },
      requestPayload: buildEvent("FAILED", "my-app"),
      responsePayload: { errorMessage: "ok\u001b[8m" },
    };
    const messages: DeadLetter[] = [
      {
        id: "0f6c9a57-5a7e-4c1f-9b2d-3f0e7d1c2a44",
        body: JSON.stringify(planted),
        remove: async () => undefined,
      },
    ];
    const lines: string[] = [];
    await replayDeadLetters(
      { receive: async () => messages.splice(0) },
      notifier,
      async () => ({}),
      (line) => lines.push(line),
    );
    // eslint-disable-next-line no-control-regex -- what must not reach the terminal
    const control = lines.filter((line) => /[\u0000-\u001f\u007f]/.test(line));
    assert.deepEqual(control, [], "the replay printed control characters the message's writer chose");
  });
});
