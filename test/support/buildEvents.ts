import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
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
 * Each call is a new event with its own id, as EventBridge assigns; resend the same object to replay one.
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

/** The final event of build number `buildNumber` of `project`, with the build ARN that number gives it. */
export function numberedBuild(project: string, buildNumber: number, status: string): BuildStateChangeEvent {
  const event = buildEvent(status, project);
  const buildId = `arn:aws:codebuild:us-east-1:123456789012:build/${project}:00000000-0000-0000-0000-${String(buildNumber).padStart(12, "0")}`;
  if (event.detail) {
    event.detail["build-id"] = buildId;
    const information = event.detail["additional-information"];
    if (information) information["build-number"] = buildNumber;
  }
  return event;
}
