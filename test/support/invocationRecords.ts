import type { InvocationRecord } from "../../loadtest/asyncLambda";

/**
 * A hand-built record of one run of the function on an event, for the streak run's models: the first
 * invocation, from `startedAt` to `endedAt`, ended well with every record written, unless `extra` says
 * otherwise.
 */
export function invocationRecord(
  eventId: string,
  startedAt: number,
  endedAt: number,
  extra: Partial<InvocationRecord> = {},
): InvocationRecord {
  return {
    eventId,
    attempt: 0,
    twin: false,
    container: 0,
    startedAt,
    endedAt,
    ok: true,
    killed: false,
    unrecorded: { deliveries: [], streaks: [] },
    ...extra,
  };
}
