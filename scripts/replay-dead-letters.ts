// `npm run replay-dead-letters -- --queue-url URL --function NAME`: replays the notifier's dead letters
// (events whose receivers stayed undelivered after Lambda's retries) once the receivers are fixed.
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { parseArgs } from "node:util";
import { replayDeadLetters } from "../src/replayDeadLetters";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { "queue-url": { type: "string" }, function: { type: "string" } },
  });
  const queueUrl = values["queue-url"];
  const functionName = values.function;
  if (!queueUrl || !functionName) {
    throw new Error(
      'Usage: npm run replay-dead-letters -- --queue-url "$(pulumi stack output deadLetterQueueUrl)" --function "$(pulumi stack output functionName)"',
    );
  }
  const sqs = new SQSClient({});
  const lambda = new LambdaClient({});
  // Messages replayed in this run stay invisible for its length, so a failing one is not read twice.
  const visibilityTimeoutSeconds = 15 * 60;
  const report = await replayDeadLetters(
    {
      receive: async () => {
        const received = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            VisibilityTimeout: visibilityTimeoutSeconds,
          }),
        );
        return (received.Messages ?? []).map((message) => ({
          body: message.Body ?? "{}",
          remove: async () => {
            await sqs.send(
              new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
            );
          },
        }));
      },
    },
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
    (line) => console.log(line),
  );
  console.log(`${report.replayed} replayed, ${report.stillFailing.length} still failing (left in the queue)`);
  if (report.stillFailing.length > 0) process.exitCode = 1;
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exitCode = 2;
});
