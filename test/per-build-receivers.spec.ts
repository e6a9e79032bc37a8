import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadReceivers } from "../src/receivers/loadReceivers";
import { ReceiverConfigError } from "../src/receivers/receiverFinding";
import type { ReadConfig } from "../src/receivers/secretConfig";
import { parseRegistryItem } from "../src/notifier/registryEntries";
import { registryItem } from "../src/receivers/registryItem";

const SLACK_CONFIG = {
  slackApiUrl: "https://slack.com/api",
  slackBotHeaders: '{"Authorization": "Bearer xoxb-1111-2222-abcdefghijklmnop"}',
};
const readConfig: ReadConfig = (key) =>
  key in SLACK_CONFIG ? { value: SLACK_CONFIG[key as keyof typeof SLACK_CONFIG], secret: true } : undefined;

/** The receiver file of the contract: one Slack message per build, edited in place. */
const SLACK_BUILD_MESSAGES = `projects: [my-app]
statuses: [IN_PROGRESS, SUCCEEDED, FAILED, STOPPED]
url: { secret: slackApiUrl }
headers: { secret: slackBotHeaders }
answer: { ok: true }
perBuild:
  post:
    path: /chat.postMessage
    template: '{ "channel": "C0123ABC", "text": "$PROJECT #$BUILD_NUMBER: $STATUS" }'
    remember: { SLACK_CHANNEL: channel, SLACK_TS: ts }
  update:
    path: /chat.update
    template: '{ "channel": "$SLACK_CHANNEL", "ts": "$SLACK_TS", "text": "$PROJECT #$BUILD_NUMBER: $STATUS" }'
`;

/** A per-build receiver file with `post` and `update` as given (YAML, indented under perBuild:). */
const perBuild = (steps: string, rest = "") =>
  `projects: [my-app]\nstatuses: [IN_PROGRESS, SUCCEEDED]\nurl: { secret: slackApiUrl }\n${rest}perBuild:\n${steps.replace(/^/gm, "  ")}\n`;
const POST = "post:\n  path: /chat.postMessage\n  template: '{}'\n  remember: { TS: ts }";
const UPDATE = 'update:\n  path: /chat.update\n  template: \'{"ts": "$TS"}\'';

