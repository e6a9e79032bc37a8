import type { AdmittedEvent } from "./admitEvent";
import type { NotifierLog } from "./notifierLog";
import type { NotifierResult, ReceiverOutcome } from "./receiverOutcome";

export interface ReportDependencies {
  log: NotifierLog;
  /** Told every event's outcomes, whether the invocation then succeeds or fails (for metrics). */
  report?: (result: NotifierResult) => void;
}

/**
 * Reports the event's outcomes: a log line per receiver, the outcomes to `report` (for metrics), and,
 * when a receiver was left undelivered, an error naming each such receiver and why, which fails the
 * invocation so Lambda retries it (and keeps it as a dead letter in the end).
 */
export function reportOutcomes(
  { project, status, eventId }: AdmittedEvent,
  outcomes: ReceiverOutcome[],
  { log, report }: ReportDependencies,
): NotifierResult {
  for (const outcome of outcomes) {
    const fields = { project, status, eventId, ...outcome };
    if (outcome.alreadyDelivered) log.info("Already delivered by an earlier invocation", fields);
    else if (outcome.skipped) log.info("Nothing to send", fields);
    else if (outcome.delivered) log.info("Delivered", fields);
    else log.error("Not delivered", fields);
  }
  report?.({ project, status, eventId, outcomes });
  const undelivered = outcomes.filter((outcome) => !outcome.delivered && !outcome.skipped);
  if (undelivered.length > 0) {
    throw new Error(
      `${undelivered.length} of ${outcomes.length} receivers not delivered: ` +
        undelivered.map((outcome) => `${outcome.receiver} (${whyUndelivered(outcome)})`).join("; "),
    );
  }
  return { project, status, eventId, outcomes };
}

/** Why a receiver was not delivered, as the error (and so the dead letter) says. */
function whyUndelivered(outcome: ReceiverOutcome): string {
  if (outcome.reason) return outcome.reason;
  if (outcome.statusCode !== undefined) {
    return `answered ${outcome.statusCode}${outcome.responseBody ? `: ${outcome.responseBody}` : ""}`;
  }
  return `no answer: ${outcome.errorCode ?? "unknown error"}`;
}
