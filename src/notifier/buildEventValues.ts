import type { BuildAdditionalInformation, BuildStateChangeEvent } from "./buildEvent";

/**
 * An emoji per build status, for a chat message that shows a build's status at a glance (one message per
 * build, edited as it goes): plain Unicode, which Slack, Teams and Google Chat all show.
 */
const STATUS_EMOJI: Readonly<Record<string, string>> = {
  IN_PROGRESS: "⏳",
  SUCCEEDED: "✅",
  FAILED: "❌",
  FAULT: "⚠️",
  TIMED_OUT: "⏰",
  STOPPED: "⏹️",
};

/** The build's id (`<project>:<build-uuid>`) is the part of the build ARN after `build/`. */
const BUILD_ARN_ID = /:build\/(.+)$/;

/**
 * The values a body template can refer to: the build's environment variables by name, then the values
 * kept for the receiver (`between`: what it answered earlier in a failure streak), then the notifier's
 * own names over them, so a build can pass off neither its own `$STATUS` nor a remembered value. Fields
 * missing from the event give empty strings.
 */
export function buildEventValues(
  event: BuildStateChangeEvent,
  between: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const information = event.detail?.["additional-information"] ?? {};
  return { ...environmentVariables(information), ...between, ...builtInValues(event, information) };
}

/** The notifier's own names for the event, without the build's variables. */
export function eventValues(event: BuildStateChangeEvent): Record<string, string> {
  return builtInValues(event, event.detail?.["additional-information"] ?? {});
}

function builtInValues(
  event: BuildStateChangeEvent,
  information: BuildAdditionalInformation,
): Record<string, string> {
  const detail = event.detail ?? {};
  // The phase still running (and the final COMPLETED one) has no status yet.
  const failedPhase = information.phases?.find(
    (phase) => phase["phase-status"] && phase["phase-status"] !== "SUCCEEDED",
  );
  const buildNumber = information["build-number"];
  return {
    PROJECT: detail["project-name"] ?? "",
    STATUS: detail["build-status"] ?? "",
    STATUS_EMOJI: STATUS_EMOJI[detail["build-status"] ?? ""] ?? "",
    BUILD_ID: detail["build-id"] ?? "",
    BUILD_NUMBER: Number.isInteger(buildNumber) ? String(buildNumber) : "",
    BUILD_URL: buildConsoleUrl(event),
    LOGS_URL: logsUrl(information),
    INITIATOR: information.initiator ?? "",
    SOURCE_VERSION: information["source-version"] ?? "",
    SOURCE_LOCATION: information.source?.location ?? "",
    FAILED_PHASE: failedPhase?.["phase-type"] ?? "",
    FAILED_PHASE_CONTEXT: phaseContext(failedPhase?.["phase-context"]),
    REGION: event.region ?? "",
    ACCOUNT: event.account ?? "",
    TIME: event.time ?? "",
    EVENT_ID: event.id ?? "",
  };
}

function environmentVariables(information: BuildAdditionalInformation): Record<string, string> {
  const variables = information.environment?.["environment-variables"] ?? [];
  // fromEntries keeps a variable named like an Object.prototype member (`__proto__`) as a plain value.
  return Object.fromEntries(
    variables.flatMap(({ name, value }) => (typeof name === "string" ? [[name, value ?? ""] as const] : [])),
  );
}

/**
 * The build's logs in the CloudWatch console. Until a build has logs, CodeBuild sends no (or null) log
 * group and stream, and a deep link to `group=null;stream=null`, which leads nowhere: then it is empty.
 */
function logsUrl(information: BuildAdditionalInformation): string {
  const logs = information.logs;
  return logs?.["group-name"] && logs["stream-name"] ? (logs["deep-link"] ?? "") : "";
}

/** CodeBuild writes `: ` (no status code, no message) for a phase that has nothing to report. */
function phaseContext(entries: string[] | undefined): string {
  return (entries ?? []).filter((entry) => entry !== ": ").join("; ");
}

/** The build's page in the CodeBuild console, or "" when the event lacks a part of it. */
function buildConsoleUrl(event: BuildStateChangeEvent): string {
  const project = event.detail?.["project-name"];
  const buildId = BUILD_ARN_ID.exec(event.detail?.["build-id"] ?? "")?.[1];
  const { region, account } = event;
  if (!region || !account || !project || !buildId) return "";
  // The region is an AWS region code set by EventBridge, a valid host label as it is.
  return (
    `https://${region}.console.aws.amazon.com/codesuite/codebuild/${encodeURIComponent(account)}` +
    `/projects/${encodeURIComponent(project)}/build/${encodeURIComponent(buildId)}` +
    `/?region=${encodeURIComponent(region)}`
  );
}
