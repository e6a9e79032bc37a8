import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { consoleTime } from "../../local/localRunEvents";
import type { BuildStateChangeEvent } from "../../src/notifier/buildEvent";

const FIXTURES = path.join(__dirname, "..", "fixtures", "build-events");
const FILES: Record<string, string> = {
  IN_PROGRESS: "in-progress.json",
  SUCCEEDED: "succeeded.json",
  FAILED: "failed.json",
  STOPPED: "stopped.json",
};

/**
 * A realistic CodeBuild event of the given status, for `project`, with extra build environment variables.
 * Each call is a new event with its own id and time, as EventBridge assigns; resend the same object to
 * replay one.
 */
export function buildEvent(
  status: string,
  project = "my-app",
  environmentVariables: { name: string; value: string }[] = [],
): BuildStateChangeEvent {
  const event = JSON.parse(
    fs.readFileSync(path.join(FIXTURES, FILES[status]), "utf8"),
  ) as BuildStateChangeEvent;
  event.id = randomUUID();
  event.time = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const detail = event.detail ?? {};
  detail["project-name"] = project;
  const environment = detail["additional-information"]?.environment;
  if (environment) {
    environment["environment-variables"] = [
      ...(environment["environment-variables"] ?? []),
      ...environmentVariables.map((variable) => ({ ...variable, type: "PLAINTEXT" })),
    ];
  }
  return event;
}

/** When the first build of a project in these specs starts; each next number starts a minute later. */
const FIRST_BUILD_STARTS = Date.UTC(2024, 4, 14, 9);

/**
 * The final event of build number `buildNumber` of `project`, with the build ARN that number and its
 * start give it, started as CodeBuild numbers builds: in number order, a minute apart, or at `startedAt`.
 */
export function numberedBuild(
  project: string,
  buildNumber: number,
  status: string,
  startedAt = new Date(FIRST_BUILD_STARTS + buildNumber * 60_000),
): BuildStateChangeEvent {
  const event = buildEvent(status, project);
  // Build ids are unique: a project created again under its name numbers its builds afresh, not its ids.
  const minutes = Math.floor(startedAt.getTime() / 60_000) % 0x100000000;
  const buildId = `arn:aws:codebuild:us-east-1:123456789012:build/${project}:${minutes.toString(16).padStart(8, "0")}-0000-0000-0000-${String(buildNumber).padStart(12, "0")}`;
  if (event.detail) {
    event.detail["build-id"] = buildId;
    const information = event.detail["additional-information"];
    if (information) {
      information["build-number"] = buildNumber;
      information["build-start-time"] = consoleTime(startedAt);
    }
  }
  return event;
}
