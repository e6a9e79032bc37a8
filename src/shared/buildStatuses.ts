/** The CodeBuild build statuses a receiver can subscribe to (the event's `detail.build-status`). */
export const BUILD_STATUSES = [
  "IN_PROGRESS",
  "SUCCEEDED",
  "FAILED",
  "FAULT",
  "TIMED_OUT",
  "STOPPED",
] as const;
export type BuildStatus = (typeof BUILD_STATUSES)[number];

/** The statuses a build ends with; `onlyOnChange` compares these. */
export const FINAL_BUILD_STATUSES: readonly BuildStatus[] = [
  "SUCCEEDED",
  "FAILED",
  "FAULT",
  "TIMED_OUT",
  "STOPPED",
];

/**
 * The changes of a project's build health a receiver can act on: a failure after a success (or none),
 * a failure after a failure, a success after a failure.
 */
export const TRANSITIONS = ["broken", "still-failing", "fixed"] as const;
export type Transition = (typeof TRANSITIONS)[number];
