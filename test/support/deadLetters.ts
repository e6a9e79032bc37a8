import { VisibilityQueue } from "../../local/deadLetterEndpoints";
import type { LambdaProcess } from "../../local/lambdaProcess";
import { AsyncLambda } from "../../loadtest/asyncLambda";

/**
 * Hands `event` to the notifier as its EventBridge rule does (Lambda's asynchronous invocation, its two
 * retries sped up as in the load run) and answers the dead letter Lambda's on-failure destination wrote
 * once the retries were exhausted, or undefined when an invocation succeeded.
 */
export async function deadLetterOf(
  container: LambdaProcess,
  event: { id?: string },
): Promise<string | undefined> {
  const deadLetters = new VisibilityQueue();
  const lambda = new AsyncLambda([container], { timeoutMs: 6000, deadLetters });
  try {
    const settlement = await lambda.invokeAsync(event).settled;
    return settlement === "dead-lettered" ? deadLetters.bodies[0] : undefined;
  } finally {
    await lambda.close();
  }
}
