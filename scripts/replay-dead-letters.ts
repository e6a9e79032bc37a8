// `npm run replay-dead-letters -- --queue-url URL --function NAME`: replays the notifier's dead letters
// (events whose receivers stayed undelivered after Lambda's retries) once the receivers are fixed.
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { parseArgs } from "node:util";
import {
  type NotifierFunction,
  replayDeadLetters,
  replayedNotifier,
  replayRegion,
} from "../src/replayDeadLetters";

/** Messages replayed in a run stay invisible for its length, so a failing one is not read twice. */
const VISIBILITY_TIMEOUT_SECONDS = 15 * 60;

const USAGE = `Usage: npm run replay-dead-letters -- --queue-url URL --function NAME

Sends each event in the notifier's dead-letter queue through the notifier again, once its receivers are
fixed. Receivers that had the event already are skipped by their delivery records. A message leaves the
queue only when its replay succeeds; one still failing stays there, out of sight of the next replay for
${VISIBILITY_TIMEOUT_SECONDS / 60} minutes. A message that is not Lambda's failure record of this function (of
a CodeBuild build state change) is refused: named by its message ID and why, never by its content, it
is not sent to the notifier and stays in the queue.

Options:
  --queue-url URL   the dead-letter queue: pulumi stack output deadLetterQueueUrl
  --function NAME   the notifier: pulumi stack output functionName (or its ARN)
  --help            show this text

Region: AWS_REGION, else AWS_DEFAULT_REGION, else the one in the queue URL
(https://sqs.<region>.amazonaws.com/<account>/<queue>); a variable naming another region than the URL is
refused, and a profile's region is not used. AWS_ENDPOINT_URL_SQS and AWS_ENDPOINT_URL_LAMBDA, when
set, replace the service endpoints.
Credentials: the AWS SDK's default chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, else the profile
AWS_PROFILE names, SSO included, else the role of the machine). They need no more than:
  sqs:ReceiveMessage, sqs:DeleteMessage   on the queue's ARN
  lambda:InvokeFunction                   on the notifier's ARN
Whoever may invoke the notifier can hand it an event of their own: keep that grant to the operators
who replay, on the notifier's ARN only (docs/delivery.md, "Replaying dead letters").

Exit code: 0 when every dead letter was replayed (or there was none), 1 when one is still failing or
refused, or AWS refused a call, 2 for bad input (a flag, the region).`;

const HELP_HINT = "Run npm run replay-dead-letters -- --help for the options.";

/** A problem with what the user gave: reported with exit code 2, before anything is sent. */
class UsageError extends Error {}

function parseReplayArgs(args: string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        "queue-url": { type: "string" },
        function: { type: "string" },
        help: { type: "boolean" },
      },
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${HELP_HINT}`);
  }
  return values;
}

async function replay(): Promise<number> {
  const values = parseReplayArgs(process.argv.slice(2));
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const queueUrl = values["queue-url"];
  const functionName = values.function;
  if (!queueUrl || !functionName) {
    throw new UsageError(`${USAGE.split("\n")[0]}\nGive both --queue-url and --function. ${HELP_HINT}`);
  }
  let region: string;
  let notifier: NotifierFunction;
  try {
    region = replayRegion(queueUrl, process.env);
    notifier = replayedNotifier(functionName, queueUrl, region);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  // The SQS client sends to the queue URL's host, ignoring AWS_ENDPOINT_URL_SQS, unless told not to.
  const endpointGiven = Boolean(process.env.AWS_ENDPOINT_URL_SQS || process.env.AWS_ENDPOINT_URL);
  const sqs = new SQSClient({ region, useQueueUrlAsEndpoint: !endpointGiven });
  const lambda = new LambdaClient({ region });
  try {
    const report = await replayDeadLetters(
      {
        receive: async () => {
          const received = await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: queueUrl,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: 1,
              VisibilityTimeout: VISIBILITY_TIMEOUT_SECONDS,
            }),
          );
          return (received.Messages ?? []).map((message) => ({
            id: message.MessageId ?? "(no message ID)",
            body: message.Body ?? "",
            remove: async () => {
              await sqs.send(
                new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
              );
            },
          }));
        },
      },
      notifier,
      async (event) => {
        const response = await lambda.send(
          new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) }),
        );
        if (!response.FunctionError) return {};
        const payload = JSON.parse(Buffer.from(response.Payload ?? []).toString() || "{}") as {
          errorMessage?: string;
        };
        return { error: payload.errorMessage ?? response.FunctionError };
      },
      (line) => process.stdout.write(`${line}\n`),
    );
    const refused = report.refused.length > 0 ? `, ${report.refused.length} refused (left in the queue)` : "";
    process.stdout.write(
      `${report.replayed} replayed, ${report.stillFailing.length} still failing (left in the queue)${refused}\n`,
    );
    return report.stillFailing.length > 0 || report.refused.length > 0 ? 1 : 0;
  } finally {
    sqs.destroy();
    lambda.destroy();
  }
}

replay().then(
  (code) => process.exit(code),
  (error: Error) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    // An AWS refusal (access denied, no such queue or function, no credentials): its own words suffice.
    const denied = /AccessDenied|not authorized/i.test(`${error.name} ${error.message}`);
    process.stderr.write(
      `Replay stopped: ${error.name}: ${error.message}\n` +
        (denied ? "npm run replay-dead-letters -- --help lists the permissions it needs.\n" : ""),
    );
    process.exit(1);
  },
);
