import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { BuildEnvironmentVariable, BuildPhase, BuildStateChangeEvent } from "../src/notifier/buildEvent";
import { buildEventValues } from "../src/notifier/buildEventValues";
import { DEFAULT_TEMPLATE, renderTemplate } from "../src/notifier/renderTemplate";

function fixture(name: string): BuildStateChangeEvent {
  return JSON.parse(readFileSync(path.join(__dirname, "fixtures", "build-events", `${name}.json`), "utf8"));
}

function withPhases(event: BuildStateChangeEvent, phases: BuildPhase[]): BuildStateChangeEvent {
  const information = event.detail?.["additional-information"];
  return { ...event, detail: { ...event.detail, "additional-information": { ...information, phases } } };
}

function withVariables(
  event: BuildStateChangeEvent,
  variables: BuildEnvironmentVariable[],
): BuildStateChangeEvent {
  const information = event.detail?.["additional-information"];
  const environment = { ...information?.environment, "environment-variables": variables };
  return { ...event, detail: { ...event.detail, "additional-information": { ...information, environment } } };
}

const BUILD_42_ARN =
  "arn:aws:codebuild:us-east-1:123456789012:build/my-app:5f6d2b1e-8c3a-4e7f-9b21-0d4c6a8e3f17";
const BUILD_42_URL =
  "https://us-east-1.console.aws.amazon.com/codesuite/codebuild/123456789012/projects/my-app/build/" +
  "my-app%3A5f6d2b1e-8c3a-4e7f-9b21-0d4c6a8e3f17/?region=us-east-1";
const BUILD_42_LOGS_URL =
  "https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEvent:group=/aws/codebuild/my-app;" +
  "stream=5f6d2b1e-8c3a-4e7f-9b21-0d4c6a8e3f17";
const ENVIRONMENT_VARIABLES = { DEPLOY_ENV: "staging", NPM_TOKEN: "/my-app/npm-token" };
const GITHUB_BUILD = {
  INITIATOR: "GitHub-Hookshot/4c1f7a9",
  SOURCE_LOCATION: "https://github.com/example-org/my-app.git",
  REGION: "us-east-1",
  ACCOUNT: "123456789012",
};

const EMPTY_BUILT_INS = {
  PROJECT: "",
  STATUS: "",
  STATUS_EMOJI: "",
  BUILD_ID: "",
  BUILD_NUMBER: "",
  BUILD_URL: "",
  LOGS_URL: "",
  INITIATOR: "",
  SOURCE_VERSION: "",
  SOURCE_LOCATION: "",
  FAILED_PHASE: "",
  FAILED_PHASE_CONTEXT: "",
  REGION: "",
  ACCOUNT: "",
  TIME: "",
  EVENT_ID: "",
};

