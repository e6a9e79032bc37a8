/**
 * The final statuses of a build that failed: `FAILED` (its commands failed), `FAULT` (CodeBuild itself
 * failed) and `TIMED_OUT` (it ran past its timeout). Each counts as a failure of the project's build
 * health, and a registration for `FAILED` hears of each.
 */
export const FAILURE_STATUSES: readonly string[] = ["FAILED", "FAULT", "TIMED_OUT"];

export function isFailure(status: string): boolean {
  return FAILURE_STATUSES.includes(status);
}

/**
 * Whether a registration's `statuses` take a build of `status`: a status it lists, or any failure when
 * it lists `FAILED`. One that lists `TIMED_OUT` or `FAULT` alone hears of that status only.
 */
export function hearsStatus(statuses: readonly string[], status: string): boolean {
  return statuses.includes(status) || (isFailure(status) && statuses.includes("FAILED"));
}
