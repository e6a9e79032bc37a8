/** What happened to one receiver of an event. */
export interface ReceiverOutcome {
  receiver: string;
  delivered: boolean;
  /** Set when an earlier invocation of the same event had delivered it: nothing was sent this time. */
  alreadyDelivered?: boolean;
  /** Why nothing was sent to a receiver with actions, although nothing failed. */
  skipped?: string;
  /** The transition whose action was sent (receivers with actions per transition). */
  transition?: string;
  /** The request sent to a per-build receiver: `post` (the build's message) or `update`. */
  action?: string;
  statusCode?: number;
  /** The start of a refusing receiver's answer (its error text), control characters removed. */
  responseBody?: string;
  errorCode?: string;
  reason?: string;
  attempts: number;
  durationMs: number;
}

/** What the notifier made of one event: every receiver's outcome. */
export interface NotifierResult {
  project: string;
  status: string;
  eventId: string;
  outcomes: ReceiverOutcome[];
}
