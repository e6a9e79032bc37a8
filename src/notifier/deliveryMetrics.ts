import type { NotifierLog } from "./notifierLog";
import type { NotifierResult, ReceiverOutcome } from "./receiverOutcome";
import { isReceiverParameter, receiverName } from "./registryEntries";

/** The environment variable Powertools reads the namespace from. */
export const METRICS_NAMESPACE_VARIABLE = "POWERTOOLS_METRICS_NAMESPACE";
/** The namespace when the environment names none (the stack always does: `metricsNamespace`). */
export const DEFAULT_METRICS_NAMESPACE = "CodeBuildWebhooks";
/** The one dimension of every delivery metric: the receiver's name. */
export const RECEIVER_DIMENSION = "Receiver";
/** The delivery metrics, by what they count. */
export const DELIVERY_METRICS = {
  delivered: "Delivered",
  failed: "Failed",
  attempts: "Attempts",
  latency: "DeliveryLatency",
} as const;
/**
 * The dimension of a refused registry item whose `hook_url_param_name` is no receiver's parameter name
 * under the stack's path: what it holds may be a URL someone pasted there, which must not become a metric.
 */
const UNNAMED_RECEIVER = "(invalid hook_url_param_name)";

/** What one event's outcomes add to a receiver's metrics. */
interface ReceiverCounts {
  receiver: string;
  delivered: number;
  failed: number;
  attempts: number;
  /** From the first attempt to the final answer, one value per outcome that made an attempt. */
  latenciesMs: number[];
}

/** The part of Powertools' `Metrics` the notifier writes with. */
interface MetricsWriter {
  clearDefaultDimensions(): void;
  addDimension(name: string, value: string): unknown;
  addMetric(name: string, unit: "Count" | "Milliseconds", value: number): unknown;
  publishStoredMetrics(): unknown;
}

/** The metric dimension of a receiver: its name, as logs call it, when its parameter name is one. */
function receiverDimension(urlParameter: string, parameterPath: string): string {
  return isReceiverParameter(urlParameter, parameterPath)
    ? receiverName(urlParameter, parameterPath)
    : UNNAMED_RECEIVER;
}

/**
 * What an event's outcomes count, per receiver. A receiver delivered by an earlier invocation of the
 * event, or with nothing to send, counts as neither delivered nor failed; one left without an attempt
 * (a refused registry item, an unreadable parameter) counts as failed, with no latency.
 */
function countsByReceiver(
  outcomes: readonly ReceiverOutcome[],
  dimensionOf: (urlParameter: string) => string,
): ReceiverCounts[] {
  const counts = new Map<string, ReceiverCounts>();
  for (const outcome of outcomes) {
    if (outcome.alreadyDelivered || outcome.skipped) continue;
    const receiver = dimensionOf(outcome.receiver);
    const entry = counts.get(receiver) ?? { receiver, delivered: 0, failed: 0, attempts: 0, latenciesMs: [] };
    if (outcome.delivered) entry.delivered += 1;
    else entry.failed += 1;
    entry.attempts += outcome.attempts;
    if (outcome.attempts > 0) entry.latenciesMs.push(outcome.durationMs);
    counts.set(receiver, entry);
  }
  return [...counts.values()];
}

/**
 * The notifier's `report`: writes each event's delivery metrics in CloudWatch's embedded metric format
 * to stdout, where Lambda's logs carry them to CloudWatch. An EMF line has one set of dimensions, so each
 * receiver gets a line of its own; all of an invocation's lines are written together, once its outcomes
 * are known. `createWriter` (Powertools' `Metrics`) is called when the first event with something to
 * count comes, not at cold start. Metrics never fail an invocation: a problem writing them is logged.
 */
export function createDeliveryMetrics(options: {
  parameterPath: string;
  createWriter: () => MetricsWriter;
  log: NotifierLog;
}): (result: NotifierResult) => void {
  let writer: MetricsWriter | undefined;
  // A receiver's dimension is the same for every event: worked out once per container.
  const dimensions = new Map<string, string>();
  const dimensionOf = (urlParameter: string): string => {
    let dimension = dimensions.get(urlParameter);
    if (dimension === undefined) {
      dimension = receiverDimension(urlParameter, options.parameterPath);
      dimensions.set(urlParameter, dimension);
    }
    return dimension;
  };
  return (result) => {
    const counts = countsByReceiver(result.outcomes, dimensionOf);
    if (counts.length === 0) return;
    try {
      if (!writer) {
        writer = options.createWriter();
        // Powertools adds a `service` dimension by default; the receiver is the only one here.
        writer.clearDefaultDimensions();
      }
      // One write for all of the event's lines rather than one per receiver: standard output is a pipe on
      // Lambda, and each write a system call. Every line is still a line of its own.
      process.stdout.cork();
      for (const { receiver, delivered, failed, attempts, latenciesMs } of counts) {
        writer.addDimension(RECEIVER_DIMENSION, receiver);
        writer.addMetric(DELIVERY_METRICS.delivered, "Count", delivered);
        writer.addMetric(DELIVERY_METRICS.failed, "Count", failed);
        writer.addMetric(DELIVERY_METRICS.attempts, "Count", attempts);
        for (const latencyMs of latenciesMs)
          writer.addMetric(DELIVERY_METRICS.latency, "Milliseconds", latencyMs);
        writer.publishStoredMetrics();
      }
    } catch (error) {
      // A writer left half-way would carry this event's values into the next line: start afresh.
      writer = undefined;
      options.log.warn("Delivery metrics not written", {
        eventId: result.eventId,
        errorCode: (error as Error).name,
        reason: (error as Error).message,
      });
    } finally {
      process.stdout.uncork();
    }
  };
}
