import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { BuildStateChangeEvent } from "../src/notifier/buildEvent";
import { numberedBuild } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import { startReceiver, type Receiver } from "./support/receivers";
import { deployForSuite } from "./support/suiteNotifier";

/**
 * The final event of build `buildNumber` of `project`, ending with `status`. CodeBuild ends a build
 * TIMED_OUT or FAULT as it ends one FAILED, with that status on the build and on the phase it ended in.
 */
function ended(project: string, buildNumber: number, status: string): BuildStateChangeEvent {
  if (status === "SUCCEEDED") return numberedBuild(project, buildNumber, status);
  const event = numberedBuild(project, buildNumber, "FAILED");
  const detail = event.detail ?? {};
  detail["build-status"] = status;
  const phase = detail["additional-information"]?.phases?.find((one) => one["phase-status"] === "FAILED");
  if (phase) phase["phase-status"] = status;
  return event;
}

/** The `text` of each body a receiver got. */
const texts = (receiver: Receiver) => receiver.requests.map((request) => JSON.parse(request.body).text);

// CodeBuild ends a build FAILED, FAULT or TIMED_OUT; each is a failed build, run in the packaged notifier.
describe("builds that time out or fault", () => {
  const suite = deployForSuite();

  async function receiver(
    name: string,
    project: string,
    statuses: string[],
    extra: Parameters<DeployedNotifier["register"]>[4] = {},
  ): Promise<Receiver> {
    const started = await suite.receiver((request) =>
      request.path.endsWith("/issue") ? { status: 201, body: '{"key": "OPS-1"}' } : { status: 200 },
    );
    await suite.stack.register(name, started.url, project, statuses, extra);
    return started;
  }

  async function run(event: BuildStateChangeEvent): Promise<void> {
    const invocation = await suite.stack.lambda.invoke(event);
    assert.equal(invocation.error?.message, undefined);
  }

  it("tells a registration for FAILED of each failed build with its own $STATUS, and one for TIMED_OUT or FAULT of that status only", async () => {
    const template = { template: { S: '{"text": "$STATUS"}' } };
    const failures = await receiver("failures", "statuses-app", ["FAILED"], template);
    const timeouts = await receiver("timeouts", "statuses-app", ["TIMED_OUT"], template);
    const faults = await receiver("faults", "statuses-app", ["FAULT"], template);
    const successes = await receiver("successes", "statuses-app", ["SUCCEEDED", "STOPPED"], template);
    for (const [buildNumber, status] of ["FAILED", "TIMED_OUT", "FAULT", "SUCCEEDED"].entries()) {
      await run(ended("statuses-app", buildNumber + 1, status));
    }
    assert.deepEqual(texts(failures), ["FAILED", "TIMED_OUT", "FAULT"]);
    assert.deepEqual(texts(timeouts), ["TIMED_OUT"]);
    assert.deepEqual(texts(faults), ["FAULT"]);
    assert.deepEqual(texts(successes), ["SUCCEEDED"]);
  });

  it("counts a timed-out or faulted build as a failure of build health, for receivers with actions", async () => {
    const jira = await receiver("health-jira", "health-app", ["FAILED", "SUCCEEDED"], {
      actions: {
        M: {
          broken: {
            M: {
              path: { S: "/issue" },
              template: { S: '{"text": "broken by $STATUS"}' },
              remember: { M: { ISSUE: { S: "key" } } },
            },
          },
          "still-failing": {
            M: {
              path: { S: "/issue/$ISSUE/comment" },
              template: { S: '{"text": "$STATUS, $FAILURE_COUNT failures"}' },
            },
          },
          fixed: { M: { path: { S: "/issue/$ISSUE/close" }, template: { S: '{"text": "fixed"}' } } },
        },
      },
    });
    for (const [buildNumber, status] of [
      "SUCCEEDED",
      "TIMED_OUT",
      "FAULT",
      "FAILED",
      "SUCCEEDED",
    ].entries()) {
      await run(ended("health-app", buildNumber + 1, status));
    }
    assert.deepEqual(
      jira.requests.map((request) => `${request.path} ${JSON.parse(request.body).text}`),
      [
        "/hook/issue broken by TIMED_OUT",
        "/hook/issue/OPS-1/comment FAULT, 2 failures",
        "/hook/issue/OPS-1/comment FAILED, 3 failures",
        "/hook/issue/OPS-1/close fixed",
      ],
    );
  });

  it("counts a failure of any kind after a failure as no change for onlyOnChange, with the real statuses in the notice", async () => {
    const chat = await receiver("changes", "changes-app", ["FAILED", "SUCCEEDED"], {
      only_on_change: { BOOL: true },
      template: { S: '{"text": "$STATUS (was $PREVIOUS_STATUS)"}' },
    });
    const statuses = ["FAILED", "TIMED_OUT", "TIMED_OUT", "FAULT", "FAILED", "SUCCEEDED"];
    for (const [buildNumber, status] of statuses.entries()) {
      await run(ended("changes-app", buildNumber + 1, status));
    }
    // One notice per failure streak, as for a receiver that sees only FAILED builds.
    assert.deepEqual(texts(chat), ["FAILED (was )", "SUCCEEDED (was FAILED)"]);
    const statusesAfter = ["TIMED_OUT", "STOPPED", "FAULT"];
    for (const [index, status] of statusesAfter.entries()) {
      await run(ended("changes-app", statuses.length + index + 1, status));
    }
    assert.deepEqual(texts(chat).slice(2), ["TIMED_OUT (was SUCCEEDED)", "FAULT (was STOPPED)"]);
  });
});

// The same, for receivers of the stack's receiver files: preview takes statuses: [FAILED] and actions on
// broken as hearing of every failed build, and the items the stack writes make the notifier do so.
describe("builds that time out or fault, for receivers of receiver files", () => {
  let dir: string;
  let chat: Receiver;
  let jira: Receiver;
  let stack: DeployedNotifier;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "receivers-"));
    fs.writeFileSync(
      path.join(dir, "chat.yaml"),
      "projects: [my-app]\nstatuses: [FAILED]\nurl: { secret: chatUrl }\n" +
        'template: \'{"text": "$PROJECT: $STATUS"}\'\n',
    );
    fs.writeFileSync(
      path.join(dir, "jira.yaml"),
      "projects: [my-app]\nurl: { secret: jiraUrl }\non:\n  broken:\n" +
        '    template: \'{"text": "$PROJECT is broken ($STATUS)"}\'\n',
    );
    chat = await startReceiver(() => ({ status: 200 }));
    jira = await startReceiver(() => ({ status: 201 }));
    const config = { receiversDir: dir, chatUrl: chat.url, jiraUrl: jira.url };
    stack = await deployNotifier(config, ["codebuild-webhooks:chatUrl", "codebuild-webhooks:jiraUrl"]);
  });

  after(async () => {
    await Promise.all([chat, jira].map((server) => server?.close()));
    await stack?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("tells the file on FAILED of each, and sends broken for the first failure of a streak whatever its status", async () => {
    for (const [buildNumber, status] of ["TIMED_OUT", "FAULT", "SUCCEEDED", "FAULT", "FAILED"].entries()) {
      const invocation = await stack.lambda.invoke(ended("my-app", buildNumber + 1, status));
      assert.equal(invocation.error?.message, undefined, status);
    }
    assert.deepEqual(texts(chat), ["my-app: TIMED_OUT", "my-app: FAULT", "my-app: FAULT", "my-app: FAILED"]);
    assert.deepEqual(texts(jira), ["my-app is broken (TIMED_OUT)", "my-app is broken (FAULT)"]);
  });
});
