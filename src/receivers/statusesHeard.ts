import type { BuildStatus, Transition } from "../shared/buildStatuses";

/** The statuses a receiver with actions hears, and the one each transition falls on. */
export const TRANSITION_STATUSES: readonly BuildStatus[] = ["FAILED", "SUCCEEDED"];
export const TRANSITION_STATUS: Record<Transition, BuildStatus> = {
  broken: "FAILED",
  "still-failing": "FAILED",
  fixed: "SUCCEEDED",
};

/** The statuses of a build that failed; FAILED stands for all three in a receiver's statuses. */
export const FAILURE_STATUSES: readonly BuildStatus[] = ["FAILED", "FAULT", "TIMED_OUT"];

/**
 * The statuses a receiver is told of, in the order it lists them: each it lists, and with FAILED the
 * builds that timed out or faulted, which failed too.
 */
export function statusesHeard(statuses: readonly BuildStatus[]): BuildStatus[] {
  const heard = statuses.flatMap((status) => (status === "FAILED" ? FAILURE_STATUSES : [status]));
  return [...new Set(heard)];
}
