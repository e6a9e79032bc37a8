import { randomBytes, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import { findJsonSyntaxError } from "../src/receivers/jsonSyntaxError";
import type { BuildPhase, BuildStateChangeEvent } from "../src/notifier/buildEvent";
import { BUILD_STATUSES, type BuildStatus } from "../src/shared/buildStatuses";
import { LocalRunInputError } from "./localRunInputError";
import { ACCOUNT, REGION } from "./mockedAccount";

/** The project of the events for a receiver that names no project, only every project (`*`). */
export const SAMPLE_PROJECT = "my-app";

/** A build's phases and how long each took, in the order CodeBuild runs them. */
const PHASE_SECONDS: [string, number][] = [
  ["SUBMITTED", 0],
  ["QUEUED", 1],
  ["PROVISIONING", 31],
  ["DOWNLOAD_SOURCE", 4],
  ["INSTALL", 37],
  ["PRE_BUILD", 1],
  ["BUILD", 87],
  ["POST_BUILD", 0],
  ["UPLOAD_ARTIFACTS", 4],
  ["FINALIZING", 4],
];

/** Each finished status is a build of its own, numbered as consecutive builds of one project are. */
const BUILD_NUMBERS: Record<Exclude<BuildStatus, "IN_PROGRESS">, number> = {
  SUCCEEDED: 42,
  FAILED: 43,
  STOPPED: 44,
  FAULT: 45,
  TIMED_OUT: 46,
};

const BUILD_FAILURE =
  "COMMAND_EXECUTION_ERROR: Error while executing command: npm test. Reason: exit status 1";
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The console-style UTC time CodeBuild writes in phases, e.g. `May 14, 2024 9:17:58 AM`. */
export function consoleTime(date: Date): string {
  const hours = date.getUTCHours();
  const pad = (value: number): string => String(value).padStart(2, "0");
  return (
    `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}, ${date.getUTCFullYear()} ` +
    `${hours % 12 || 12}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${hours < 12 ? "AM" : "PM"}`
  );
}

/** The phases of a finished build: a failed build still runs POST_BUILD, a stopped one skips to FINALIZING. */
function finishedPhases(status: Exclude<BuildStatus, "IN_PROGRESS">, startedAt: Date): BuildPhase[] {
  const phases: BuildPhase[] = [];
  let at = startedAt.getTime();
  for (const [type, seconds] of PHASE_SECONDS) {
    if (status === "STOPPED" && (type === "POST_BUILD" || type === "UPLOAD_ARTIFACTS")) continue;
    const ended = at + seconds * 1000;
    const outcome = type === "BUILD" && status !== "SUCCEEDED" ? status : "SUCCEEDED";
    phases.push({
      "phase-context":
        type === "SUBMITTED" || type === "QUEUED" ? [] : [outcome === "FAILED" ? BUILD_FAILURE : ": "],
      "start-time": consoleTime(new Date(at)),
      "end-time": consoleTime(new Date(ended)),
      "duration-in-seconds": seconds,
      "phase-type": type,
      "phase-status": outcome,
    });
    at = ended;
  }
  phases.push({ "start-time": consoleTime(new Date(at)), "phase-type": "COMPLETED" });
  return phases;
}

/**
 * A "Build State Change" event as CodeBuild sends it for a build of `project` reaching `status`, with
 * the details CodeBuild includes at that status (an IN_PROGRESS event has no phases, build number or
 * log stream yet), happening now. A finished build is numbered as its status's in a run of one build per
 * status, unless `buildNumber` says otherwise; `buildUuid` names the build (a new one by default).
 */
export function sampleBuildEvent(
  project: string,
  status: BuildStatus,
  now = new Date(),
  buildNumber?: number,
  buildUuid: string = randomUUID(),
): BuildStateChangeEvent {
  const buildArn = `arn:aws:codebuild:${REGION}:${ACCOUNT}:build/${project}:${buildUuid}`;
  const runSeconds = PHASE_SECONDS.reduce((sum, [, seconds]) => sum + seconds, 0);
  const startedAt = status === "IN_PROGRESS" ? now : new Date(now.getTime() - (runSeconds + 2) * 1000);
  const logGroup = `/aws/codebuild/${project}`;
  const finished = status !== "IN_PROGRESS";
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "CodeBuild Build State Change",
    source: "aws.codebuild",
    account: ACCOUNT,
    time: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: REGION,
    resources: [buildArn],
    detail: {
      "build-status": status,
      "project-name": project,
      "build-id": buildArn,
      "additional-information": {
        ...(finished ? { "build-number": buildNumber ?? BUILD_NUMBERS[status] } : {}),
        "timeout-in-minutes": 60,
        "build-complete": finished,
        initiator: "GitHub-Hookshot/4c1f7a9",
        "build-start-time": consoleTime(startedAt),
        source: { location: `https://github.com/example-org/${project}.git`, type: "GITHUB" },
        "source-version": randomBytes(20).toString("hex"),
        artifact: {
          location:
            status === "SUCCEEDED" || status === "FAILED"
              ? `arn:aws:s3:::${project}-artifacts-${ACCOUNT}/${project}/build.zip`
              : "",
        },
        environment: {
          image: "aws/codebuild/standard:7.0",
          "privileged-mode": false,
          "image-pull-credentials-type": "CODEBUILD",
          "compute-type": "BUILD_GENERAL1_SMALL",
          type: "LINUX_CONTAINER",
          "environment-variables": [
            { name: "DEPLOY_ENV", type: "PLAINTEXT", value: "staging" },
            { name: "NPM_TOKEN", type: "PARAMETER_STORE", value: `/${project}/npm-token` },
          ],
        },
        logs: finished
          ? {
              "group-name": logGroup,
              "stream-name": buildUuid,
              "deep-link":
                `https://console.aws.amazon.com/cloudwatch/home?region=${REGION}` +
                `#logEvent:group=${logGroup};stream=${buildUuid}`,
            }
          : {
              "deep-link": `https://console.aws.amazon.com/cloudwatch/home?region=${REGION}#logEvent:group=null;stream=null`,
            },
        ...(finished ? { phases: finishedPhases(status, startedAt) } : {}),
        "queued-timeout-in-minutes": 480,
      },
      "current-phase": finished ? "COMPLETED" : "SUBMITTED",
      "current-phase-context": finished ? "[: ]" : "[]",
      version: "1",
    },
  };
}

