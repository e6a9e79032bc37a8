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
