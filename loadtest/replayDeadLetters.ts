import { spawn } from "node:child_process";
import { startLambdaEndpoint, startSqsEndpoint, type VisibilityQueue } from "../local/deadLetterEndpoints";
import { PROJECT_ROOT } from "../local/stackConfig";
import type { AsyncLambda } from "./asyncLambda";

/** What `npm run replay-dead-letters` did. */
export interface ReplayRun {
  exitCode: number | null;
  /** Its output: a line per dead letter and a count. */
  stdout: string;
  stderr: string;
}

/** Waits as long as `ms`. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Replays the dead letters as an operator does, later: once the lease of the last invocation (of
 * functions whose timeout is `timeoutMs`) has run out.
 */
export async function replayOnceLeasesEnd(
  queue: VisibilityQueue,
  lambda: AsyncLambda,
  timeoutMs: number,
  progress: (line: string) => void,
): Promise<ReplayRun> {
  const lastStart = Math.max(0, ...lambda.invocations.map((invocation) => invocation.startedAt));
  await sleep(Math.max(0, lastStart + timeoutMs - Date.now()));
  progress(`Replaying ${queue.size} dead letters with npm run replay-dead-letters`);
  return replayDeadLetters(queue, lambda);
}

const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/codebuild-webhooks-dead-letters";
const FUNCTION_NAME = "codebuild-webhooks-notifier";

/**
 * Replays the dead-letter queue as a user does, with `npm run replay-dead-letters`: its SQS client reads
 * the local queue and its Lambda client invokes the notifier's containers, through loopback stand-ins
 * of the SQS and Lambda APIs (AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL_LAMBDA).
 */
export async function replayDeadLetters(queue: VisibilityQueue, lambda: AsyncLambda): Promise<ReplayRun> {
  const sqs = await startSqsEndpoint(queue);
  const invoke = await startLambdaEndpoint((payload) => lambda.invoke(payload));
  try {
    const env = {
      ...process.env,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_ENDPOINT_URL: undefined,
      AWS_ENDPOINT_URL_SQS: sqs.url,
      AWS_ENDPOINT_URL_LAMBDA: invoke.url,
    };
    const child = spawn(
      "npm",
      ["run", "--silent", "replay-dead-letters", "--", "--queue-url", QUEUE_URL, "--function", FUNCTION_NAME],
      { cwd: PROJECT_ROOT, env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", resolve);
    });
    return { exitCode, stdout, stderr };
  } finally {
    await Promise.all([sqs.close(), invoke.close()]);
  }
}