/**
 * A project's builds through one failure streak, in build-number order: a build starts, one succeeds,
 * two fail, one succeeds again, one is stopped. Told to the notifier in this order, they make no
 * transition, then broken, still-failing, fixed, and none (a stopped build changes nothing).
 */
export function failureStreakEvents(project: string, now = new Date()): BuildStateChangeEvent[] {
  const streak: [BuildStatus, number | undefined][] = [
    ["IN_PROGRESS", undefined],
    ["SUCCEEDED", 42],
    ["FAILED", 43],
    ["FAILED", 44],
    ["SUCCEEDED", 45],
    ["STOPPED", 46],
  ];
  // A minute apart, the latest now, as the builds would have ended.
  return streak.map(([status, buildNumber], index) =>
    sampleBuildEvent(
      project,
      status,
      new Date(now.getTime() - (streak.length - 1 - index) * 60_000),
      buildNumber,
    ),
  );
}

/**
 * Builds of a project as a receiver with one message per build hears them: each starts (IN_PROGRESS)
 * and ends, one SUCCEEDED, one FAILED, one STOPPED, a minute apart, the latest now. Each build's first
 * event posts its message, and its final status updates that message.
 */
export function perBuildEvents(project: string, now = new Date()): BuildStateChangeEvent[] {
  const finals: [BuildStatus, number][] = [
    ["SUCCEEDED", 42],
    ["FAILED", 43],
    ["STOPPED", 44],
  ];
  return finals.flatMap(([status, buildNumber], index) => {
    const endedAt = new Date(now.getTime() - (finals.length - 1 - index) * 60_000);
    const buildUuid = randomUUID();
    return [
      sampleBuildEvent(project, "IN_PROGRESS", new Date(endedAt.getTime() - 30_000), undefined, buildUuid),
      sampleBuildEvent(project, status, endedAt, buildNumber, buildUuid),
    ];
  });
}

/** Reads a captured event (the whole EventBridge event, as the notifier receives it). */
export function readBuildEventFile(file: string): BuildStateChangeEvent {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new LocalRunInputError(
      `${file}: cannot read the event file (${(error as NodeJS.ErrnoException).code})`,
    );
  }
  const syntaxError = findJsonSyntaxError(text);
  if (syntaxError) {
    throw new LocalRunInputError(
      `${file} (line ${syntaxError.line}, column ${syntaxError.column}): not valid JSON: ${syntaxError.problem}`,
    );
  }
  const event: unknown = JSON.parse(text);
  const expected =
    'expected a CodeBuild "Build State Change" event as EventBridge delivers it, with detail.project-name ' +
    "and detail.build-status";
  if (typeof event !== "object" || event === null || Array.isArray(event)) {
    throw new LocalRunInputError(`${file}: ${expected}`);
  }
  const detail = (event as BuildStateChangeEvent).detail;
  for (const field of ["project-name", "build-status"] as const) {
    if (typeof detail?.[field] !== "string") {
      throw new LocalRunInputError(`${file}: detail.${field}: missing; ${expected}`);
    }
  }
  const status = detail?.["build-status"] as string;
  if (!(BUILD_STATUSES as readonly string[]).includes(status)) {
    throw new LocalRunInputError(
      `${file}: detail.build-status: "${status}" is not a build status; CodeBuild sends ${BUILD_STATUSES.join(", ")}`,
    );
  }
  return event as BuildStateChangeEvent;
}