// Receiver files with one message per build (perBuild) and answers that must hold values (answer), as
// preview reads them: what the registry item holds, and every problem named by file, field and line.
describe("receiver files with one message per build", () => {
  let root: string;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "per-build-receivers-"));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  function load(files: Record<string, string>) {
    const dir = path.join(root, "receivers");
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return loadReceivers(dir, readConfig, { relativeTo: root });
  }

  function rejection(text: string): string {
    try {
      load({ "slack.yaml": text });
    } catch (error) {
      assert.ok(error instanceof ReceiverConfigError, String(error));
      return error.message;
    }
    assert.fail("the receiver file was accepted");
  }

  it("takes post and update with their paths, methods and remembered fields, and the answer values", () => {
    const { receivers, warnings } = load({ "slack-build-messages.yaml": SLACK_BUILD_MESSAGES });
    assert.deepEqual(warnings, []);
    const [receiver] = receivers;
    assert.deepEqual(receiver.statuses, ["IN_PROGRESS", "SUCCEEDED", "FAILED", "STOPPED"]);
    assert.equal(receiver.template, undefined);
    assert.deepEqual(receiver.answer, { ok: true });
    assert.deepEqual(receiver.perBuild, {
      post: {
        path: "/chat.postMessage",
        template: '{ "channel": "C0123ABC", "text": "$PROJECT #$BUILD_NUMBER: $STATUS" }',
        method: "POST",
        remember: { SLACK_CHANNEL: "channel", SLACK_TS: "ts" },
      },
      update: {
        path: "/chat.update",
        template:
          '{ "channel": "$SLACK_CHANNEL", "ts": "$SLACK_TS", "text": "$PROJECT #$BUILD_NUMBER: $STATUS" }',
        method: "POST",
      },
    });
    // The registry item holds them, and the notifier reads them back as written.
    const item = registryItem(receiver, "my-app", "/webhooks/");
    assert.deepEqual(item.answer, { M: { ok: { BOOL: true } } });
    assert.equal(item.template, undefined);
    const entry = parseRegistryItem(item as never, "/webhooks/");
    assert.ok(!("reason" in entry), JSON.stringify(entry));
    assert.deepEqual(entry.perBuild, receiver.perBuild);
    assert.deepEqual(entry.answer, { ok: true });
    assert.deepEqual(entry.statuses, receiver.statuses);
  });

  it("keeps answer values of every JSON type, and an action's own method", () => {
    const [receiver] = load({
      "slack.yaml": perBuild(
        `${POST}\n  method: put\n${UPDATE}`,
        'answer: { ok: true, "data.code": 0, status: done }\n',
      ),
    }).receivers;
    assert.deepEqual(receiver.answer, { ok: true, "data.code": 0, status: "done" });
    assert.equal(receiver.perBuild?.post.method, "PUT");
    const entry = parseRegistryItem(registryItem(receiver, "my-app", "/webhooks/") as never, "/webhooks/");
    assert.ok(!("reason" in entry));
    assert.deepEqual(entry.answer, { ok: true, "data.code": 0, status: "done" });
  });

  it("refuses perBuild beside template, on or onlyOnChange, naming the file and each field", () => {
    assert.equal(
      rejection(
        perBuild(
          `${POST}\n${UPDATE}`,
          "template: '{}'\nonlyOnChange: true\non:\n  broken: { template: '{}' }\n",
        ),
      ),
      "The receiver files have 6 problems:\n" +
        "receivers/slack.yaml: statuses (line 2): not with on: a receiver with actions under on hears the FAILED and SUCCEEDED builds its transitions fall on; remove statuses, or remove on to be told of every build of these statuses\n" +
        "receivers/slack.yaml: template (line 4): not with perBuild: post and update send templates of their own; move this body into them (perBuild.post.template, perBuild.update.template), or remove perBuild\n" +
        "receivers/slack.yaml: template (line 4): not with on: each action under on sends a template of its own; move this body into an action (on.<transition>.template), or remove on\n" +
        "receivers/slack.yaml: onlyOnChange (line 5): not with perBuild: every event of a build the receiver hears updates its message; remove onlyOnChange, or remove perBuild\n" +
        "receivers/slack.yaml: onlyOnChange (line 5): not with on: transitions are changes already (broken and fixed are the changes onlyOnChange reports); remove onlyOnChange\n" +
        "receivers/slack.yaml: on (line 6): not with perBuild: a receiver posts one message per build or acts on transitions, not both; use two receiver files",
    );
  });

  it("refuses a perBuild without post or update, or with another step", () => {
    assert.equal(
      rejection(perBuild(`${POST}\nreply:\n  template: '{}'`)),
      "The receiver files have 2 problems:\n" +
        "receivers/slack.yaml: perBuild.update (line 4): missing; give the action: a mapping with a template, and optionally path, method and remember\n" +
        "receivers/slack.yaml: perBuild.reply (line 9): unknown field; perBuild takes post and update",
    );
  });

  it("refuses answer values that are no string, number or boolean, field paths that are none, and an empty answer", () => {
    const steps = `${POST}\n${UPDATE}`;
    assert.equal(
      rejection(perBuild(steps, "answer: { ok: [true], ts: null, 'a..b': 1 }\n")),
      "The receiver files have 3 problems:\n" +
        "receivers/slack.yaml: answer.ok (line 4): expected the value the field must hold, a string, number or boolean (e.g. ok: true), got a list\n" +
        "receivers/slack.yaml: answer.ts (line 4): expected the value the field must hold, a string, number or boolean (e.g. ok: true), got nothing\n" +
        'receivers/slack.yaml: answer.a..b (line 4): "a..b" is not a field path: names and array indexes joined by ".", e.g. ok, data.status, items.0.state',
    );
    assert.equal(
      rejection(perBuild(steps, "answer: {}\n")),
      "The receiver files have 1 problem:\n" +
        "receivers/slack.yaml: answer (line 4): names no field; give at least one, e.g. answer: { ok: true }",
    );
    assert.match(
      rejection(perBuild(steps, "answer: ok\n")),
      /answer \(line 4\): expected a mapping of field paths to values, e.g. answer: \{ ok: true \}, got a string/,
    );
  });

  it("checks post and update paths as an action's: below the URL, no query, no build variable", () => {
    assert.equal(
      rejection(
        perBuild(
          "post:\n  path: chat.postMessage\n  template: '{}'\n  remember: { TS: ts }\n" +
            "update:\n  path: /chat.update/$BRANCH/../x?y=1\n  template: '{}'",
        ),
      ),
      "The receiver files have 4 problems:\n" +
        'receivers/slack.yaml: perBuild.post.path (line 6): must start with "/": it is appended to the receiver\'s URL, e.g. path: /rest/api/2/issue\n' +
        'receivers/slack.yaml: perBuild.update.path (line 10): holds a "?" or "#": a path takes no query or fragment; put a query in the receiver\'s URL (its secret), which keeps it after the path\n' +
        'receivers/slack.yaml: perBuild.update.path (line 10): the path holds a "." or ".." segment (written, percent-encoded, or between backslashes or encoded slashes), which would send the request above the receiver URL\'s path\n' +
        "receivers/slack.yaml: perBuild.update.path (line 10): $BRANCH in the path is neither a built-in placeholder nor a value an action of this receiver remembers; its actions remember $TS (perBuild.post); build variables never reach a URL, so it could never be filled",
    );
  });

  it("refuses a remembered value in post, which is sent before anything is remembered, and warns of one only update remembers", () => {
    assert.equal(
      rejection(perBuild('post:\n  template: \'{"ts": "$TS"}\'\n  remember: { TS: ts }\n' + UPDATE)),
      "The receiver files have 1 problem:\n" +
        "receivers/slack.yaml: perBuild.post.template (line 6): $TS at line 1 of the template is a value perBuild.post remembers from an answer, and post is the build's first request: nothing is remembered when it is sent, so it could never be filled here",
    );
    const { warnings } = load({
      "slack.yaml": perBuild(
        "post:\n  template: '{}'\nupdate:\n  path: /chat.update\n  template: '{\"ts\": \"$TS\"}'\n  remember: { TS: ts }",
      ),
    });
    assert.deepEqual(warnings, [
      "receivers/slack.yaml: perBuild.update.template (line 9): $TS at line 1 of the template is a value only perBuild.update remembers from an answer, so the build's first update has none: the placeholder is sent as written",
    ]);
  });
});
