/**
 * The EventBridge "CodeBuild Build State Change" event the notifier receives.
 *
 * Every field is optional: CodeBuild omits much of `additional-information` on IN_PROGRESS events (no
 * phases, no build number, no log group yet), and the notifier must still render a body for them.
 */
export interface BuildStateChangeEvent {
  version?: string;
  id?: string;
  "detail-type"?: string;
  source?: string;
  account?: string;
  /** ISO 8601, e.g. `2024-05-14T09:21:47Z`. */
  time?: string;
  region?: string;
  /** The build ARN. */
  resources?: string[];
  detail?: BuildStateChangeDetail;
}

export interface BuildStateChangeDetail {
  /** IN_PROGRESS, SUCCEEDED, FAILED or STOPPED. */
  "build-status"?: string;
  "project-name"?: string;
  /** The build ARN: `arn:aws:codebuild:<region>:<account>:build/<project>:<build-uuid>`. */
  "build-id"?: string;
  "additional-information"?: BuildAdditionalInformation;
  "current-phase"?: string;
  /** The current phase's context as one string, e.g. `[: ]`. */
  "current-phase-context"?: string;
  version?: string;
}

export interface BuildAdditionalInformation {
  artifact?: { location?: string; md5sum?: string; sha256sum?: string };
  environment?: BuildEnvironment;
  "timeout-in-minutes"?: number;
  "queued-timeout-in-minutes"?: number;
  "build-complete"?: boolean;
  /** Who started the build: an IAM user or role session, `GitHub-Hookshot/<id>`, `codepipeline/<name>`. */
  initiator?: string;
  /** Console-style local time, e.g. `May 14, 2024 9:18:02 AM`. */
  "build-start-time"?: string;
  source?: { location?: string; type?: string; buildspec?: string };
  /** Commit, branch or pull-request reference the build ran on. */
  "source-version"?: string;
  /** Group and stream are null (or absent) until the build has logs. */
  logs?: { "group-name"?: string | null; "stream-name"?: string | null; "deep-link"?: string };
  phases?: BuildPhase[];
  "build-number"?: number;
}

export interface BuildEnvironment {
  image?: string;
  "privileged-mode"?: boolean;
  "compute-type"?: string;
  type?: string;
  "image-pull-credentials-type"?: string;
  "environment-variables"?: BuildEnvironmentVariable[];
}

/** For PARAMETER_STORE and SECRETS_MANAGER variables `value` is the parameter's name, not its value. */
export interface BuildEnvironmentVariable {
  name?: string;
  type?: string;
  value?: string;
}

export interface BuildPhase {
  "phase-type"?: string;
  /** Absent on the phase still running, including the final COMPLETED phase. */
  "phase-status"?: string;
  /** `STATUS_CODE: message` entries; succeeded phases usually carry a single `: `. */
  "phase-context"?: string[];
  "start-time"?: string;
  "end-time"?: string;
  "duration-in-seconds"?: number;
}
