/** A dead letter as Lambda's on-failure destination writes it: the event and why it failed. */
export interface DeadLetterRecord {
  requestContext?: { condition?: string; approximateInvokeCount?: number };
  requestPayload?: unknown;
  responsePayload?: { errorType?: string; errorMessage?: string };
}

export interface DeadLetter {
  body: string;
  /** Removes the message from the queue. */
  remove(): Promise<void>;
}

export interface DeadLetterQueue {
  /** The next batch of dead letters; empty when the queue has none left. */
  receive(): Promise<DeadLetter[]>;
}

/** Runs the notifier on an event; resolves with the function's error, if it failed. */
export type InvokeNotifier = (event: unknown) => Promise<{ error?: string }>;

export interface ReplayReport {
  replayed: number;
  stillFailing: { reason: string; error: string }[];
}

function describe(record: DeadLetterRecord): string {
  const condition = record.requestContext?.condition ?? "unknown condition";
  const error = record.responsePayload?.errorMessage ?? "no error message";
  return `${condition}: ${error}`;
}

/**
 * Replays the dead-letter queue through the notifier once the receivers are fixed. Receivers that had got
 * an event are skipped by the notifier's delivery records, so a replay sends each notice at most once.
 * A message is removed only when its replay succeeds; failures stay queued for the next replay.
 */
export async function replayDeadLetters(
  queue: DeadLetterQueue,
  invoke: InvokeNotifier,
  log: (line: string) => void,
): Promise<ReplayReport> {
  const report: ReplayReport = { replayed: 0, stillFailing: [] };
  for (let batch = await queue.receive(); batch.length > 0; batch = await queue.receive()) {
    for (const message of batch) {
      const record = JSON.parse(message.body) as DeadLetterRecord;
      const reason = describe(record);
      if (record.requestPayload === undefined) {
        report.stillFailing.push({ reason, error: "the dead letter holds no event" });
        continue;
      }
      const { error } = await invoke(record.requestPayload);
      if (error === undefined) {
        await message.remove();
        report.replayed += 1;
        log(`replayed (${reason})`);
      } else {
        report.stillFailing.push({ reason, error });
        log(`still failing: ${error}`);
      }
    }
  }
  return report;
}