describe("buildEventValues", () => {
  it("gives an IN_PROGRESS build what its event already knows, and no link to logs it does not have yet", () => {
    assert.deepEqual(buildEventValues(fixture("in-progress")), {
      ...ENVIRONMENT_VARIABLES,
      ...GITHUB_BUILD,
      PROJECT: "my-app",
      STATUS: "IN_PROGRESS",
      STATUS_EMOJI: "⏳",
      BUILD_ID: BUILD_42_ARN,
      BUILD_NUMBER: "",
      BUILD_URL: BUILD_42_URL,
      // CodeBuild links to "group=null;stream=null" until the build has logs.
      LOGS_URL: "",
      SOURCE_VERSION: "9f2c4e7a1b3d5f60817263a4b5c6d7e8f9012345",
      FAILED_PHASE: "",
      FAILED_PHASE_CONTEXT: "",
      TIME: "2024-05-14T09:17:59Z",
      EVENT_ID: "3b7e0c52-1f9d-8a64-2c7b-e05d9a1f6c38",
    });
  });

  it("gives a SUCCEEDED build its number, console and log links, and no failed phase", () => {
    assert.deepEqual(buildEventValues(fixture("succeeded")), {
      ...ENVIRONMENT_VARIABLES,
      ...GITHUB_BUILD,
      PROJECT: "my-app",
      STATUS: "SUCCEEDED",
      STATUS_EMOJI: "✅",
      BUILD_ID: BUILD_42_ARN,
      BUILD_NUMBER: "42",
      BUILD_URL: BUILD_42_URL,
      LOGS_URL: BUILD_42_LOGS_URL,
      SOURCE_VERSION: "9f2c4e7a1b3d5f60817263a4b5c6d7e8f9012345",
      FAILED_PHASE: "",
      FAILED_PHASE_CONTEXT: "",
      TIME: "2024-05-14T09:21:47Z",
      EVENT_ID: "c81d4f26-90ab-3e57-6d12-8fa4b0e7c593",
    });
  });

  it("names the phase a FAILED build failed in, with its error", () => {
    assert.deepEqual(buildEventValues(fixture("failed")), {
      ...ENVIRONMENT_VARIABLES,
      ...GITHUB_BUILD,
      PROJECT: "my-app",
      STATUS: "FAILED",
      STATUS_EMOJI: "❌",
      BUILD_ID: "arn:aws:codebuild:us-east-1:123456789012:build/my-app:a3c91f04-27be-4d58-8e6a-b1f2c7d90e45",
      BUILD_NUMBER: "43",
      BUILD_URL:
        "https://us-east-1.console.aws.amazon.com/codesuite/codebuild/123456789012/projects/my-app/build/" +
        "my-app%3Aa3c91f04-27be-4d58-8e6a-b1f2c7d90e45/?region=us-east-1",
      LOGS_URL:
        "https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEvent:group=/aws/codebuild/my-app;" +
        "stream=a3c91f04-27be-4d58-8e6a-b1f2c7d90e45",
      SOURCE_VERSION: "pr/17",
      FAILED_PHASE: "BUILD",
      FAILED_PHASE_CONTEXT:
        "COMMAND_EXECUTION_ERROR: Error while executing command: npm test. Reason: exit status 1",
      TIME: "2024-05-14T10:06:12Z",
      EVENT_ID: "7e2a9d10-4c85-f3b6-0a19-d6c3e8f2b471",
    });
  });

  it("names the phase a STOPPED build stopped in, without CodeBuild's empty context", () => {
    assert.deepEqual(buildEventValues(fixture("stopped")), {
      ...ENVIRONMENT_VARIABLES,
      ...GITHUB_BUILD,
      PROJECT: "my-app",
      STATUS: "STOPPED",
      STATUS_EMOJI: "⏹️",
      BUILD_ID: "arn:aws:codebuild:us-east-1:123456789012:build/my-app:e8b4d2a6-5f13-4c09-a7d1-3c6e9b0f2a58",
      BUILD_NUMBER: "44",
      BUILD_URL:
        "https://us-east-1.console.aws.amazon.com/codesuite/codebuild/123456789012/projects/my-app/build/" +
        "my-app%3Ae8b4d2a6-5f13-4c09-a7d1-3c6e9b0f2a58/?region=us-east-1",
      LOGS_URL:
        "https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEvent:group=/aws/codebuild/my-app;" +
        "stream=e8b4d2a6-5f13-4c09-a7d1-3c6e9b0f2a58",
      INITIATOR: "alice",
      SOURCE_VERSION: "refs/heads/main",
      FAILED_PHASE: "BUILD",
      FAILED_PHASE_CONTEXT: "",
      TIME: "2024-05-14T11:42:05Z",
      EVENT_ID: "1f5c8b3e-62d7-a940-b8e1-5a07c4d9f326",
    });
  });

  it("joins the contexts of the first phase that did not succeed, skipping phases without a status", () => {
    const event = withPhases(fixture("failed"), [
      { "phase-type": "SUBMITTED", "phase-status": "SUCCEEDED", "phase-context": [] },
      { "phase-type": "DOWNLOAD_SOURCE" },
      {
        "phase-type": "INSTALL",
        "phase-status": "FAULT",
        "phase-context": ["CLIENT_ERROR: repository not found", ": ", "YAML_FILE_ERROR: bad indentation"],
      },
      {
        "phase-type": "BUILD",
        "phase-status": "FAILED",
        "phase-context": ["COMMAND_EXECUTION_ERROR: exit 1"],
      },
    ]);
    const values = buildEventValues(event);
    assert.equal(values.FAILED_PHASE, "INSTALL");
    assert.equal(
      values.FAILED_PHASE_CONTEXT,
      "CLIENT_ERROR: repository not found; YAML_FILE_ERROR: bad indentation",
    );
  });

  it("does not let a build's environment variables stand in for the notifier's names", () => {
    const event = withVariables(fixture("in-progress"), [
      { name: "STATUS", type: "PLAINTEXT", value: "SUCCEEDED" },
      { name: "PROJECT", type: "PLAINTEXT", value: "someone-else" },
      { name: "BUILD_NUMBER", type: "PLAINTEXT", value: "1000" },
      { name: "RELEASE", type: "PLAINTEXT", value: "2024.05" },
    ]);
    const values = buildEventValues(event);
    assert.equal(values.STATUS, "IN_PROGRESS");
    assert.equal(values.PROJECT, "my-app");
    assert.equal(values.BUILD_NUMBER, "");
    assert.equal(values.RELEASE, "2024.05");
  });

  it("keeps variables named like object members as ordinary values", () => {
    const event = withVariables(fixture("succeeded"), [
      { name: "__proto__", value: "p" },
      { name: "constructor", value: "c" },
      { name: "EMPTY" },
    ]);
    const values = buildEventValues(event);
    const { body, unknownNames } = renderTemplate("$__proto__ ${constructor} [$EMPTY]", values, "text");
    assert.equal(body, "p c []");
    assert.deepEqual(unknownNames, []);
  });

  it("gives empty values, and no console link, for an event that lacks the fields", () => {
    assert.deepEqual(buildEventValues({}), EMPTY_BUILT_INS);
    assert.deepEqual(
      buildEventValues({ detail: { "additional-information": { environment: {} } } }),
      EMPTY_BUILT_INS,
    );
    const withoutRegion = fixture("succeeded");
    delete withoutRegion.region;
    assert.equal(buildEventValues(withoutRegion).BUILD_URL, "");
  });

  it("renders a receiver's template for a failed build", () => {
    const values = buildEventValues(fixture("failed"));
    assert.equal(
      renderTemplate(DEFAULT_TEMPLATE, values, "json").body,
      '{"text": "Build of *my-app* reached status *FAILED*"}',
    );
    const template =
      '{"text": "#$BUILD_NUMBER of $PROJECT ($DEPLOY_ENV) failed in $FAILED_PHASE: $FAILED_PHASE_CONTEXT", "url": "$BUILD_URL"}';
    assert.deepEqual(JSON.parse(renderTemplate(template, values, "json").body), {
      text:
        "#43 of my-app (staging) failed in BUILD: " +
        "COMMAND_EXECUTION_ERROR: Error while executing command: npm test. Reason: exit status 1",
      url:
        "https://us-east-1.console.aws.amazon.com/codesuite/codebuild/123456789012/projects/my-app/build/" +
        "my-app%3Aa3c91f04-27be-4d58-8e6a-b1f2c7d90e45/?region=us-east-1",
    });
  });
});
