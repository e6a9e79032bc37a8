import { strict as assert } from "node:assert";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { Webhook } from "standardwebhooks";
import { findJsonSyntaxError } from "../src/receivers/jsonSyntaxError";
import { registryItem } from "../src/receivers/registryItem";
import { loadReceivers } from "../src/receivers/loadReceivers";
import { ReceiverConfigError } from "../src/receivers/receiverFinding";
import type { ReadConfig } from "../src/receivers/secretConfig";
import { buildEventValues } from "../src/notifier/buildEventValues";
import { renderTemplate } from "../src/notifier/renderTemplate";
import { signatureHeaders } from "../src/notifier/signWebhook";
import { BUILT_IN_PLACEHOLDER_NAMES } from "../src/shared/placeholders";
import type { ReceiverDefinition } from "../src/receivers/receiverDefinition";
import type { BuildStatus, Transition } from "../src/shared/buildStatuses";
import { buildEvent } from "./support/buildEvents";
import { SHIPPED, SHIPPED_RECEIVERS } from "./support/specStack";

const PROJECT_ROOT = path.resolve(__dirname, "..");

/**
 * The stack config as `pulumi config set --secret` would hold it, read the way index.ts reads it; the
 * keys in `plain` were set without --secret.
 */
function configOf(values: Record<string, string>, plain: readonly string[] = []): ReadConfig {
  return (key) => (key in values ? { value: values[key], secret: !plain.includes(key) } : undefined);
}

const HOOK_CONFIG = { hookUrl: "https://receiver.example/hooks/builds" };
const MINIMAL = "projects: [my-app]\nstatuses: [FAILED]\nurl: { secret: hookUrl }\n";

/** A Standard Webhooks secret as `"whsec_$(openssl rand -base64 <bytes>)"` makes one. */
function signingSecret(bytes: number, fill = 7): string {
  return `whsec_${Buffer.alloc(bytes, fill).toString("base64")}`;
}
const SIGNED = `${MINIMAL}signingSecret: { secret: hookSigningSecret }\n`;

describe("loadReceivers", () => {
  let root: string;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "receivers-"));
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  function receiversDir(files: Record<string, string>): string {
    // Afresh each time, so that a test can load several sets of files.
    const dir = path.join(root, "receivers");
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
  }

  /** The receivers and warnings preview gets from the files. */
  function loadWithWarnings(files: Record<string, string>, config: Record<string, string> = HOOK_CONFIG) {
    return loadReceivers(receiversDir(files), configOf(config), { relativeTo: root });
  }

  function load(files: Record<string, string>, config: Record<string, string> = HOOK_CONFIG) {
    return loadWithWarnings(files, config).receivers;
  }

  /** The message preview shows when the files are rejected; the keys in `plain` were set without --secret. */
  function rejection(
    files: Record<string, string>,
    config: Record<string, string> = HOOK_CONFIG,
    plain: readonly string[] = [],
  ): string {
    try {
      loadReceivers(receiversDir(files), configOf(config, plain), { relativeTo: root });
    } catch (error) {
      assert.ok(error instanceof ReceiverConfigError, `expected a ReceiverConfigError, got ${String(error)}`);
      return error.message;
    }
    assert.fail("the receiver files were accepted");
  }

  describe("accounts and regions", () => {
    const heard = { regions: ["us-east-1", "eu-west-1"] };
    const loadHeard = (file: string) =>
      loadReceivers(receiversDir({ "hook.yaml": file }), configOf(HOOK_CONFIG), {
        relativeTo: root,
        ...heard,
      });

    it("narrow a receiver to builds of some accounts and regions, written into its registry item", () => {
      const [receiver] = loadHeard(`${MINIMAL}accounts: ["210987654321"]\nregions: [eu-west-1]\n`).receivers;
      assert.deepEqual([receiver.accounts, receiver.regions], [["210987654321"], ["eu-west-1"]]);
      const item = registryItem(receiver, "my-app", "/webhooks/");
      assert.deepEqual(item.accounts, { L: [{ S: "210987654321" }] });
      assert.deepEqual(item.regions, { L: [{ S: "eu-west-1" }] });
    });

    it("refuse malformed accounts and regions, and unquoted account IDs, naming the field and line", () => {
      assert.equal(
        rejection({ "hook.yaml": `${MINIMAL}accounts: [210987654321, "12345"]\nregions: [Europe]\n` }),
        "The receiver files have 3 problems:\n" +
          'receivers/hook.yaml: accounts[0] (line 4): expected a 12-digit AWS account ID, quoted so that YAML keeps it a string: "123456789012", got a number\n' +
          'receivers/hook.yaml: accounts[1] (line 4): "12345" is not a 12-digit AWS account ID, quoted so that YAML keeps it a string: "123456789012"\n' +
          'receivers/hook.yaml: regions[0] (line 5): "Europe" is not an AWS region such as eu-west-1',
      );
    });

    it("refuse a region no build reaches the stack from", () => {
      assert.throws(() => loadHeard(`${MINIMAL}regions: [eu-west-1, ap-south-1]\n`), {
        message:
          "The receiver files have 1 problem:\n" +
          "receivers/hook.yaml: regions[1] (line 4): no build of ap-south-1 reaches this stack, so the receiver " +
          "would never hear of one there; the stack hears of us-east-1, eu-west-1 (its own region and its " +
          "spokes'): add a spoke for ap-south-1 (docs/organization.md) or remove it here",
      });
    });

    it("keep two receivers of one URL apart when their accounts differ", () => {
      const { warnings } = loadWithWarnings({
        "hub.yaml": `${MINIMAL}accounts: ["123456789012"]\n`,
        "spoke.yaml": `${MINIMAL}accounts: ["210987654321"]\n`,
      });
      assert.deepEqual(warnings, []);
    });
  });

  describe("the shipped receivers", () => {
    const shippedSecrets = {
      jiraIssuesUrl: "https://example.atlassian.net/rest/api/2/issue",
      jiraAuthHeaders: '{"Authorization": "Basic ZXhhbXBsZUBleGFtcGxlLmNvbTp0b2tlbg=="}',
      slackWebhookUrl: "https://hooks.slack.com/services/T000/B000/XXXX",
    };

    it("load with their config set", () => {
      const { receivers, warnings } = loadReceivers(SHIPPED_RECEIVERS, configOf(shippedSecrets), {
        relativeTo: SHIPPED,
      });
      assert.deepEqual(warnings, []);

      assert.deepEqual(
        receivers.map(({ template, ...rest }) => ({ ...rest, hasTemplate: template !== undefined })),
        [
          {
            name: "jira-failures",
            file: "receivers/jira-failures.yaml",
            projects: ["my-app"],
            statuses: ["FAILED"],
            method: "POST",
            urlConfigKey: "jiraIssuesUrl",
            headersConfigKey: "jiraAuthHeaders",
            onlyOnChange: false,
            hasTemplate: true,
          },
          {
            name: "slack-builds",
            file: "receivers/slack-builds.yaml",
            projects: ["my-app"],
            statuses: ["SUCCEEDED", "FAILED", "STOPPED"],
            method: "POST",
            urlConfigKey: "slackWebhookUrl",
            onlyOnChange: false,
            hasTemplate: true,
          },
        ],
      );
      const [jira, slack] = receivers;
      const issue = JSON.parse(jira.template ?? "");
      assert.deepEqual(issue.fields.issuetype, { name: "Bug" });
      assert.equal(issue.fields.summary, "$PROJECT build failing");
      for (const placeholder of ["$BUILD_URL", "$FAILED_PHASE", "$FAILED_PHASE_CONTEXT", "$LOGS_URL"]) {
        assert.ok(issue.fields.description.includes(placeholder), `description lacks ${placeholder}`);
      }
      const message = JSON.parse(slack.template ?? "");
      for (const placeholder of ["$STATUS", "$PROJECT", "$BUILD_NUMBER", "$BUILD_URL"]) {
        assert.ok(message.text.includes(placeholder), `Slack text lacks ${placeholder}`);
      }
    });

    it("ask for exactly the secrets the README's deploy steps set", () => {
      let message = "";
      try {
        loadReceivers(SHIPPED_RECEIVERS, configOf({}), { relativeTo: SHIPPED });
      } catch (error) {
        message = (error as Error).message;
      }

      assert.equal(
        message,
        "The receiver files have 3 problems:\n" +
          'receivers/jira-failures.yaml: url.secret (line 9): config "codebuild-webhooks:jiraIssuesUrl" is not set; run: pulumi config set --secret codebuild-webhooks:jiraIssuesUrl <value>\n' +
          'receivers/jira-failures.yaml: headers.secret (line 10): config "codebuild-webhooks:jiraAuthHeaders" is not set; run: pulumi config set --secret codebuild-webhooks:jiraAuthHeaders <value>\n' +
          'receivers/slack-builds.yaml: url.secret (line 7): config "codebuild-webhooks:slackWebhookUrl" is not set; run: pulumi config set --secret codebuild-webhooks:slackWebhookUrl <value>',
      );
      const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
      const deploySteps = readme.slice(readme.indexOf("## Deploy"), readme.indexOf("## A first receiver"));
      assert.deepEqual(
        [...deploySteps.matchAll(/^pulumi config set --secret codebuild-webhooks:(\w+) /gm)].map(
          ([, key]) => key,
        ),
        ["jiraIssuesUrl", "jiraAuthHeaders", "slackWebhookUrl"],
      );
    });
  });

  describe("the example receivers (receivers/examples)", () => {
    const EXAMPLES = path.join(PROJECT_ROOT, "receivers", "examples");
    const exampleSecrets = {
      jiraIssuesUrl: "https://example.atlassian.net/rest/api/2/issue",
      jiraAuthHeaders: '{"Authorization": "Basic ZXhhbXBsZUBleGFtcGxlLmNvbTp0b2tlbg=="}',
      slackWebhookUrl: "https://hooks.slack.com/services/T000/B000/XXXX",
      teamsWorkflowUrl:
        "https://prod-00.westeurope.logic.azure.com:443/workflows/0a1b/triggers/manual/paths/invoke?api-version=2016-06-01&sig=x",
      buildEventsUrl: "https://builds.example/codebuild",
      buildEventsSigningSecret: signingSecret(32),
      opsgenieAlertsUrl: "https://api.opsgenie.com/v2/alerts?identifierType=alias",
      opsgenieHeaders: '{"Authorization": "GenieKey 0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"}',
      pagerDutyEventsUrl: "https://events.pagerduty.com/v2/enqueue",
      pagerDutyRoutingKey: "R0123456789ABCDEF0123456789ABCDE",
      serviceNowUrl: "https://example.service-now.com/api/now/table/incident",
      serviceNowTokenUrl: "https://example.service-now.com/oauth_token.do",
      serviceNowClientId: "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
      serviceNowClientSecret: "client-secret",
      slackApiUrl: "https://slack.com/api",
      slackBotHeaders: '{"Authorization": "Bearer xoxb-0000-0000-XXXX"}',
    };
    const examples = (): Map<string, ReceiverDefinition> =>
      new Map(
        loadReceivers(EXAMPLES, configOf(exampleSecrets), { relativeTo: PROJECT_ROOT }).receivers.map(
          (receiver) => [receiver.name, receiver],
        ),
      );

    /** The body the receiver gets for a build of `status` after one that ended `previousStatus`. */
    function noticeBody(
      receiver: ReceiverDefinition | undefined,
      status: BuildStatus,
      previousStatus: string,
    ) {
      assert.ok(receiver?.template, "the example has no template");
      const values: Record<string, string> = {
        ...buildEventValues(buildEvent(status)),
        PREVIOUS_STATUS: previousStatus,
      };
      const { body, unknownNames } = renderTemplate(receiver.template, values, "json");
      assert.deepEqual(unknownNames, [], `${receiver.name} names placeholders the notifier has no value for`);
      return { body: JSON.parse(body), values };
    }

    /**
     * What a receiver's action sends for a build of the status its transition falls on: the body, as JSON,
     * and the path, with the values substituted, each percent-encoded (`remembered` are the values its
     * actions remembered).
     */
    function actionRequest(
      receiver: ReceiverDefinition | undefined,
      transition: Transition,
      { failureCount, remembered = {} }: { failureCount: number; remembered?: Record<string, string> },
    ) {
      const action = receiver?.actions?.[transition];
      assert.ok(action, `the example has no ${transition} action`);
      const values: Record<string, string> = {
        ...buildEventValues(buildEvent(transition === "fixed" ? "SUCCEEDED" : "FAILED")),
        PREVIOUS_STATUS: transition === "broken" ? "SUCCEEDED" : "FAILED",
        TRANSITION: transition,
        FAILURE_COUNT: String(failureCount),
        ...remembered,
      };
      const rendered = renderTemplate(action.template, values, "json");
      assert.deepEqual(rendered.unknownNames, [], `${receiver?.name} ${transition}: names without a value`);
      const path = action.path === undefined ? undefined : renderTemplate(action.path, values, "form");
      assert.deepEqual(
        path?.unknownNames ?? [],
        [],
        `${receiver?.name} ${transition}: path names without a value`,
      );
      return { method: action.method, path: path?.body, body: JSON.parse(rendered.body), values, action };
    }

    it("load with their config set", () => {
      assert.deepEqual(
        [...examples().values()].map(
          ({ template, method, actions, perBuild, oauth, bodySecretConfigKeys, ...rest }) => ({
            ...rest,
            sends:
              (actions ?? perBuild)
                ? Object.entries(actions ?? perBuild ?? {})
                    .map(
                      ([transition, action]) =>
                        `${transition}: ${action.method} ${action.path ?? "(the URL)"}`,
                    )
                    .join("; ")
                : `${method} ${template === undefined ? "the default body" : "its template"}`,
            ...(oauth ? { oauth } : {}),
            ...(bodySecretConfigKeys
              ? {
                  secrets: Object.entries(bodySecretConfigKeys)
                    .map(([name, key]) => `${name} from ${key}`)
                    .join(", "),
                }
              : {}),
          }),
        ),
        [
          {
            name: "jira-issue",
            file: "receivers/examples/jira-issue.yaml",
            projects: ["my-app"],
            statuses: ["FAILED", "SUCCEEDED"],
            urlConfigKey: "jiraIssuesUrl",
            headersConfigKey: "jiraAuthHeaders",
            onlyOnChange: false,
            sends:
              "broken: POST (the URL); still-failing: POST /$JIRA_ISSUE/comment; fixed: POST /$JIRA_ISSUE/transitions",
          },
          {
            name: "microsoft-teams",
            file: "receivers/examples/microsoft-teams.yaml",
            projects: ["my-app"],
            statuses: ["FAILED", "STOPPED", "SUCCEEDED"],
            urlConfigKey: "teamsWorkflowUrl",
            onlyOnChange: true,
            sends: "POST its template",
          },
          {
            name: "opsgenie-alert",
            file: "receivers/examples/opsgenie-alert.yaml",
            projects: ["my-app"],
            statuses: ["FAILED", "SUCCEEDED"],
            urlConfigKey: "opsgenieAlertsUrl",
            headersConfigKey: "opsgenieHeaders",
            onlyOnChange: false,
            sends: "broken: POST (the URL); fixed: POST /codebuild-$ACCOUNT-$REGION-$PROJECT/close",
          },
          {
            name: "pagerduty",
            file: "receivers/examples/pagerduty.yaml",
            projects: ["my-app"],
            statuses: ["FAILED", "SUCCEEDED"],
            urlConfigKey: "pagerDutyEventsUrl",
            onlyOnChange: false,
            sends: "broken: POST (the URL); fixed: POST (the URL)",
            secrets: "ROUTING_KEY from pagerDutyRoutingKey",
          },
          {
            name: "servicenow-incident",
            file: "receivers/examples/servicenow-incident.yaml",
            projects: ["my-app"],
            statuses: ["FAILED", "SUCCEEDED"],
            urlConfigKey: "serviceNowUrl",
            onlyOnChange: false,
            sends: "broken: POST (the URL); fixed: PATCH /$INCIDENT",
            oauth: {
              tokenUrlConfigKey: "serviceNowTokenUrl",
              clientIdConfigKey: "serviceNowClientId",
              clientSecretConfigKey: "serviceNowClientSecret",
              clientAuth: "body",
            },
          },
          {
            name: "signed-webhook",
            file: "receivers/examples/signed-webhook.yaml",
            projects: ["*"],
            statuses: ["IN_PROGRESS", "SUCCEEDED", "FAILED", "STOPPED"],
            urlConfigKey: "buildEventsUrl",
            signingSecretConfigKey: "buildEventsSigningSecret",
            onlyOnChange: false,
            sends: "POST its template",
          },
          {
            name: "slack-build-health",
            file: "receivers/examples/slack-build-health.yaml",
            projects: ["my-app"],
            statuses: ["FAILED", "SUCCEEDED"],
            urlConfigKey: "slackWebhookUrl",
            onlyOnChange: false,
            sends: "broken: POST (the URL); fixed: POST (the URL)",
          },
          {
            name: "slack-build-message",
            file: "receivers/examples/slack-build-message.yaml",
            projects: ["my-app"],
            statuses: ["IN_PROGRESS", "SUCCEEDED", "FAILED", "STOPPED"],
            urlConfigKey: "slackApiUrl",
            headersConfigKey: "slackBotHeaders",
            onlyOnChange: false,
            answer: { ok: true },
            sends: "post: POST /chat.postMessage; update: POST /chat.update",
          },
          {
            name: "slack-build-thread",
            file: "receivers/examples/slack-build-thread.yaml",
            projects: ["my-app"],
            statuses: ["IN_PROGRESS", "SUCCEEDED", "FAILED", "STOPPED"],
            urlConfigKey: "slackApiUrl",
            headersConfigKey: "slackBotHeaders",
            onlyOnChange: false,
            answer: { ok: true },
            sends: "post: POST /chat.postMessage; update: POST /chat.postMessage",
          },
          {
            name: "slack",
            file: "receivers/examples/slack.yaml",
            projects: ["my-app"],
            statuses: ["FAILED", "SUCCEEDED"],
            urlConfigKey: "slackWebhookUrl",
            onlyOnChange: true,
            sends: "POST its template",
          },
        ],
      );
    });

    /** The comment lines of a receiver file. */
    const headerOf = (receiver: ReceiverDefinition): string =>
      fs
        .readFileSync(path.join(PROJECT_ROOT, receiver.file), "utf8")
        .split("\n")
        .filter((line) => line.startsWith("#"))
        .join("\n");

    it("tell in their header how to use them and how to set each secret they name", () => {
      for (const receiver of examples().values()) {
        const header = headerOf(receiver);
        assert.match(header, /copy it into receivers\//, receiver.file);
        const keys = [
          receiver.urlConfigKey,
          receiver.headersConfigKey,
          receiver.signingSecretConfigKey,
          receiver.oauth?.tokenUrlConfigKey,
          receiver.oauth?.clientIdConfigKey,
          receiver.oauth?.clientSecretConfigKey,
          ...Object.values(receiver.bodySecretConfigKeys ?? {}),
        ];
        for (const key of keys.filter((name) => name !== undefined)) {
          assert.match(
            header,
            new RegExp(`^#\\s+pulumi config set --secret codebuild-webhooks:${key} ['"]`, "m"),
            `${receiver.file} does not say how to set ${key}`,
          );
        }
      }
    });

    it("tell in their header which shipped receiver they replace: the one whose URL key they share", () => {
      const shipped = loadReceivers(SHIPPED_RECEIVERS, configOf(exampleSecrets), {
        relativeTo: SHIPPED,
      }).receivers;
      const replacing: string[] = [];
      for (const receiver of examples().values()) {
        const replaced = shipped.find((candidate) => candidate.urlConfigKey === receiver.urlConfigKey);
        if (replaced) replacing.push(receiver.name);
        assert.match(
          headerOf(receiver),
          replaced
            ? new RegExp(
                `^# It replaces ${replaced.file}: delete that one, or give this one its own secret keys`,
                "m",
              )
            : /^# It replaces no shipped receiver/m,
          receiver.file,
        );
      }
      assert.deepEqual(replacing, ["jira-issue", "slack-build-health", "slack"]);
    });

    it("keep one Jira issue per failure streak: opened, commented on each further failure, moved to Done when fixed", () => {
      const jira = examples().get("jira-issue");
      const opened = actionRequest(jira, "broken", { failureCount: 1 });
      assert.equal(opened.path, undefined, "the issue is created at the URL itself (.../rest/api/2/issue)");
      assert.equal(opened.body.fields.summary, "my-app build failing since build #43");
      assert.deepEqual(opened.body.fields.issuetype, { name: "Bug" });
      for (const name of ["BUILD_URL", "FAILED_PHASE", "FAILED_PHASE_CONTEXT", "LOGS_URL"] as const) {
        assert.notEqual(opened.values[name], "", name);
        assert.ok(
          opened.body.fields.description.includes(opened.values[name]),
          `the description lacks ${name}`,
        );
      }
      // Jira answers a created issue with {"id": "10001", "key": "OPS-17", "self": "..."}.
      assert.deepEqual(opened.action.remember, { JIRA_ISSUE: "key" });

      const remembered = { JIRA_ISSUE: "OPS-17" };
      const comment = actionRequest(jira, "still-failing", { failureCount: 3, remembered });
      assert.equal(comment.path, "/OPS-17/comment");
      assert.match(
        comment.body.body,
        /^Build \[#43\|https:\/\/us-east-1\.console\.aws\.amazon\.com\/.+\] failed too: 3 failed builds in a row\./,
      );
      assert.ok(
        comment.body.body.includes(comment.values.FAILED_PHASE_CONTEXT),
        "the comment lacks the reason",
      );

      const done = actionRequest(jira, "fixed", { failureCount: 3, remembered });
      assert.equal(done.path, "/OPS-17/transitions");
      assert.deepEqual(done.body.transition, { id: "31" });
      assert.equal(
        done.body.update.comment[0].add.body,
        `Fixed by build [#42|${done.values.BUILD_URL}] after 3 failed builds in a row.`,
      );
    });

    it("open an Opsgenie alert on an alias of the account, region and project, and close it by that alias", () => {
      const opsgenie = examples().get("opsgenie-alert");
      assert.equal(
        opsgenie?.actions?.["still-failing"],
        undefined,
        "further failures leave the open alert be",
      );
      const opened = actionRequest(opsgenie, "broken", { failureCount: 1 });
      assert.equal(opened.path, undefined);
      assert.equal(opened.body.alias, "codebuild-123456789012-us-east-1-my-app");
      assert.equal(opened.body.message, "my-app build failing since build #43");
      assert.ok(
        opened.body.description.includes(opened.values.BUILD_URL),
        "the alert does not link the build",
      );
      const closed = actionRequest(opsgenie, "fixed", { failureCount: 2 });
      assert.equal(closed.path, `/${opened.body.alias}/close`);
      assert.equal(
        closed.body.note,
        `Fixed by build #42 after 2 failed builds in a row: ${closed.values.BUILD_URL}`,
      );
    });

    it("tell Slack when a project breaks and when it is fixed, and nothing in between", () => {
      const slack = examples().get("slack-build-health");
      assert.deepEqual(Object.keys(slack?.actions ?? {}), ["broken", "fixed"]);
      const broken = actionRequest(slack, "broken", { failureCount: 1 });
      assert.equal(
        broken.body.text,
        `:red_circle: *my-app* is broken: build #43 failed in BUILD <${broken.values.BUILD_URL}|open in CodeBuild>`,
      );
      const fixed = actionRequest(slack, "fixed", { failureCount: 4 });
      assert.equal(
        fixed.body.text,
        `:large_green_circle: *my-app* is fixed: build #42 succeeded after 4 failed builds in a row <${fixed.values.BUILD_URL}|open in CodeBuild>`,
      );
    });

    it("post one Slack message per build and edit it, or reply in its thread, with an emoji per status", () => {
      const request = (name: string, step: "post" | "update", status: BuildStatus) => {
        const action = examples().get(name)?.perBuild?.[step];
        assert.ok(action, `${name} has no ${step}`);
        const values: Record<string, string> = {
          ...buildEventValues(buildEvent(status)),
          SLACK_CHANNEL: "C0123ABC",
          SLACK_TS: "1700000000.000100",
        };
        const rendered = renderTemplate(action.template, values, "json");
        assert.deepEqual(rendered.unknownNames, [], `${name} ${step}: names without a value`);
        return { path: action.path, body: JSON.parse(rendered.body), url: values.BUILD_URL };
      };
      const posted = request("slack-build-message", "post", "IN_PROGRESS");
      assert.equal(posted.path, "/chat.postMessage");
      assert.deepEqual(posted.body, {
        channel: "C0123ABC",
        // CodeBuild's IN_PROGRESS events carry no build number.
        text: `⏳ *my-app* build IN_PROGRESS <${posted.url}|open in CodeBuild>`,
      });
      const edited = request("slack-build-message", "update", "FAILED");
      assert.equal(edited.path, "/chat.update");
      assert.deepEqual(edited.body, {
        channel: "C0123ABC",
        ts: "1700000000.000100",
        text: `❌ *my-app* build #43 FAILED <${edited.url}|open in CodeBuild>`,
      });
      const replied = request("slack-build-thread", "update", "SUCCEEDED");
      assert.equal(replied.path, "/chat.postMessage");
      assert.deepEqual(replied.body, {
        channel: "C0123ABC",
        thread_ts: "1700000000.000100",
        text: `✅ build #42 SUCCEEDED <${replied.url}|open in CodeBuild>`,
      });
    });

    it("tell Slack the new and the previous status", () => {
      const { body, values } = noticeBody(examples().get("slack"), "SUCCEEDED", "FAILED");
      assert.equal(
        body.text,
        `*my-app* SUCCEEDED with build #42 (previously FAILED) <${values.BUILD_URL}|open in CodeBuild>`,
      );
    });

    it("post Teams an Adaptive Card with the statuses, the failed phase and a button to the build", () => {
      const { body, values } = noticeBody(examples().get("microsoft-teams"), "FAILED", "SUCCEEDED");
      assert.equal(body.type, "message");
      const [attachment] = body.attachments;
      assert.equal(attachment.contentType, "application/vnd.microsoft.card.adaptive");
      const card = attachment.content;
      assert.equal(card.type, "AdaptiveCard");
      assert.equal(card.body[0].text, "my-app: FAILED");
      assert.deepEqual(
        Object.fromEntries(
          card.body[1].facts.map((fact: { title: string; value: string }) => [fact.title, fact.value]),
        ),
        {
          Build: "#43",
          "Previous status": "SUCCEEDED",
          "Failed phase": "BUILD",
          Reason: values.FAILED_PHASE_CONTEXT,
          "Source version": "pr/17",
        },
      );
      assert.deepEqual(card.actions, [
        { type: "Action.OpenUrl", title: "Open the build", url: values.BUILD_URL },
      ]);
    });

    it("send the signed webhook the build in the Standard Webhooks payload shape", () => {
      const { body, values } = noticeBody(examples().get("signed-webhook"), "FAILED", "SUCCEEDED");
      assert.deepEqual(Object.keys(body), ["type", "timestamp", "data"]);
      assert.equal(body.timestamp, values.TIME);
      assert.deepEqual(
        [body.data.project, body.data.status, body.data.previousStatus, body.data.buildUrl],
        ["my-app", "FAILED", "SUCCEEDED", values.BUILD_URL],
      );
    });
  });

  describe("accepted files", () => {
    it("name the receiver after the file and default the method to POST", () => {
      assert.deepEqual(load({ "deploy-alerts.yml": MINIMAL }), [
        {
          name: "deploy-alerts",
          file: "receivers/deploy-alerts.yml",
          projects: ["my-app"],
          statuses: ["FAILED"],
          method: "POST",
          urlConfigKey: "hookUrl",
          onlyOnChange: false,
        },
      ]);
    });

    it("take the method in any case and hand it on in upper case", () => {
      const [receiver] = load({ "hook.yaml": `${MINIMAL}method: patch\n` });
      assert.equal(receiver.method, "PATCH");
    });

    it("let a headers config with a non-JSON Content-Type carry a template that is not JSON", () => {
      const [receiver] = load(
        { "hook.yaml": `${MINIMAL}headers: { secret: hookHeaders }\ntemplate: "$PROJECT is $STATUS"\n` },
        { ...HOOK_CONFIG, hookHeaders: '{"content-type": "text/plain; charset=utf-8"}' },
      );
      assert.equal(receiver.template, "$PROJECT is $STATUS");
      assert.equal(receiver.headersConfigKey, "hookHeaders");
    });

    it("take a signing secret, one or several (while one is rotated), and name its config key", () => {
      for (const secrets of [
        signingSecret(24),
        signingSecret(64),
        `${signingSecret(32, 1)} ${signingSecret(32, 2)}`,
        // As a shell or an editor may leave it: the notifier splits on any whitespace too.
        `${signingSecret(32, 1)}\n\t${signingSecret(32, 2)}\n`,
      ]) {
        const [receiver] = load({ "hook.yaml": SIGNED }, { ...HOOK_CONFIG, hookSigningSecret: secrets });
        assert.equal(receiver.signingSecretConfigKey, "hookSigningSecret", secrets);
      }
    });

    it("take only signing secrets the notifier signs with and the Standard Webhooks verifier accepts", () => {
      const dir = receiversDir({ "hook.yaml": SIGNED });
      const accepts = (secrets: string): boolean => {
        try {
          loadReceivers(dir, configOf({ ...HOOK_CONFIG, hookSigningSecret: secrets }), { relativeTo: root });
          return true;
        } catch (error) {
          if (error instanceof ReceiverConfigError) return false;
          throw error;
        }
      };
      const standardSecret = fc
        .uint8Array({ minLength: 24, maxLength: 64 })
        .map((key) => `whsec_${Buffer.from(key).toString("base64")}`);
      // Near misses: cut, grown or retyped secrets, and other base64 alphabets.
      const nearMiss = fc
        .tuple(
          standardSecret,
          fc.nat(),
          fc.string({ unit: fc.constantFrom(..."A+/=-_ whsec"), maxLength: 3 }),
        )
        .map(([secret, at, insert]) => {
          const index = at % (secret.length + 1);
          return secret.slice(0, index) + insert + secret.slice(index + 1);
        });
      const secretList = fc
        .array(fc.oneof(standardSecret, nearMiss), { minLength: 1, maxLength: 3 })
        .map((secrets) => secrets.join(" "));
      let accepted = 0;
      fc.assert(
        fc.property(secretList, fc.string({ unit: "grapheme" }), (secrets, body) => {
          if (!accepts(secrets)) return;
          accepted++;
          const id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
          const headers = signatureHeaders(secrets, id, Math.floor(Date.now() / 1000), body);
          assert.ok(!(headers instanceof Error), `the notifier cannot sign with ${JSON.stringify(secrets)}`);
          for (const secret of secrets.trim().split(/\s+/)) {
            new Webhook(secret).verify(body, { "webhook-id": id, ...headers }, { jsonParse: false });
          }
        }),
        { numRuns: 300 },
      );
      assert.ok(accepted > 50, `only ${accepted} of 300 generated values were accepted`);
    });

    it('accept every project as projects: ["*"]', () => {
      const [receiver] = load({
        "all-builds.yaml": 'projects: ["*"]\nstatuses: [FAILED]\nurl: { secret: hookUrl }\n',
      });
      assert.deepEqual(receiver.projects, ["*"]);
    });

    it("take onlyOnChange: true with final statuses", () => {
      const [receiver] = load({
        "hook.yaml":
          "projects: [my-app]\nstatuses: [FAILED, SUCCEEDED, STOPPED]\nurl: { secret: hookUrl }\nonlyOnChange: true\n",
      });
      assert.equal(receiver.onlyOnChange, true);
      const [explicit] = load({ "hook.yaml": `${MINIMAL}onlyOnChange: false\n` });
      assert.equal(explicit.onlyOnChange, false);
    });

    it("take TIMED_OUT and FAULT in statuses, alone, beside FAILED, and with onlyOnChange", () => {
      for (const statuses of [["TIMED_OUT"], ["FAULT"], ["FAILED", "TIMED_OUT", "FAULT"]]) {
        for (const onlyOnChange of [false, true]) {
          const [receiver] = load({
            "hook.yaml": `projects: [my-app]\nstatuses: [${statuses.join(", ")}]\nurl: { secret: hookUrl }\nonlyOnChange: ${onlyOnChange}\n`,
          });
          assert.deepEqual([receiver.statuses, receiver.onlyOnChange], [statuses, onlyOnChange]);
        }
      }
    });

    it("leave out receiver files in subfolders, such as the examples", () => {
      const dir = receiversDir({ "hook.yaml": MINIMAL });
      fs.mkdirSync(path.join(dir, "examples"));
      fs.writeFileSync(path.join(dir, "examples", "other.yaml"), MINIMAL);
      assert.deepEqual(
        loadReceivers(dir, configOf(HOOK_CONFIG), { relativeTo: root }).receivers.map(
          (receiver) => receiver.file,
        ),
        ["receivers/hook.yaml"],
      );
    });

    it("are none when the folder is empty or holds no YAML", () => {
      assert.deepEqual(load({}), []);
      assert.deepEqual(load({ ".gitkeep": "", "README.md": "# receivers\n" }), []);
    });
  });

  describe("rejected files", () => {
    it("report a receiver folder that does not exist rather than deploy no receivers", () => {
      assert.throws(() => loadReceivers(path.join(root, "recievers"), configOf({}), { relativeTo: root }), {
        name: "ReceiverConfigError",
        message:
          "The receiver files have 1 problem:\n" +
          "recievers: the receiver folder does not exist; create it (a folder without receiver files deploys no receivers)",
      });
    });

    it("report an unknown field with its line", () => {
      assert.equal(
        rejection({ "hook.yaml": `${MINIMAL}colour: red\n` }),
        "The receiver files have 1 problem:\n" +
          "receivers/hook.yaml: colour (line 4): unknown field; a receiver takes projects, statuses, url, headers, signingSecret, oauth, secrets, onlyOnChange, template, method, on, perBuild, answer, accounts, regions",
      );
    });

    it("report an unknown field inside url", () => {
      assert.equal(
        rejection({
          "hook.yaml": "projects: [my-app]\nstatuses: [FAILED]\nurl: { secret: hookUrl, value: x }\n",
        }),
        "The receiver files have 1 problem:\n" +
          'receivers/hook.yaml: url.value (line 3): unknown field; url takes only "secret"',
      );
    });

    it("report a wrong type", () => {
      assert.equal(
        rejection({ "hook.yaml": "projects: my-app\nstatuses: [FAILED]\nurl: { secret: hookUrl }\n" }),
        "The receiver files have 1 problem:\n" +
          "receivers/hook.yaml: projects (line 1): expected a list of CodeBuild project names, e.g. [my-app], got a string",
      );
    });

    it("report a template written as YAML instead of a string, pointing to the block scalar", () => {
      assert.equal(
        rejection({ "hook.yaml": `${MINIMAL}template:\n  text: hello\n` }),
        "The receiver files have 1 problem:\n" +
          'receivers/hook.yaml: template (line 4): expected the body template as a string, got a mapping; write it as a block scalar: "template: |" followed by the body, indented, on the next lines',
      );
    });

    it("report a URL written into the file without repeating it", () => {
      const pasted = "https://hooks.slack.com/services/T000/B000/pasted-secret";
      const message = rejection({
        "hook.yaml": `projects: [my-app]\nstatuses: [FAILED]\nurl: ${pasted}\n`,
      });
      assert.equal(
        message,
        "The receiver files have 1 problem:\n" +
          "receivers/hook.yaml: url (line 3): expected { secret: <config key> }, where the config key holds the receiver's URL, got a string; url values are secrets: store them with pulumi config set --secret and name the key here",
      );
    });

    it("report an unknown status", () => {
      assert.equal(
        rejection({
          "jira.yaml": "projects: [my-app]\nstatuses: [FAILED, FAIL]\nurl: { secret: hookUrl }\n",
        }),
        "The receiver files have 1 problem:\n" +
          'receivers/jira.yaml: statuses[1] (line 2): "FAIL" is not a build status; use one of IN_PROGRESS, SUCCEEDED, FAILED, FAULT, TIMED_OUT, STOPPED',
      );
    });

    it("report an empty project list", () => {
      assert.equal(
        rejection({ "hook.yaml": "projects: []\nstatuses: [FAILED]\nurl: { secret: hookUrl }\n" }),
        "The receiver files have 1 problem:\n" +
          "receivers/hook.yaml: projects (line 1): is empty; list at least one CodeBuild project",
      );
    });

    it("report a project name CodeBuild would not accept and a project listed twice", () => {
      assert.equal(
        rejection({
          "hook.yaml": "projects:\n  - my-app\n  - my app\nstatuses: [FAILED]\nurl: { secret: hookUrl }\n",
        }),
        "The receiver files have 1 problem:\n" +
          'receivers/hook.yaml: projects[1] (line 3): "my app" is not a CodeBuild project name (2-255 letters, digits, "-" or "_", starting with a letter or digit), nor "*" for every project',
      );
      assert.equal(
        rejection({
          "hook.yaml": "projects: [my-app, my-app]\nstatuses: [FAILED]\nurl: { secret: hookUrl }\n",
        }),
        "The receiver files have 1 problem:\n" +
          'receivers/hook.yaml: projects[1] (line 1): "my-app" is listed twice',
      );
    });

    it("report a method that carries no body", () => {
      assert.equal(
        rejection({ "hook.yaml": `${MINIMAL}method: get\n` }),
        "The receiver files have 1 problem:\n" +
          'receivers/hook.yaml: method (line 4): "get" is not a supported method; use POST, PUT or PATCH (a method that carries the body)',
      );
    });

    it("report a template that is not JSON with the position in the template", () => {
      const template = 'template: |\n  {\n    "project": "$PROJECT",\n    "build": $BUILD_NUMBER\n  }\n';
      assert.equal(
        rejection({ "hook.yaml": MINIMAL + template }),
        "The receiver files have 1 problem:\n" +
          'receivers/hook.yaml: template (line 4): not valid JSON at line 3, column 12 of the template: expected a value, found $BUILD_NUMBER; placeholders go inside JSON strings: "$BUILD_NUMBER"',
      );
    });

    it("hold a template to JSON when the headers config sets a JSON Content-Type", () => {
      assert.equal(
        rejection(
          {
            "hook.yaml": `${MINIMAL}headers: { secret: hookHeaders }\ntemplate: '{"data": {"project": "$PROJECT"},}'\n`,
          },
          { ...HOOK_CONFIG, hookHeaders: '{"Content-Type": "application/vnd.api+json"}' },
        ),
        "The receiver files have 1 problem:\n" +
          'receivers/hook.yaml: template (line 5): not valid JSON at line 1, column 34 of the template: expected a property name in double quotes, found "}"',
      );
    });

    it("report a config secret that is not set, with the command that sets it", () => {
      assert.equal(
        rejection({
          "slack-builds.yaml": "projects: [my-app]\nstatuses: [FAILED]\nurl: { secret: slackWebhookUrl }\n",
        }),
        "The receiver files have 1 problem:\n" +
          'receivers/slack-builds.yaml: url.secret (line 3): config "codebuild-webhooks:slackWebhookUrl" is not set; run: pulumi config set --secret codebuild-webhooks:slackWebhookUrl <value>',
      );
    });

    it("report a config key written with its namespace", () => {
      assert.equal(
        rejection({
          "hook.yaml": "projects: [my-app]\nstatuses: [FAILED]\nurl:\n  secret: codebuild-webhooks:hookUrl\n",
        }),
        "The receiver files have 1 problem:\n" +
          'receivers/hook.yaml: url.secret (line 4): not a config key name; give the key without the "codebuild-webhooks:" namespace, using letters, digits, "_" and "-", starting with a letter',
      );
    });

    it("report a headers config that is not a JSON object of string values", () => {
      const file = { "hook.yaml": `${MINIMAL}headers: { secret: hookHeaders }\n` };
      const expected =
        'it must be a JSON object of header names to string values, e.g. {"Authorization": "Bearer <token>"}';
      const cases: [string, string][] = [
        ["Authorization: Bearer abc", "is not valid JSON"],
        ['["Authorization", "Bearer abc"]', "is a JSON array"],
        ['"Bearer abc"', "is a JSON string"],
        ['{"X-Retry": 3}', "has a header value that is a number"],
        ['{"X-Token": null}', "has a header value that is null"],
      ];
      for (const [headers, problem] of cases) {
        assert.equal(
          rejection(file, { ...HOOK_CONFIG, hookHeaders: headers }),
          "The receiver files have 1 problem:\n" +
            `receivers/hook.yaml: headers.secret (line 4): config "codebuild-webhooks:hookHeaders" ${problem}; ${expected}`,
          headers,
        );
      }
    });

    it("report a url config that is not an absolute http(s) URL", () => {
      for (const url of ["hooks.slack.com/services/T000/B000/XXXX", "ftp://receiver.example/hook", ""]) {
        assert.equal(
          rejection({ "hook.yaml": MINIMAL }, { hookUrl: url }),
          "The receiver files have 1 problem:\n" +
            'receivers/hook.yaml: url.secret (line 3): config "codebuild-webhooks:hookUrl" is not an absolute http(s) URL; set it again: pulumi config set --secret codebuild-webhooks:hookUrl <value>',
          url,
        );
      }
    });

    it("report two files that give the same receiver name", () => {
      assert.equal(
        rejection({ "builds.yaml": MINIMAL, "builds.yml": MINIMAL }),
        "The receiver files have 1 problem:\n" +
          'receivers/builds.yaml, receivers/builds.yml: these files all name the receiver "builds"; keep one of them',
      );
    });

    it("report a file name that cannot name a receiver", () => {
      assert.equal(
        rejection({ "build alerts.yaml": MINIMAL }),
        "The receiver files have 1 problem:\n" +
          'receivers/build alerts.yaml: "build alerts" cannot name a receiver; rename the file using only letters, digits, "_", "-" and "." (the name goes into the /webhooks/<name>/ parameter paths and resource names)',
      );
    });

    it("report a YAML syntax error with its line and column", () => {
      assert.equal(
        rejection({ "hook.yaml": "projects: [my-app]\nstatuses: [FAILED]\nurl: secret: hookUrl\n" }),
        "The receiver files have 1 problem:\n" +
          "receivers/hook.yaml (line 3, column 6): not valid YAML: Nested mappings are not allowed in compact mappings",
      );
      // A tab in the indentation confuses the parser into several errors; the first is the one to fix.
      assert.equal(
        rejection({
          "hook.yaml": "projects:\n  - my-app\n\t- api\nstatuses: [FAILED]\nurl: { secret: hookUrl }\n",
        }),
        "The receiver files have 1 problem:\n" +
          "receivers/hook.yaml (line 3, column 1): not valid YAML: Tabs are not allowed as indentation",
      );
      assert.equal(
        rejection({ "hook.yaml": `${MINIMAL}statuses: [SUCCEEDED]\n` }),
        "The receiver files have 1 problem:\n" +
          "receivers/hook.yaml (line 4, column 1): not valid YAML: Map keys must be unique",
      );
    });

    it("report a file with more than one YAML document", () => {
      assert.equal(
        rejection({ "hook.yaml": `${MINIMAL}---\n${MINIMAL}` }),
        "The receiver files have 1 problem:\n" +
          'receivers/hook.yaml (line 4, column 1): not valid YAML: a second YAML document ("---") starts here; a file holds one receiver',
      );
    });

    it("report an empty file and a file that is not a mapping", () => {
      assert.equal(
        rejection({ "empty.yaml": "# to do\n", "list.yaml": "- my-app\n", "null.yaml": "null\n" }),
        "The receiver files have 3 problems:\n" +
          "receivers/empty.yaml: the file is empty; a receiver needs at least projects, url, and statuses or on\n" +
          "receivers/list.yaml: expected a mapping of receiver fields (projects, statuses, url, headers, signingSecret, oauth, secrets, onlyOnChange, template, method, on, perBuild, answer, accounts, regions), got a list\n" +
          "receivers/null.yaml: expected a mapping of receiver fields (projects, statuses, url, headers, signingSecret, oauth, secrets, onlyOnChange, template, method, on, perBuild, answer, accounts, regions), got nothing",
      );
    });

    it("report every problem of every file in one message, in file and line order", () => {
      const fixture = path.join(__dirname, "fixtures", "receivers", "several-problems");
      assert.throws(
        () =>
          loadReceivers(
            path.join(fixture, "receivers"),
            configOf({ deployAlertsUrl: "https://chat.example/a", teamChatUrl: "https://chat.example/b" }),
            {
              relativeTo: fixture,
            },
          ),
        {
          name: "ReceiverConfigError",
          message:
            "The receiver files have 7 problems:\n" +
            'receivers/nightly.yaml: statuses[1] (line 4): "FAIL" is not a build status; use one of IN_PROGRESS, SUCCEEDED, FAILED, FAULT, TIMED_OUT, STOPPED\n' +
            'receivers/nightly.yaml: url.secret (line 5): config "codebuild-webhooks:nightlyUrl" is not set; run: pulumi config set --secret codebuild-webhooks:nightlyUrl <value>\n' +
            "receivers/nightly.yaml: retries (line 6): unknown field; a receiver takes projects, statuses, url, headers, signingSecret, oauth, secrets, onlyOnChange, template, method, on, perBuild, answer, accounts, regions\n" +
            'receivers/nightly.yml: url.secret (line 3): config "codebuild-webhooks:nightlyUrl" is not set; run: pulumi config set --secret codebuild-webhooks:nightlyUrl <value>\n' +
            'receivers/team chat.yaml: "team chat" cannot name a receiver; rename the file using only letters, digits, "_", "-" and "." (the name goes into the /webhooks/<name>/ parameter paths and resource names)\n' +
            "receivers/team chat.yaml: projects (line 1): is empty; list at least one CodeBuild project\n" +
            'receivers/nightly.yaml, receivers/nightly.yml: these files all name the receiver "nightly"; keep one of them',
        },
      );
    });

    it('report "*" listed beside project names', () => {
      assert.equal(
        rejection({
          "hook.yaml": 'projects:\n  - my-app\n  - "*"\nstatuses: [FAILED]\nurl: { secret: hookUrl }\n',
        }),
        "The receiver files have 1 problem:\n" +
          'receivers/hook.yaml: projects[1] (line 3): "*" stands for every project, so it goes alone: projects: ["*"]',
      );
    });

    it("report an unquoted * as the YAML alias it is, with the quoted form", () => {
      for (const projects of ["projects: [*]", "projects:\n  - *"]) {
        assert.equal(
          rejection({ "hook.yaml": `${projects}\nstatuses: [FAILED]\nurl: { secret: hookUrl }\n` }),
          "The receiver files have 1 problem:\n" +
            `receivers/hook.yaml (line ${projects.split("\n").length}, column ${projects.endsWith("[*]") ? 12 : 5}): ` +
            'not valid YAML: an unquoted * starts a YAML alias; write every project as "*" in quotes: projects: ["*"]',
          projects,
        );
      }
    });

    it("report an onlyOnChange that is not a boolean", () => {
      assert.equal(
        rejection({ "hook.yaml": `${MINIMAL}onlyOnChange: "yes"\n` }),
        "The receiver files have 1 problem:\n" +
          "receivers/hook.yaml: onlyOnChange (line 4): expected true or false, got a string",
      );
    });

    it("report IN_PROGRESS on a receiver told only of changes of the final status", () => {
      assert.equal(
        rejection({
          "hook.yaml":
            "projects: [my-app]\nstatuses:\n  - FAILED\n  - IN_PROGRESS\n  - FIAL\nurl: { secret: hookUrl }\nonlyOnChange: true\n",
        }),
        "The receiver files have 2 problems:\n" +
          "receivers/hook.yaml: statuses[1] (line 4): IN_PROGRESS is not a final status, so a receiver with onlyOnChange: true is never told of it; remove it here, or report it from a receiver without onlyOnChange\n" +
          'receivers/hook.yaml: statuses[2] (line 5): "FIAL" is not a build status; use one of IN_PROGRESS, SUCCEEDED, FAILED, FAULT, TIMED_OUT, STOPPED',
      );
    });

    it("report a signing secret that is not set, with a command that sets a new one", () => {
      assert.equal(
        rejection({ "hook.yaml": SIGNED }),
        "The receiver files have 1 problem:\n" +
          `receivers/hook.yaml: signingSecret.secret (line 4): config "codebuild-webhooks:hookSigningSecret" is not set; run: pulumi config set --secret codebuild-webhooks:hookSigningSecret "whsec_$(openssl rand -base64 64 | tr -d '\\n')"`,
      );
    });

    it("report a signing secret written into the file without repeating it", () => {
      const pasted = signingSecret(32);
      const message = rejection({ "hook.yaml": `${MINIMAL}signingSecret: ${pasted}\n` });
      assert.equal(
        message,
        "The receiver files have 1 problem:\n" +
          "receivers/hook.yaml: signingSecret (line 4): expected { secret: <config key> }, where the config key holds a Standard Webhooks signing secret, got a string; signingSecret values are secrets: store them with pulumi config set --secret and name the key here",
      );
    });

    it("report a signing secret that is not a Standard Webhooks secret of at least 24 bytes, saying which one", () => {
      const setAgain = `set it again: pulumi config set --secret codebuild-webhooks:hookSigningSecret "whsec_$(openssl rand -base64 64 | tr -d '\\n')"`;
      const notStandard = `not a Standard Webhooks signing secret ("whsec_" followed by standard, padded base64); ${setAgain}`;
      const short = `a signing secret of fewer than 24 bytes; Standard Webhooks secrets are 24 to 64 random bytes; ${setAgain}`;
      const base64 = Buffer.alloc(32, 7).toString("base64");
      const cases: [string, string][] = [
        [base64, `is ${notStandard}`],
        [`WHSEC_${base64}`, `is ${notStandard}`],
        [`whsk_${base64}`, `is ${notStandard}`],
        [`whsec_${Buffer.alloc(32, 0xfb).toString("base64url")}`, `is ${notStandard}`],
        [`whsec_${base64.replace(/=+$/, "")}`, `is ${notStandard}`],
        ["whsec_", `is ${notStandard}`],
        ["", `is ${notStandard}`],
        [signingSecret(23), `is ${short}`],
        [`${signingSecret(32)} ${signingSecret(16)}`, `holds 2 secrets; secret 2 is ${short}`],
        [`${signingSecret(32)}, ${signingSecret(32)}`, `holds 2 secrets; secret 1 is ${notStandard}`],
      ];
      for (const [value, problem] of cases) {
        assert.equal(
          rejection({ "hook.yaml": SIGNED }, { ...HOOK_CONFIG, hookSigningSecret: value }),
          "The receiver files have 1 problem:\n" +
            `receivers/hook.yaml: signingSecret.secret (line 4): config "codebuild-webhooks:hookSigningSecret" ${problem}`,
          value,
        );
      }
    });

    it("never show a config value in a message", () => {
      const secret = "s3cr3t-token-value";
      const files = {
        "bad-url.yaml": "projects: [my-app]\nstatuses: [FAILED]\nurl: { secret: badUrl }\n",
        "bad-headers.yaml": `projects: [my-app]\nstatuses: [FAILED]\nurl: { secret: goodUrl }\nheaders: { secret: badJson }\n`,
        "array-headers.yaml": `projects: [my-app]\nstatuses: [FAILED]\nurl: { secret: goodUrl }\nheaders: { secret: arrayHeaders }\n`,
        "number-headers.yaml": `projects: [my-app]\nstatuses: [FAILED]\nurl: { secret: goodUrl }\nheaders: { secret: numberHeaders }\n`,
        "bad-signing.yaml": `projects: [my-app]\nstatuses: [FAILED]\nurl: { secret: goodUrl }\nsigningSecret: { secret: badSigning }\n`,
        "short-signing.yaml": `projects: [my-app]\nstatuses: [FAILED]\nurl: { secret: goodUrl }\nsigningSecret: { secret: shortSigning }\n`,
      };
      const message = rejection(files, {
        badUrl: `receiver.example/${secret}`,
        goodUrl: `https://receiver.example/${secret}`,
        badJson: `{"Authorization": "Bearer ${secret}"`,
        arrayHeaders: `["${secret}"]`,
        numberHeaders: `{"X-${secret}": 1}`,
        badSigning: `whsec_${secret}`,
        shortSigning: `whsec_${Buffer.from(secret).toString("base64")}`,
      });
      assert.match(message, /^The receiver files have 6 problems:/);
      assert.ok(!message.includes(secret), message);
    });
  });

  describe("a secret pasted into a receiver file", () => {
    /** Values users paste: tokens of well-known services, a webhook URL, a JWT, generated keys. */
    const PASTED = [
      "xoxb-123-abc",
      "xoxb-17653672481-19874698323-pdFZKVeTuE15sCcPHxrbGqkW",
      "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
      "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
      `whsec_${Buffer.alloc(32, 7).toString("base64")}`,
      "https://hooks.slack.com/services/T000/B000/XXXXXXXX",
      "hooks.slack.com/services/T000/B000/XXXXXXXX",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjaSJ9.c2lnbmF0dXJl",
      "ZXhhbXBsZUBleGFtcGxlLmNvbTp0b2tlbg==",
      "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      "a8f5f167f44f4964e6c998dee827110c",
      "Bearer abc123",
    ];

    it("is never repeated where a config key belongs, and preview says it looks like the secret", () => {
      for (const field of ["url", "headers", "signingSecret"]) {
        for (const pasted of PASTED) {
          const file =
            field === "url"
              ? `projects: [my-app]\nstatuses: [FAILED]\nurl: { secret: ${JSON.stringify(pasted)} }\n`
              : `${MINIMAL}${field}: { secret: ${JSON.stringify(pasted)} }\n`;
          const message = rejection({ "hook.yaml": file });
          const line = field === "url" ? 3 : 4;
          assert.ok(!message.includes(pasted), message);
          assert.match(
            message,
            new RegExp(
              `^receivers/hook\\.yaml: ${field}\\.secret \\(line ${line}\\): .*this looks like the secret ` +
                `itself; store it with pulumi config set --secret and name the key here`,
              "m",
            ),
            `${field}: ${pasted}`,
          );
        }
      }
    });

    it("shows a key that is not set when it reads as a key name", () => {
      assert.equal(
        rejection({ "hook.yaml": MINIMAL }, {}),
        "The receiver files have 1 problem:\n" +
          'receivers/hook.yaml: url.secret (line 3): config "codebuild-webhooks:hookUrl" is not set; run: pulumi config set --secret codebuild-webhooks:hookUrl <value>',
      );
      assert.equal(
        rejection({ "hook.yaml": "projects: [my-app]\nstatuses: [FAILED]\nurl: { secret: xoxb-123-abc }\n" }),
        "The receiver files have 1 problem:\n" +
          "receivers/hook.yaml: url.secret (line 3): the config key named here is not set; this looks like the secret itself; store it with pulumi config set --secret and name the key here",
      );
      assert.equal(
        rejection({
          "hook.yaml":
            'projects: [my-app]\nstatuses: [FAILED]\nurl: { secret: "https://hooks.example/T0/B0/x" }\n',
        }),
        "The receiver files have 1 problem:\n" +
          'receivers/hook.yaml: url.secret (line 3): not a config key name (letters, digits, "_" and "-", starting with a letter); this looks like the secret itself; store it with pulumi config set --secret and name the key here',
      );
    });

    it("is not repeated as the name of an unknown field", () => {
      const url = "https://hooks.slack.com/services/T000/B000/XXXXXXXX";
      const message = rejection({
        "hook.yaml": `projects: [my-app]\nstatuses: [FAILED]\nurl: { secret: hookUrl, ${url} }\n${PASTED[1]}: 1\n`,
      });
      assert.ok(!message.includes(url) && !message.includes(PASTED[1]), message);
      assert.equal(
        message,
        "The receiver files have 2 problems:\n" +
          'receivers/hook.yaml: url (line 3): unknown field; url takes only "secret"; the field\'s name is not shown: this looks like the secret itself; store it with pulumi config set --secret and name the key here\n' +
          "receivers/hook.yaml (line 4): unknown field; a receiver takes projects, statuses, url, headers, signingSecret, oauth, secrets, onlyOnChange, template, method, on, perBuild, answer, accounts, regions; the field's name is not shown: this looks like the secret itself; store it with pulumi config set --secret and name the key here",
      );
    });

    it("is not repeated by a YAML alias error, which names the field, line and column", () => {
      // A value starting with "*" reads as an alias; its name is never quoted, in any field.
      const cases: [string, string][] = [
        [
          "projects: [my-app]\nstatuses: [FAILED]\nurl: { secret: *xoxb-123-abc }\n",
          "receivers/hook.yaml: url.secret (line 3, column 16): not valid YAML: an unquoted * starts a YAML alias, and no anchor (&name) of its name comes before it; put the value in quotes; this looks like the secret itself; store it with pulumi config set --secret and name the key here",
        ],
        [
          "projects: [my-app]\nstatuses: [FAILED]\nurl: *hooksecret\n",
          "receivers/hook.yaml: url (line 3, column 6): not valid YAML: an unquoted * starts a YAML alias, and no anchor (&name) of its name comes before it; put the value in quotes; this looks like the secret itself; store it with pulumi config set --secret and name the key here",
        ],
        [
          "projects: [my-app]\nstatuses:\n  - &failed FAILED\n  - *STOPPED\nurl: { secret: hookUrl }\n",
          "receivers/hook.yaml: statuses[1] (line 4, column 5): not valid YAML: an unquoted * starts a YAML alias, and no anchor (&name) of its name comes before it; put the value in quotes",
        ],
      ];
      for (const [file, problem] of cases) {
        const message = rejection({ "hook.yaml": file });
        assert.equal(message, `The receiver files have 1 problem:\n${problem}`);
        assert.ok(!/xoxb|hooksecret|STOPPED/.test(message), message);
      }
    });

    it("is not repeated by a YAML syntax error whose parser message quotes the file", () => {
      const cases: [string, string][] = [
        [
          'url: { secret: "hook\\x4gsecret" }\n',
          '(line 1, column 21): not valid YAML: an invalid escape sequence in a "double-quoted" string; write a backslash as \\\\, or put the value in single quotes',
        ],
        [
          "url: |tokensecret\n  x\n",
          "(line 1, column 7): not valid YAML: text after the | or > that starts a block scalar; the text starts on the next line, indented",
        ],
        [
          "%TAG !s! tag:example\n---\nurl: !t!tokensecret x\n",
          '(line 3, column 6): not valid YAML: a YAML tag ("!" and a name) that cannot be resolved; receiver files need no tags: remove it',
        ],
        [
          "url: !!omap [tokensecret: 1, tokensecret: 2]\n",
          '(line 1, column 6): not valid YAML: a YAML tag ("!" and a name) that cannot be resolved; receiver files need no tags: remove it',
        ],
      ];
      for (const [file, problem] of cases) {
        const message = rejection({ "hook.yaml": file });
        assert.equal(message, `The receiver files have 1 problem:\nreceivers/hook.yaml ${problem}`, file);
        assert.ok(!/secret\b|4g/.test(message.replace("single quotes", "")), message);
      }
    });

    it("is not repeated as an unquoted placeholder of a JSON template, braced or not", () => {
      const token = PASTED[2];
      const message = rejection({
        "hook.yaml": `${MINIMAL}template: '{"text": "build failed", "token": $${token}}'\n`,
        "tracker.yaml": `projects: [my-app]\nurl: { secret: hookUrl }\non:\n  broken:\n    template: '{"token": \${${token}}}'\n`,
      });
      assert.equal(
        message,
        "The receiver files have 2 problems:\n" +
          "receivers/hook.yaml: template (line 4): not valid JSON at line 1, column 35 of the template: expected a value, found a placeholder (its name looks like a secret, so it is not shown); placeholders go inside JSON strings, in double quotes\n" +
          "receivers/tracker.yaml: on.broken.template (line 5): not valid JSON at line 1, column 11 of the template: expected a value, found a placeholder (its name looks like a secret, so it is not shown); placeholders go inside JSON strings, in double quotes",
      );
      assert.ok(!message.includes(token.slice(4)), message);
    });

    it("is not repeated as a secrets or remember name: the field path names the map and the entry's line", () => {
      const file = `projects: [my-app]
url: { secret: hookUrl }
secrets:
  ${PASTED[1]}: { secret: routingKey }
  ${PASTED[2]}: { secret: otherKey }
  routing-key: { secret: routingKey }
on:
  broken:
    template: '{}'
    remember:
      ${PASTED[9]}: a..b
      ${PASTED[6]}: id
      1st: key
      ghp_26C7e42F292c6912E7710c838347Ae178B4b: key
      JIRA_ISSUE: key
  still-failing:
    path: /issue/$${PASTED[2]}/$JIRA_ISUE
    template: '{}'
`;
      const notShown = "a name (not shown: it is long or looks like a secret)";
      const secretName =
        'is not a placeholder name (letters, digits and "_", not starting with a digit); the templates write it $NAME, e.g. secrets: { ROUTING_KEY: { secret: pagerDutyRoutingKey } }';
      const rememberedName =
        'is not a placeholder name (letters, digits and "_", not starting with a digit); the name is written $NAME in the later actions, e.g. remember: { JIRA_ISSUE: key }';
      const message = rejection(
        { "names.yaml": file },
        { ...HOOK_CONFIG, routingKey: "R0123456789ABCDEF0123456789ABCDE" },
      );
      assert.equal(
        message,
        "The receiver files have 8 problems:\n" +
          `receivers/names.yaml: secrets (line 4): ${notShown} ${secretName}\n` +
          'receivers/names.yaml: secrets (line 5): config "codebuild-webhooks:otherKey" is not set; run: pulumi config set --secret codebuild-webhooks:otherKey <value>\n' +
          `receivers/names.yaml: secrets (line 6): "routing-key" ${secretName}\n` +
          'receivers/names.yaml: on.broken.remember (line 11): "a..b" is not a field path: names and array indexes joined by ".", e.g. key, fields.id, items.0.key\n' +
          `receivers/names.yaml: on.broken.remember (line 12): ${notShown} ${rememberedName}\n` +
          `receivers/names.yaml: on.broken.remember (line 13): "1st" ${rememberedName}\n` +
          "receivers/names.yaml: on.still-failing.path (line 17): a placeholder (its name looks like a secret, so it is not shown) in the path is a body secret (under secrets); secrets reach bodies only, never a URL, where proxies and servers log them: put it in the template\n" +
          "receivers/names.yaml: on.still-failing.path (line 17): $JIRA_ISUE in the path is neither a built-in placeholder nor a value an action of this receiver remembers (did you mean $JIRA_ISSUE, which on.broken remembers?); its actions remember $JIRA_ISSUE (on.broken) and 2 names that look like secrets (not shown); build variables never reach a URL, so it could never be filled",
      );
      for (const pasted of [PASTED[1], PASTED[2], PASTED[6], PASTED[9], "ghp_26C7e42F"]) {
        assert.ok(!message.includes(pasted), pasted);
      }
      // A YAML alias error names the map too, before the file is read any further.
      assert.equal(
        rejection({ "hook.yaml": `${MINIMAL}secrets:\n  1st: *routingKey\n` }),
        "The receiver files have 1 problem:\n" +
          `receivers/hook.yaml: secrets (line 5, column 8): not valid YAML: an unquoted * starts a YAML alias, and no anchor (&name) of its name comes before it; put the value in quotes; ${"this looks like the secret itself; store it with pulumi config set --secret and name the key here"}`,
      );
    });

    it("is quoted in a field that never holds one only when short and not token-like", () => {
      const statuses = (status: string) =>
        `projects: [my-app]\nstatuses: [${status}]\nurl: { secret: hookUrl }\n`;
      const notShown = "this value (not shown: it is long or looks like a secret)";
      const cases: [string, string][] = [
        [statuses("FAIL"), 'statuses[0] (line 2): "FAIL" is not a build status'],
        [statuses("xoxb-123-abc"), `statuses[0] (line 2): ${notShown} is not a build status`],
        [
          statuses("FAILED_OR_STOPPED_OR_SUCCEEDED_OR_IN_PROGRESS"),
          `statuses[0] (line 2): ${notShown} is not`,
        ],
        [`${MINIMAL}method: get\n`, 'method (line 4): "get" is not a supported method'],
        [`${MINIMAL}method: Bearer abc123\n`, `method (line 4): ${notShown} is not a supported method`],
        [
          "projects: [my app]\nstatuses: [FAILED]\nurl: { secret: hookUrl }\n",
          'projects[0] (line 1): "my app" is not a CodeBuild project name',
        ],
        [
          "projects: [hooks.slack.com/services/T0/B0/x]\nstatuses: [FAILED]\nurl: { secret: hookUrl }\n",
          `projects[0] (line 1): ${notShown} is not a CodeBuild project name`,
        ],
        [
          `projects: [${PASTED[2]}, ${PASTED[2]}]\nstatuses: [FAILED]\nurl: { secret: hookUrl }\n`,
          `projects[1] (line 1): ${notShown} is listed twice`,
        ],
        [
          "projects: [my-app, my-app]\nstatuses: [FAILED]\nurl: { secret: hookUrl }\n",
          'projects[1] (line 1): "my-app" is listed twice',
        ],
      ];
      for (const [file, problem] of cases) {
        const message = rejection({ "hook.yaml": file });
        assert.ok(message.includes(`\nreceivers/hook.yaml: ${problem}`), `${message}\nlacks: ${problem}`);
        for (const pasted of ["xoxb", "Bearer", "slack", PASTED[2]])
          assert.ok(!message.includes(pasted), message);
      }
    });
  });

  describe("secrets set without --secret", () => {
    const FILE = `${SIGNED}headers: { secret: hookHeaders }\n`;
    const CONFIG = {
      hookUrl: "https://receiver.example/hooks/plain-url-token",
      hookSigningSecret: signingSecret(32),
      hookHeaders: '{"Authorization": "Bearer plain-header-token"}',
    };

    it("fail preview, naming the file, field, line and key, with the command that sets it as a secret", () => {
      const message = rejection({ "hook.yaml": FILE }, CONFIG, Object.keys(CONFIG));
      assert.equal(
        message,
        "The receiver files have 3 problems:\n" +
          'receivers/hook.yaml: url.secret (line 3): config "codebuild-webhooks:hookUrl" is set without --secret, so its value is stored in plain text in the stack\'s Pulumi.<stack>.yaml; set it again as a secret: pulumi config set --secret codebuild-webhooks:hookUrl <value>\n' +
          'receivers/hook.yaml: signingSecret.secret (line 4): config "codebuild-webhooks:hookSigningSecret" is set without --secret, so its value is stored in plain text in the stack\'s Pulumi.<stack>.yaml; set it again as a secret: pulumi config set --secret codebuild-webhooks:hookSigningSecret <value>\n' +
          'receivers/hook.yaml: headers.secret (line 5): config "codebuild-webhooks:hookHeaders" is set without --secret, so its value is stored in plain text in the stack\'s Pulumi.<stack>.yaml; set it again as a secret: pulumi config set --secret codebuild-webhooks:hookHeaders <value>',
      );
      for (const value of [...Object.values(CONFIG), "plain-url-token", "plain-header-token"]) {
        assert.ok(!message.includes(value), message);
      }
    });

    it("fail preview for each plain one alone, and pass once all are secrets", () => {
      for (const plain of Object.keys(CONFIG)) {
        assert.match(
          rejection({ "hook.yaml": FILE }, CONFIG, [plain]),
          new RegExp(
            `^The receiver files have 1 problem:\n.*"codebuild-webhooks:${plain}" is set without --secret`,
          ),
        );
      }
      assert.equal(load({ "hook.yaml": FILE }, CONFIG).length, 1);
    });

    it("are reported beside what is wrong with their value", () => {
      assert.equal(
        rejection({ "hook.yaml": MINIMAL }, { hookUrl: "receiver.example/hook" }, ["hookUrl"]),
        "The receiver files have 2 problems:\n" +
          'receivers/hook.yaml: url.secret (line 3): config "codebuild-webhooks:hookUrl" is set without --secret, so its value is stored in plain text in the stack\'s Pulumi.<stack>.yaml; set it again as a secret: pulumi config set --secret codebuild-webhooks:hookUrl <value>\n' +
          'receivers/hook.yaml: url.secret (line 3): config "codebuild-webhooks:hookUrl" is not an absolute http(s) URL; set it again: pulumi config set --secret codebuild-webhooks:hookUrl <value>',
      );
    });
  });

  describe("values wrapped by the commands that encode them", () => {
    const HEADERS_FILE = { "hook.yaml": `${MINIMAL}headers: { secret: hookHeaders }\n` };
    /** An Atlassian API token of 190 characters, with the account's e-mail address, as Basic auth takes it. */
    const credentials = `ops@example.com:ATATT3x${createHash("sha512").update("token").digest("base64url").repeat(3).slice(0, 183)}`;
    const encoded = Buffer.from(credentials).toString("base64");
    /** `printf '%s' <credentials> | base64` on Linux: lines of 76 characters; `$(...)` drops the last newline. */
    const wrappedByGnuBase64 = encoded.replace(/.{76}(?!$)/g, "$&\n");
    const headers = (basic: string) => `{"Authorization": "Basic ${basic}"}`;

    it("take a Basic authorization header encoded with base64 -w0", () => {
      assert.equal(credentials.length - "ops@example.com:".length, 190);
      assert.ok(encoded.length > 76 && !encoded.includes("\n"));
      const [receiver] = load(HEADERS_FILE, { ...HOOK_CONFIG, hookHeaders: headers(encoded) });
      assert.equal(receiver.headersConfigKey, "hookHeaders");
    });

    it("reject one wrapped by base64 without -w0, naming the key and never the value", () => {
      const lineBreak =
        'receivers/hook.yaml: headers.secret (line 4): config "codebuild-webhooks:hookHeaders" has a line break inside a header value (GNU base64 writes lines of 76 characters: encode with base64 -w0); set it again: pulumi config set --secret codebuild-webhooks:hookHeaders <value>';
      // As the shell leaves it in the JSON text, and as a tool that writes JSON (jq) escapes it.
      for (const value of [
        headers(wrappedByGnuBase64),
        JSON.stringify({ Authorization: `Basic ${wrappedByGnuBase64}` }),
      ]) {
        const message = rejection(HEADERS_FILE, { ...HOOK_CONFIG, hookHeaders: value });
        assert.equal(message, `The receiver files have 1 problem:\n${lineBreak}`);
        for (const part of wrappedByGnuBase64.split("\n"))
          assert.ok(!message.includes(part.slice(0, 12)), message);
      }
    });

    it("reject a header name or value HTTP does not allow, naming neither", () => {
      for (const value of ['{"X Token": "abc"}', '{"X-Token": "abc\\u0000"}']) {
        assert.equal(
          rejection(HEADERS_FILE, { ...HOOK_CONFIG, hookHeaders: value }),
          "The receiver files have 1 problem:\n" +
            'receivers/hook.yaml: headers.secret (line 4): config "codebuild-webhooks:hookHeaders" has a header name or value with a character HTTP does not allow; set it again: pulumi config set --secret codebuild-webhooks:hookHeaders <value>',
          value,
        );
      }
    });

    it("take a signing secret of 64 random bytes made as documented, and reject it wrapped", () => {
      const key = randomBytes(64).toString("base64");
      // `openssl rand -base64 64` writes lines of 64 characters; `| tr -d '\n'` joins them.
      const wrapped = `whsec_${key.replace(/.{64}(?!$)/g, "$&\n")}`;
      assert.ok(wrapped.includes("\n"));
      const [receiver] = load({ "hook.yaml": SIGNED }, { ...HOOK_CONFIG, hookSigningSecret: `whsec_${key}` });
      assert.equal(receiver.signingSecretConfigKey, "hookSigningSecret");
      for (const value of [wrapped, `${wrapped} ${signingSecret(32)}`, `${signingSecret(32)}\n${wrapped}`]) {
        const message = rejection({ "hook.yaml": SIGNED }, { ...HOOK_CONFIG, hookSigningSecret: value });
        assert.equal(
          message,
          "The receiver files have 1 problem:\n" +
            `receivers/hook.yaml: signingSecret.secret (line 4): config "codebuild-webhooks:hookSigningSecret" has a line break inside a secret (openssl rand -base64 writes lines of 64 characters; tr -d '\\n' joins them); set it again: pulumi config set --secret codebuild-webhooks:hookSigningSecret "whsec_$(openssl rand -base64 64 | tr -d '\\n')"`,
        );
        assert.ok(!message.includes(key.slice(0, 12)) && !message.includes(key.slice(64, 76)), message);
      }
    });

    it("are made with base64 -w0 and tr -d '\\n' by every command the project documents", () => {
      const documents = [
        "README.md",
        ...fs.readdirSync(path.join(PROJECT_ROOT, "docs")).map((name) => `docs/${name}`),
        "src/receivers/signingSecretConfig.ts",
        ...fs.readdirSync(SHIPPED).map((name) => path.relative(PROJECT_ROOT, path.join(SHIPPED, name))),
        ...fs
          .readdirSync(SHIPPED_RECEIVERS)
          .map((name) => path.relative(PROJECT_ROOT, path.join(SHIPPED_RECEIVERS, name))),
        ...fs
          .readdirSync(path.join(PROJECT_ROOT, "receivers", "examples"))
          .map((name) => `receivers/examples/${name}`),
      ].filter((file) => /\.(md|ya?ml|ts)$/.test(file));
      let commands = 0;
      for (const file of documents) {
        const text = fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");
        for (const [command] of text.matchAll(/\| base64\b[^)\n]*|openssl rand -base64 \d+[^)\n]*/g)) {
          commands++;
          assert.match(
            command,
            /^\| base64 -w0|^openssl rand -base64 \d+ \| tr -d '\\\\?n'/,
            `${file}: ${command}`,
          );
        }
      }
      assert.ok(commands >= 4, `only ${commands} encoding commands found`);
    });
  });

  describe("a config key shared by receivers", () => {
    const SITE = {
      jiraIssuesUrl: "https://example.atlassian.net/rest/api/2/issue",
      jiraBaseUrl: "https://EXAMPLE.atlassian.net:443",
      jiraAuthHeaders: '{"Authorization": "Basic ZXhhbXBsZUBleGFtcGxlLmNvbTp0b2tlbg=="}',
      slackWebhookUrl: "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX",
      signing: signingSecret(32),
    };
    /** A receiver of FAILED builds of my-app, with `rest` (YAML fields) beside its URL. */
    const receiver = (urlKey: string, rest = "") =>
      `projects: [my-app]\nstatuses: [FAILED]\nurl: { secret: ${urlKey} }\n${rest}`;
    const serves = (key: string, other: string, field: string, url = "URL") =>
      `config "codebuild-webhooks:${key}" also serves receivers/${other}.yaml (${field}), whose ${url} has another origin (scheme, host or port) than this receiver's; ` +
      (url === "URL"
        ? "a config key serves receivers of one origin only, so that the URL or credentials it holds go nowhere else"
        : "OAuth client credentials go to the token endpoints of one origin only") +
      ": give one of the two receivers a key of its own";

    it("may serve receivers whose URLs share one origin, whatever their paths, and a URL key any receivers", () => {
      const { receivers } = loadWithWarnings(
        {
          "jira-bugs.yaml": receiver("jiraIssuesUrl", "headers: { secret: jiraAuthHeaders }\n"),
          "jira-streak.yaml":
            "projects: [api]\nurl: { secret: jiraBaseUrl }\nheaders: { secret: jiraAuthHeaders }\n" +
            "on:\n  broken:\n    path: /rest/api/2/issue\n    template: '{}'\n",
          "slack-a.yaml": receiver("slackWebhookUrl", "signingSecret: { secret: signing }\n"),
          "slack-b.yaml": `projects: [api]\nstatuses: [FAILED]\nurl: { secret: slackWebhookUrl }\nsigningSecret: { secret: signing }\n`,
        },
        SITE,
      );
      assert.equal(receivers.length, 4);
    });

    it("may not carry one receiver's credentials to another origin, naming both files and the key, never a value", () => {
      const files = {
        "jira.yaml": receiver(
          "jiraIssuesUrl",
          "headers: { secret: jiraAuthHeaders }\nsigningSecret: { secret: signing }\n",
        ),
        "slack.yaml": receiver(
          "slackWebhookUrl",
          "headers: { secret: jiraAuthHeaders }\nsecrets:\n  TOKEN: { secret: jiraIssuesUrl }\n  SIGNING: { secret: signing }\n",
        ),
      };
      const message = rejection(files, SITE);
      assert.equal(
        message,
        "The receiver files have 3 problems:\n" +
          `receivers/slack.yaml: headers.secret (line 4): ${serves("jiraAuthHeaders", "jira", "headers")}\n` +
          `receivers/slack.yaml: secrets.TOKEN.secret (line 6): ${serves("jiraIssuesUrl", "jira", "url")}\n` +
          `receivers/slack.yaml: secrets.SIGNING.secret (line 7): ${serves("signing", "jira", "signingSecret")}`,
      );
      for (const value of Object.values(SITE)) {
        for (const part of value.split(/[^A-Za-z0-9]+/).filter((word) => word.length > 6)) {
          assert.ok(!message.includes(part), part);
        }
      }
    });

    it("tells origins apart by scheme, host and port", () => {
      for (const otherUrl of [
        "http://example.atlassian.net/rest/api/2/issue",
        "https://example.atlassian.net:8443/rest/api/2/issue",
        "https://other.atlassian.net/rest/api/2/issue",
      ]) {
        assert.equal(
          rejection(
            {
              "a.yaml": receiver("jiraIssuesUrl", "headers: { secret: jiraAuthHeaders }\n"),
              "b.yaml": receiver("otherUrl", "headers: { secret: jiraAuthHeaders }\n"),
            },
            { ...SITE, otherUrl },
          ),
          "The receiver files have 1 problem:\n" +
            `receivers/b.yaml: headers.secret (line 4): ${serves("jiraAuthHeaders", "a", "headers")}`,
          otherUrl,
        );
      }
    });

    it("leaves a URL that is not one to its own problem", () => {
      assert.equal(
        rejection(
          {
            "a.yaml": receiver("jiraIssuesUrl", "headers: { secret: jiraAuthHeaders }\n"),
            "b.yaml": receiver("badUrl", "headers: { secret: jiraAuthHeaders }\n"),
          },
          { ...SITE, badUrl: "example.atlassian.net/rest/api/2/issue" },
        ),
        "The receiver files have 1 problem:\n" +
          'receivers/b.yaml: url.secret (line 3): config "codebuild-webhooks:badUrl" is not an absolute http(s) URL; set it again: pulumi config set --secret codebuild-webhooks:badUrl <value>',
      );
    });

    describe("with OAuth client credentials", () => {
      const OAUTH = {
        ...SITE,
        incidentsUrl: "https://example.service-now.com/api/now/table/incident",
        changesUrl: "https://example.service-now.com/api/now/table/change_request",
        tokenUrl: "https://example.service-now.com/oauth_token.do",
        otherTokenUrl: "https://login.example.com/oauth2/token",
        clientId: "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        clientSecret: "client-secret-value",
      };
      const oauthReceiver = (urlKey: string, tokenUrlKey = "tokenUrl") =>
        `projects: [my-app]\nstatuses: [FAILED]\nurl: { secret: ${urlKey} }\noauth:\n` +
        `  tokenUrl: { secret: ${tokenUrlKey} }\n  clientId: { secret: clientId }\n  clientSecret: { secret: clientSecret }\n`;

      it("may serve receivers of one origin that get their tokens from one origin, the token endpoint's being another", () => {
        const config = {
          ...OAUTH,
          tokenUrl: OAUTH.otherTokenUrl,
          sameTokenUrl: `${OAUTH.otherTokenUrl}?tenant=1`,
        };
        const { receivers } = loadWithWarnings(
          {
            "changes.yaml": oauthReceiver("changesUrl"),
            "incidents.yaml": oauthReceiver("incidentsUrl", "sameTokenUrl"),
          },
          config,
        );
        assert.equal(receivers.length, 2);
      });

      it("may not send their bearer token to another origin, nor the client secret to another token endpoint", () => {
        assert.equal(
          rejection(
            {
              "changes.yaml": oauthReceiver("changesUrl"),
              "incidents.yaml": oauthReceiver("incidentsUrl", "otherTokenUrl"),
              "slack.yaml": oauthReceiver("slackWebhookUrl"),
            },
            OAUTH,
          ),
          "The receiver files have 5 problems:\n" +
            `receivers/incidents.yaml: oauth.clientId.secret (line 6): ${serves("clientId", "changes", "oauth.clientId", "OAuth token URL")}\n` +
            `receivers/incidents.yaml: oauth.clientSecret.secret (line 7): ${serves("clientSecret", "changes", "oauth.clientSecret", "OAuth token URL")}\n` +
            `receivers/slack.yaml: oauth.tokenUrl.secret (line 5): ${serves("tokenUrl", "changes", "oauth.tokenUrl")}\n` +
            `receivers/slack.yaml: oauth.clientId.secret (line 6): ${serves("clientId", "changes", "oauth.clientId")}\n` +
            `receivers/slack.yaml: oauth.clientSecret.secret (line 7): ${serves("clientSecret", "changes", "oauth.clientSecret")}`,
        );
      });

      it("may not send a key another field sends to a URL to a token endpoint of another origin, nor the other way round", () => {
        const config = { ...OAUTH, trackerTokenUrl: "https://collector.example.net/oauth/token" };
        /** Jira's URL, and an OAuth client at the tracker's token endpoint, its `id` and `secret` keys. */
        const tracker = (id: string, secret: string, urlKey = "jiraIssuesUrl") =>
          `projects: [my-app]\nstatuses: [FAILED]\nurl: { secret: ${urlKey} }\noauth:\n` +
          `  tokenUrl: { secret: trackerTokenUrl }\n  clientId: { secret: ${id} }\n  clientSecret: { secret: ${secret} }\n`;
        const sent = (key: string, file: string, field: string, from: string, to: string) =>
          `config "codebuild-webhooks:${key}" is also named by ${file} (${field}), which sends it to its ${from}; ` +
          `here it goes to this receiver's ${to}, of another origin (scheme, host or port); a config key's value ` +
          "goes to one origin only, whatever field names it: give one of the two receivers a key of its own";
        const jira = receiver("jiraIssuesUrl", "headers: { secret: jiraAuthHeaders }\n");
        const cases: [Record<string, string>, string][] = [
          // Jira's Authorization as another receiver's client secret, or client ID, of Jira's URL.
          [
            { "a-jira.yaml": jira, "b-tracker.yaml": tracker("clientId", "jiraAuthHeaders") },
            `receivers/b-tracker.yaml: oauth.clientSecret.secret (line 7): ${sent("jiraAuthHeaders", "receivers/a-jira.yaml", "headers", "URL", "OAuth token URL")}`,
          ],
          [
            { "a-jira.yaml": jira, "c-tracker.yaml": tracker("jiraAuthHeaders", "clientSecret") },
            `receivers/c-tracker.yaml: oauth.clientId.secret (line 6): ${sent("jiraAuthHeaders", "receivers/a-jira.yaml", "headers", "URL", "OAuth token URL")}`,
          ],
          // Slack's URL, which holds its token, as the client secret of a file of its own.
          [
            { "d-slack.yaml": tracker("clientId", "slackWebhookUrl", "slackWebhookUrl") },
            `receivers/d-slack.yaml: oauth.clientSecret.secret (line 7): ${sent("slackWebhookUrl", "this file", "url", "URL", "OAuth token URL")}`,
          ],
          // A client secret, then the same key as a body secret, sent to the receiver's URL.
          [
            {
              "e-client.yaml": tracker("clientId", "clientSecret"),
              "f-body.yaml": receiver("jiraIssuesUrl", "secrets:\n  TOKEN: { secret: clientSecret }\n"),
            },
            `receivers/f-body.yaml: secrets.TOKEN.secret (line 5): ${sent("clientSecret", "receivers/e-client.yaml", "oauth.clientSecret", "OAuth token URL", "URL")}`,
          ],
        ];
        for (const [files, problem] of cases) {
          const message = rejection(files, config);
          assert.equal(message, `The receiver files have 1 problem:\n${problem}`);
          assert.ok(!message.includes("collector.example.net") && !message.includes("Basic"), message);
        }
      });
    });
  });

  describe("receivers with actions per transition (on)", () => {
    const JIRA_CONFIG = {
      jiraBaseUrl: "https://example.atlassian.net",
      jiraAuthHeaders: '{"Authorization": "Basic ZXhhbXBsZUBleGFtcGxlLmNvbTp0b2tlbg=="}',
    };
    /** The receiver file as a user writes it to keep one Jira issue per failure streak. */
    const JIRA_STREAK = `projects: [my-app]
url: { secret: jiraBaseUrl }          # https://example.atlassian.net
headers: { secret: jiraAuthHeaders }
on:
  broken:
    path: /rest/api/2/issue
    template: |
      { "fields": { "project": { "key": "OPS" }, "issuetype": { "name": "Bug" },
                    "summary": "$PROJECT is failing", "description": "$BUILD_URL" } }
    remember: { JIRA_ISSUE: key }
  still-failing:
    path: /rest/api/2/issue/$JIRA_ISSUE/comment
    template: '{ "body": "Still failing ($FAILURE_COUNT builds): build #$BUILD_NUMBER $BUILD_URL" }'
  fixed:
    path: /rest/api/2/issue/$JIRA_ISSUE/transitions
    template: '{ "transition": { "id": "31" } }'
`;
    /** A receiver of `hookUrl` with the given `on` mapping (YAML, indented under on:). */
    const withActions = (actions: string, rest = "") =>
      `projects: [my-app]\nurl: { secret: hookUrl }\n${rest}on:\n${actions.replace(/^/gm, "  ")}\n`;

    it("take each transition's template, path, method and remembered fields, and hear FAILED and SUCCEEDED", () => {
      const { receivers, warnings } = loadWithWarnings({ "jira.yaml": JIRA_STREAK }, JIRA_CONFIG);
      assert.deepEqual(warnings, []);
      assert.deepEqual(receivers, [
        {
          name: "jira",
          file: "receivers/jira.yaml",
          projects: ["my-app"],
          statuses: ["FAILED", "SUCCEEDED"],
          method: "POST",
          urlConfigKey: "jiraBaseUrl",
          headersConfigKey: "jiraAuthHeaders",
          onlyOnChange: false,
          actions: {
            broken: {
              path: "/rest/api/2/issue",
              template:
                '{ "fields": { "project": { "key": "OPS" }, "issuetype": { "name": "Bug" },\n' +
                '              "summary": "$PROJECT is failing", "description": "$BUILD_URL" } }\n',
              method: "POST",
              remember: { JIRA_ISSUE: "key" },
            },
            "still-failing": {
              path: "/rest/api/2/issue/$JIRA_ISSUE/comment",
              template:
                '{ "body": "Still failing ($FAILURE_COUNT builds): build #$BUILD_NUMBER $BUILD_URL" }',
              method: "POST",
            },
            fixed: {
              path: "/rest/api/2/issue/$JIRA_ISSUE/transitions",
              template: '{ "transition": { "id": "31" } }',
              method: "POST",
            },
          },
        },
      ]);
    });

    it("give an action the receiver's method unless it names its own, in any case", () => {
      const [receiver] = load({
        "hook.yaml": withActions(
          "broken:\n  template: '{}'\nfixed:\n  template: '{}'\n  method: patch",
          "method: put\n",
        ),
      });
      assert.equal(receiver.method, "PUT");
      assert.deepEqual(
        Object.fromEntries(
          Object.entries(receiver.actions ?? {}).map(([transition, action]) => [transition, action.method]),
        ),
        { broken: "PUT", fixed: "PATCH" },
      );
    });

    it("refuse on beside statuses, template or onlyOnChange, naming the file and each field", () => {
      assert.equal(
        rejection({
          "hook.yaml": withActions(
            "broken:\n  template: '{}'",
            "statuses: [FAILED]\nonlyOnChange: false\ntemplate: '{}'\n",
          ),
        }),
        "The receiver files have 3 problems:\n" +
          "receivers/hook.yaml: statuses (line 3): not with on: a receiver with actions under on hears the FAILED and SUCCEEDED builds its transitions fall on; remove statuses, or remove on to be told of every build of these statuses\n" +
          "receivers/hook.yaml: onlyOnChange (line 4): not with on: transitions are changes already (broken and fixed are the changes onlyOnChange reports); remove onlyOnChange\n" +
          "receivers/hook.yaml: template (line 5): not with on: each action under on sends a template of its own; move this body into an action (on.<transition>.template), or remove on",
      );
    });

    it("refuse a receiver with neither statuses nor on", () => {
      assert.equal(
        rejection({ "hook.yaml": "projects: [my-app]\nurl: { secret: hookUrl }\n" }),
        "The receiver files have 1 problem:\n" +
          "receivers/hook.yaml: statuses: missing; list the build statuses to report, from IN_PROGRESS, SUCCEEDED, FAILED, FAULT, TIMED_OUT, STOPPED, or declare actions per transition under on (broken, still-failing, fixed)",
      );
    });

    it("refuse an on without an action, a transition not known, an action field not known and an action without a template", () => {
      assert.equal(
        rejection({
          "empty.yaml": withActions("{}"),
          "nothing.yaml": "projects: [my-app]\nurl: { secret: hookUrl }\non:\n",
          "wrong.yaml": withActions(
            "reopened:\n  template: '{}'\nbroken:\n  body: '{}'\nfixed: '{}'\nstill-failing:\n  template: { text: x }",
          ),
        }),
        "The receiver files have 7 problems:\n" +
          "receivers/empty.yaml: on (line 3): declares no action; give at least one of broken, still-failing, fixed\n" +
          "receivers/nothing.yaml: on (line 3): expected a mapping of transitions (broken, still-failing, fixed) to actions, got nothing\n" +
          "receivers/wrong.yaml: on.reopened (line 4): not a transition; on takes broken, still-failing, fixed\n" +
          "receivers/wrong.yaml: on.broken.template (line 6): missing; write the request body this action sends (template: | and the body on the next lines)\n" +
          "receivers/wrong.yaml: on.broken.body (line 7): unknown field; an action takes template, path, method and remember\n" +
          "receivers/wrong.yaml: on.fixed (line 8): expected an action: a mapping with a template, and optionally path, method and remember, got a string\n" +
          'receivers/wrong.yaml: on.still-failing.template (line 10): expected the body template as a string, got a mapping; write it as a block scalar: "template: |" followed by the body, indented, on the next lines',
      );
    });

    it("refuse a path that does not start with /, holds a query or fragment, or a character a path takes only encoded, without repeating it", () => {
      const message = rejection({
        "hook.yaml": withActions(
          [
            "broken:\n  path: rest/v9/ticket\n  template: '{}'",
            "still-failing:\n  path: /services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX?token=xoxb-1234#top\n  template: '{}'",
            "fixed:\n  path: /issue/$PROJECT/a comment\n  template: '{}'",
          ].join("\n"),
        ),
      });
      assert.equal(
        message,
        "The receiver files have 3 problems:\n" +
          'receivers/hook.yaml: on.broken.path (line 5): must start with "/": it is appended to the receiver\'s URL, e.g. path: /rest/api/2/issue\n' +
          'receivers/hook.yaml: on.still-failing.path (line 8): holds a "?" or "#": a path takes no query or fragment; put a query in the receiver\'s URL (its secret), which keeps it after the path\n' +
          'receivers/hook.yaml: on.fixed.path (line 11): holds a character a URL path takes only percent-encoded (a space, a quote, "{", a "%" not followed by two hex digits...); write it encoded, e.g. %20 for a space',
      );
      for (const written of ["v9/ticket", "XXXXXXXX", "xoxb", "a comment"])
        assert.ok(!message.includes(written), written);
      // Placeholders, "$$" and percent-encoded characters are what a path may hold.
      assert.deepEqual(
        load({
          "hook.yaml": withActions(
            "fixed:\n  path: /issue/${PROJECT}/$$cost/caf%C3%A9/a:b@c;d=e\n  template: '{}'",
          ),
        })[0].actions?.fixed?.path,
        "/issue/${PROJECT}/$$cost/caf%C3%A9/a:b@c;d=e",
      );
    });

    it("refuse a path that could leave the receiver URL's path: a dot segment in any encoding, an encoded %, a backslash, naming the field and line, not the path", () => {
      const climbs =
        'the path holds a "." or ".." segment (written, percent-encoded, or between backslashes or encoded slashes), which would send the request above the receiver URL\'s path';
      const backslash =
        'holds a character a URL path takes only percent-encoded (a space, a quote, "{", a "%" not followed by two hex digits...); write it encoded, e.g. %20 for a space';
      const encodedPercent =
        'the path holds %25, an encoded "%", which a server decoding the path a second time (behind a proxy that decoded it once) reads as another escape: %252e%252e climbs above the receiver URL\'s path as .. does; write each character as it is or encoded once, and no "%" in a value';
      const cases: [string, string][] = [
        ["/rest/api/2/issue/../../../other-tenant", climbs],
        ["/./issue", climbs],
        ["/issue/.", climbs],
        ["/%2e%2e/admin", climbs],
        ["/%2E./admin", climbs],
        ["/.%2e/admin", climbs],
        ["/%2e/admin", climbs],
        ["/issue/..%2Fadmin", climbs],
        ["/issue/%5c../admin", climbs],
        ["/issue/..;jsessionid=1/admin", climbs],
        ["/$JIRA_ISSUE/../../admin", climbs],
        ["/issue\\..\\admin", climbs],
        ["/issue\\comment", backslash],
        ["/%252e%252e/%252e%252e/other-tenant", encodedPercent],
        ["/issue/100%25", encodedPercent],
      ];
      const files = Object.fromEntries(
        cases.map(([written], index) => [
          `case-${String(index).padStart(2, "0")}.yaml`,
          withActions(
            `broken:\n  template: '{}'\n  remember: { JIRA_ISSUE: key }\nfixed:\n  path: '${written}'\n  template: '{}'`,
          ),
        ]),
      );
      const message = rejection(files);
      assert.equal(
        message,
        `The receiver files have ${cases.length} problems:\n` +
          cases
            .map(
              ([, problem], index) =>
                `receivers/case-${String(index).padStart(2, "0")}.yaml: on.fixed.path (line 8): ${problem}`,
            )
            .join("\n"),
      );
      for (const written of ["other-tenant", "admin", "jsessionid", "comment"]) {
        assert.ok(!message.includes(written), written);
      }
      // Dots that make no dot segment, and an encoded slash inside a segment, are ordinary text.
      for (const path of [
        "/issue/...",
        "/v1.2/..x/x..",
        "/.well-known/hook",
        "/%2e%2ex",
        "/$JIRA_ISSUE.json",
        "/projects/group%2Fapp",
      ]) {
        const [receiver] = load({
          "hook.yaml": withActions(
            `broken:\n  template: '{}'\n  remember: { JIRA_ISSUE: key }\nfixed:\n  path: '${path}'\n  template: '{}'`,
          ),
        });
        assert.equal(receiver.actions?.fixed?.path, path);
      }
    });

    it("refuse remembered names that are not placeholder names or are built-in ones, and field paths that are not dotted names and indexes", () => {
      assert.equal(
        rejection({
          "hook.yaml": withActions(
            "broken:\n  template: '{}'\n  remember:\n    PROJECT: key\n    1st: id\n    ISSUE: fields..id\n    ALERT: 7\n    ITEM: items.0.key",
          ),
        }),
        "The receiver files have 4 problems:\n" +
          "receivers/hook.yaml: on.broken.remember.PROJECT (line 7): PROJECT is a built-in placeholder, which the notifier fills itself; remember the value under a name of your own\n" +
          'receivers/hook.yaml: on.broken.remember (line 8): "1st" is not a placeholder name (letters, digits and "_", not starting with a digit); the name is written $NAME in the later actions, e.g. remember: { JIRA_ISSUE: key }\n' +
          'receivers/hook.yaml: on.broken.remember.ISSUE (line 9): "fields..id" is not a field path: names and array indexes joined by ".", e.g. key, fields.id, items.0.key\n' +
          "receivers/hook.yaml: on.broken.remember.ALERT (line 10): expected a field path of the answer, e.g. key or fields.id, got a number",
      );
    });

    it("refuse a placeholder in a path that is neither built in nor remembered by an action of the receiver, with the name it most likely means", () => {
      const streak = (stillFailingPath: string, rememberLine = "  remember: { JIRA_ISSUE: key }\n") =>
        withActions(
          `broken:\n  template: '{}'\n${rememberLine}still-failing:\n  path: ${stillFailingPath}\n  template: '{}'`,
        );
      assert.equal(
        rejection({ "typo.yaml": streak("/issue/$JIRA_ISUE/comment") }),
        "The receiver files have 1 problem:\n" +
          "receivers/typo.yaml: on.still-failing.path (line 8): $JIRA_ISUE in the path is neither a built-in placeholder nor a value an action of this receiver remembers (did you mean $JIRA_ISSUE, which on.broken remembers?); its actions remember $JIRA_ISSUE (on.broken); build variables never reach a URL, so it could never be filled",
      );
      assert.equal(
        rejection({ "none.yaml": streak("/issue/$JIRA_ISSUE", "") }),
        "The receiver files have 1 problem:\n" +
          "receivers/none.yaml: on.still-failing.path (line 7): $JIRA_ISSUE in the path is neither a built-in placeholder nor a value an action of this receiver remembers; no action of this receiver remembers a value (remember: { NAME: field } keeps one from an answer); build variables never reach a URL, so it could never be filled",
      );
      assert.deepEqual(
        load({ "hook.yaml": streak("/project/${PROJECT}/issue/$JIRA_ISSUE/comment") })[0].actions?.[
          "still-failing"
        ]?.path,
        "/project/${PROJECT}/issue/$JIRA_ISSUE/comment",
      );
    });

    it("refuse a remembered value in the broken action, which opens the streak before anything is remembered", () => {
      assert.equal(
        rejection({
          "hook.yaml": withActions(
            "broken:\n  path: /alerts/$ALERT_ID\n  template: '{}'\n  remember: { ALERT_ID: id }\nfixed:\n  path: /alerts/$ALERT_ID/close\n  template: '{}'",
          ),
        }),
        "The receiver files have 1 problem:\n" +
          "receivers/hook.yaml: on.broken.path (line 5): $ALERT_ID in the path is a value on.broken remembers from an answer, and broken opens the failure streak: nothing of the streak is remembered yet when it is sent, so it could never be filled here",
      );
    });

    it("take a receiver with only still-failing, or only fixed, each sent when it happens", () => {
      const { receivers, warnings } = loadWithWarnings({
        "fixed-only.yaml": withActions(
          'fixed:\n  template: \'{"text": "$PROJECT is fixed after $FAILURE_COUNT failed builds"}\'',
        ),
        "still-failing-only.yaml": withActions(
          'still-failing:\n  path: /alerts/$PROJECT/notes\n  template: \'{"note": "build #$BUILD_NUMBER failed too"}\'',
        ),
      });
      assert.deepEqual(warnings, []);
      assert.deepEqual(
        receivers.map((receiver) => [receiver.name, receiver.statuses, Object.keys(receiver.actions ?? {})]),
        [
          ["fixed-only", ["FAILED", "SUCCEEDED"], ["fixed"]],
          ["still-failing-only", ["FAILED", "SUCCEEDED"], ["still-failing"]],
        ],
      );
    });

    it("refuse a value only fixed remembers, which ends the streak, and warn of one only still-failing remembers", () => {
      assert.equal(
        rejection({
          "alerts.yaml": withActions(
            "broken:\n  template: '{}'\nfixed:\n  path: /alerts/$ALERT/close\n  template: '{\"alert\": \"$ALERT\"}'\n  remember: { ALERT: id }",
          ),
        }),
        "The receiver files have 2 problems:\n" +
          "receivers/alerts.yaml: on.fixed.path (line 7): $ALERT in the path is a value only on.fixed remembers from an answer, and fixed ends the failure streak, whose remembered values end with it: it could never be filled here\n" +
          "receivers/alerts.yaml: on.fixed.template (line 8): $ALERT at line 1 of the template is a value only on.fixed remembers from an answer, and fixed ends the failure streak, whose remembered values end with it: it could never be filled here",
      );
      const missing = (
        field: string,
        line: number,
        without: string,
        then = field.endsWith("path") ? "the action is not sent" : "the placeholder is sent as written",
      ) =>
        `receivers/comments.yaml: on.${field} (line ${line}): $COMMENT ${field.endsWith("path") ? "in the path" : "at line 1 of the template"} is a value only on.still-failing remembers from an answer, so ${without} has none: for it, ${then}`;
      const first = "the first still-failing of each streak";
      const single = "the fix of a streak without a still-failing (a single failed build)";
      assert.deepEqual(
        loadWithWarnings({
          "comments.yaml": withActions(
            'still-failing:\n  path: /comment/$COMMENT\n  template: \'{"text": "$COMMENT"}\'\n  remember: { COMMENT: id }\n' +
              'fixed:\n  path: /comment/$COMMENT/resolve\n  template: \'{"text": "$COMMENT"}\'\n  remember: { RESOLUTION: id }',
          ),
        }).warnings,
        [
          missing("still-failing.path", 5, first),
          missing("still-failing.template", 6, first),
          missing("fixed.path", 9, single),
          missing("fixed.template", 10, single),
          "receivers/comments.yaml: on.fixed.remember (line 11): fixed ends the failure streak, and the next streak remembers afresh: no action can use what fixed remembers; remove remember here",
        ],
      );
    });

    it("refuse a placeholder that another receiver remembers, naming that receiver's action", () => {
      const chat =
        'projects: [my-app]\nstatuses: [FAILED]\nurl: { secret: chatUrl }\ntemplate: \'{"text": "$PROJECT failed: $JIRA_ISSUE"}\'\n';
      assert.equal(
        rejection(
          { "chat.yaml": chat, "jira.yaml": JIRA_STREAK },
          { ...JIRA_CONFIG, chatUrl: "https://chat.example/hook" },
        ),
        "The receiver files have 1 problem:\n" +
          "receivers/chat.yaml: template (line 4): $JIRA_ISSUE at line 1 of the template is remembered by receivers/jira.yaml (on.broken.remember), not by an action of this receiver; remembered values belong to the receiver that remembered them, so it could never be filled here",
      );
    });

    it("know the remembered names in the receiver's templates, warn of other names, and refuse a mistyped remembered one", () => {
      const streak = (stillFailingTemplate: string) =>
        withActions(
          `broken:\n  template: '{}'\n  remember: { ALERT_ID: data.id }\nstill-failing:\n  template: '${stillFailingTemplate}'`,
        );
      assert.deepEqual(
        loadWithWarnings({
          "hook.yaml": streak('{"id": "$ALERT_ID ${ALERT_ID} $TRANSITION $FAILURE_COUNT"}'),
        }).warnings,
        [],
      );
      assert.deepEqual(
        loadWithWarnings({ "hook.yaml": streak('{"branch": "$GIT_BRANCH", "n": "$FAILURE_CONT"}') }).warnings,
        [
          "receivers/hook.yaml: on.still-failing.template (line 8): $GIT_BRANCH at line 1 of the template is neither a built-in placeholder nor a value this receiver remembers; unless the build sets a variable of that name it is sent as written (write $$ for a literal $)",
          "receivers/hook.yaml: on.still-failing.template (line 8): $FAILURE_CONT at line 1 of the template is neither a built-in placeholder nor a value this receiver remembers (did you mean $FAILURE_COUNT, the consecutive failed builds of the project's current failure streak?); unless the build sets a variable of that name it is sent as written (write $$ for a literal $)",
        ],
      );
      assert.equal(
        rejection({ "hook.yaml": streak('{"id": "$ALERT_IDS"}') }),
        "The receiver files have 1 problem:\n" +
          "receivers/hook.yaml: on.still-failing.template (line 8): $ALERT_IDS at line 1 of the template is not a value an action of this receiver remembers (did you mean $ALERT_ID, which on.broken remembers?); as written it could never be filled",
      );
    });

    it("hold each action's template to JSON when the body is JSON, and not when the headers say it is text", () => {
      const file = withActions(
        "broken:\n  template: '{\"text\": $PROJECT}'\nfixed:\n  template: |\n    $PROJECT is fixed",
        "headers: { secret: hookHeaders }\n",
      );
      assert.equal(
        rejection({ "hook.yaml": file }, { ...HOOK_CONFIG, hookHeaders: "{}" }),
        "The receiver files have 2 problems:\n" +
          'receivers/hook.yaml: on.broken.template (line 6): not valid JSON at line 1, column 10 of the template: expected a value, found $PROJECT; placeholders go inside JSON strings: "$PROJECT"\n' +
          'receivers/hook.yaml: on.fixed.template (line 8): not valid JSON at line 1, column 1 of the template: expected a value, found $PROJECT; placeholders go inside JSON strings: "$PROJECT"',
      );
      assert.equal(
        load({ "hook.yaml": file }, { ...HOOK_CONFIG, hookHeaders: '{"Content-Type": "text/plain"}' })[0]
          .actions?.fixed?.template,
        "$PROJECT is fixed\n",
      );
    });
  });

  describe("warnings", () => {
    it("are none for sound receivers", () => {
      assert.deepEqual(
        loadWithWarnings({ "hook.yaml": `${MINIMAL}template: '{"text": "$PROJECT $STATUS"}'\n` }).warnings,
        [],
      );
    });

    describe("two receivers that send each notice twice", () => {
      const receiver = (projects: string, statuses: string, urlKey = "hookUrl") =>
        `projects: ${projects}\nstatuses: ${statuses}\nurl: { secret: ${urlKey} }\n`;
      const config = { ...HOOK_CONFIG, otherUrl: "https://other.example/hook" };

      it("are named, with the builds notified twice, when they share a URL key, projects and statuses", () => {
        const { receivers, warnings } = loadWithWarnings(
          {
            "a.yaml": receiver("[my-app, api]", "[FAILED, SUCCEEDED]"),
            "b.yaml": receiver("[api, web]", "[FAILED, STOPPED]"),
            "c.yaml": receiver('["*"]', "[SUCCEEDED, FAILED]"),
          },
          config,
        );
        assert.equal(receivers.length, 3);
        assert.deepEqual(warnings, [
          'receivers/a.yaml, receivers/b.yaml: both send to the URL in config "codebuild-webhooks:hookUrl", so each FAILED build of api is notified twice; delete one of the files, or give one its own secret keys',
          'receivers/a.yaml, receivers/c.yaml: both send to the URL in config "codebuild-webhooks:hookUrl", so each FAILED, SUCCEEDED build of my-app, api is notified twice; delete one of the files, or give one its own secret keys',
          'receivers/b.yaml, receivers/c.yaml: both send to the URL in config "codebuild-webhooks:hookUrl", so each FAILED build of api, web is notified twice; delete one of the files, or give one its own secret keys',
        ]);
        assert.deepEqual(
          loadWithWarnings(
            { "a.yaml": receiver('["*"]', "[FAILED]"), "b.yaml": receiver('["*"]', "[FAILED]") },
            config,
          ).warnings,
          [
            'receivers/a.yaml, receivers/b.yaml: both send to the URL in config "codebuild-webhooks:hookUrl", so each FAILED build of every project is notified twice; delete one of the files, or give one its own secret keys',
          ],
        );
      });

      it("are not warned of when their projects, statuses or URL keys differ", () => {
        for (const files of [
          { "a.yaml": receiver("[my-app]", "[FAILED]"), "b.yaml": receiver("[api]", "[FAILED]") },
          { "a.yaml": receiver('["*"]', "[FAILED]"), "b.yaml": receiver("[api]", "[SUCCEEDED]") },
          { "a.yaml": receiver('["*"]', "[FAILED]"), "b.yaml": receiver('["*"]', "[FAILED]", "otherUrl") },
        ]) {
          assert.deepEqual(loadWithWarnings(files, config).warnings, [], JSON.stringify(files));
        }
      });

      it("are named by their transitions for receivers with actions, which send only for the builds those fall on", () => {
        const withActions = (transitions: string[], urlKey = "hookUrl") =>
          `projects: [my-app]\nurl: { secret: ${urlKey} }\non:\n` +
          transitions.map((transition) => `  ${transition}:\n    template: '{}'\n`).join("");
        const twice = (first: string, second: string, builds: string) =>
          `receivers/${first}.yaml, receivers/${second}.yaml: both send to the URL in config "codebuild-webhooks:hookUrl", so each ${builds} build of my-app is notified twice; delete one of the files, or give one its own secret keys`;
        assert.deepEqual(
          loadWithWarnings(
            {
              "a.yaml": withActions(["broken", "still-failing", "fixed"]),
              "b.yaml": withActions(["broken", "fixed"]),
              "c.yaml": receiver("[my-app]", "[FAILED]"),
              "d.yaml": withActions(["fixed"]),
            },
            config,
          ).warnings,
          [
            twice("a", "b", "broken, fixed"),
            twice("a", "c", "broken, still-failing"),
            twice("a", "d", "fixed"),
            twice("b", "c", "broken"),
            twice("b", "d", "fixed"),
          ],
        );
        // Nothing is sent twice when the transitions' statuses are another receiver's others.
        assert.deepEqual(
          loadWithWarnings(
            { "c.yaml": receiver("[my-app]", "[IN_PROGRESS, STOPPED]"), "d.yaml": withActions(["fixed"]) },
            config,
          ).warnings,
          [],
        );
      });

      it("count timed-out and faulted builds in, which a receiver listing FAILED is told of", () => {
        const { warnings } = loadWithWarnings(
          {
            "a.yaml": receiver("[my-app]", "[FAILED]"),
            "b.yaml": receiver("[my-app]", "[TIMED_OUT]"),
            "c.yaml": receiver("[my-app]", "[FAULT, TIMED_OUT, SUCCEEDED]"),
            "d.yaml": receiver("[my-app]", "[TIMED_OUT, FAILED]"),
          },
          config,
        );
        const twice = (first: string, second: string, builds: string) =>
          `receivers/${first}.yaml, receivers/${second}.yaml: both send to the URL in config "codebuild-webhooks:hookUrl", so each ${builds} build of my-app is notified twice; delete one of the files, or give one its own secret keys`;
        assert.deepEqual(warnings, [
          twice("a", "b", "TIMED_OUT"),
          twice("a", "c", "FAULT, TIMED_OUT"),
          twice("a", "d", "FAILED"),
          twice("b", "c", "TIMED_OUT"),
          twice("b", "d", "TIMED_OUT"),
          twice("c", "d", "FAULT, TIMED_OUT"),
        ]);
      });

      it("name the transitions doubled for only the failed builds a receiver of statuses hears", () => {
        const actions = (transitions: string[]) =>
          "projects: [my-app]\nurl: { secret: hookUrl }\non:\n" +
          transitions.map((transition) => `  ${transition}:\n    template: '{}'\n`).join("");
        const twice = (other: string, builds: string) =>
          `receivers/actions.yaml, receivers/${other}.yaml: both send to the URL in config "codebuild-webhooks:hookUrl", so each ${builds} is notified twice; delete one of the files, or give one its own secret keys`;
        assert.deepEqual(
          loadWithWarnings(
            {
              "actions.yaml": actions(["broken", "still-failing", "fixed"]),
              "faults.yaml": receiver("[my-app]", "[FAULT, TIMED_OUT]"),
              "timeouts.yaml": receiver("[my-app]", "[SUCCEEDED, TIMED_OUT]"),
            },
            config,
          ).warnings,
          [
            twice("faults", "broken, still-failing build of my-app that ends FAULT or TIMED_OUT"),
            twice(
              "timeouts",
              "fixed build of my-app, and each broken, still-failing one that ends TIMED_OUT,",
            ),
            'receivers/faults.yaml, receivers/timeouts.yaml: both send to the URL in config "codebuild-webhooks:hookUrl", so each TIMED_OUT build of my-app is notified twice; delete one of the files, or give one its own secret keys',
          ],
        );
      });

      it("come of copying a preset beside the shipped receiver it replaces", () => {
        const dir = receiversDir({});
        for (const file of [
          "jira-failures.yaml",
          "slack-builds.yaml",
          "examples/jira-issue.yaml",
          "examples/slack.yaml",
        ]) {
          const from = file.startsWith("examples/")
            ? path.join(PROJECT_ROOT, "receivers")
            : SHIPPED_RECEIVERS;
          fs.copyFileSync(path.join(from, file), path.join(dir, path.basename(file)));
        }
        const secrets = {
          jiraIssuesUrl: "https://example.atlassian.net/rest/api/2/issue",
          jiraAuthHeaders: '{"Authorization": "Basic ZXhhbXBsZUBleGFtcGxlLmNvbTp0b2tlbg=="}',
          slackWebhookUrl: "https://hooks.slack.com/services/T000/B000/XXXX",
        };
        assert.deepEqual(loadReceivers(dir, configOf(secrets), { relativeTo: root }).warnings, [
          'receivers/jira-failures.yaml, receivers/jira-issue.yaml: both send to the URL in config "codebuild-webhooks:jiraIssuesUrl", so each broken, still-failing build of my-app is notified twice; delete one of the files, or give one its own secret keys',
          'receivers/slack-builds.yaml, receivers/slack.yaml: both send to the URL in config "codebuild-webhooks:slackWebhookUrl", so each SUCCEEDED, FAILED build of my-app is notified twice; delete one of the files, or give one its own secret keys',
        ]);
      });
    });

    describe("placeholders that are not built in", () => {
      const warningsFor = (template: string, headers?: string) =>
        loadWithWarnings(
          {
            "hook.yaml": `${MINIMAL}${headers ? "headers: { secret: hookHeaders }\n" : ""}template: |\n${template.replace(/^/gm, "  ")}\n`,
          },
          { ...HOOK_CONFIG, ...(headers ? { hookHeaders: headers } : {}) },
        ).warnings;
      const asWritten =
        "; unless the build sets a variable of that name it is sent as written (write $$ for a literal $)";

      it("are named with the template line and the nearest built-in name when one is close", () => {
        assert.deepEqual(
          warningsFor(
            '{\n  "text": "$PROJCT is ${STAUS}",\n  "branch": "$GIT_BRANCH",\n  "again": "$PROJCT $buildnumber"\n}',
          ),
          [
            `receivers/hook.yaml: template (line 4): $PROJCT at line 2 of the template is not a built-in placeholder (did you mean $PROJECT, the CodeBuild project name?)${asWritten}`,
            `receivers/hook.yaml: template (line 4): $STAUS at line 2 of the template is not a built-in placeholder (did you mean $STATUS, the build status: IN_PROGRESS, SUCCEEDED, FAILED, FAULT, TIMED_OUT or STOPPED?)${asWritten}`,
            `receivers/hook.yaml: template (line 4): $GIT_BRANCH at line 3 of the template is not a built-in placeholder${asWritten}`,
            `receivers/hook.yaml: template (line 4): $buildnumber at line 4 of the template is not a built-in placeholder (did you mean $BUILD_NUMBER, the build's number within the project?)${asWritten}`,
          ],
        );
      });

      it("are read as the notifier reads them: $$ is a literal $, and built-in names are known", () => {
        const everyName = BUILT_IN_PLACEHOLDER_NAMES.map((name) => `$${name} \${${name}}`).join(" ");
        assert.deepEqual(warningsFor(`{"text": "$$PROJCT costs $$5 ${everyName}"}`), []);
        assert.deepEqual(warningsFor("$$PROJCT and $PROJCT", '{"Content-Type": "text/plain"}'), [
          `receivers/hook.yaml: template (line 5): $PROJCT at line 1 of the template is not a built-in placeholder (did you mean $PROJECT, the CodeBuild project name?)${asWritten}`,
        ]);
      });

      it("do not repeat a name that looks like a secret", () => {
        const [warning] = warningsFor('{"token": "$ghp_16C7e42F292c6912E7710c838347Ae178B4a"}');
        assert.equal(
          warning,
          `receivers/hook.yaml: template (line 4): a placeholder (its name looks like a secret, so it is not shown) at line 1 of the template is not a built-in placeholder${asWritten}`,
        );
      });
    });
  });
});

describe("findJsonSyntaxError", () => {
  it("accepts exactly the texts JSON.parse accepts", () => {
    const jsonLike = fc.oneof(
      fc.json(),
      fc.string({ unit: fc.constantFrom(...'{}[]":,. 0123456789-+eEtrufalsn\\/u\n\t$Ab') }),
      fc.tuple(fc.json(), fc.nat(), fc.string({ maxLength: 2 })).map(([text, at, insert]) => {
        const index = at % (text.length + 1);
        return text.slice(0, index) + insert + text.slice(index + 1);
      }),
    );
    fc.assert(
      fc.property(jsonLike, (text) => {
        let parses = true;
        try {
          JSON.parse(text);
        } catch {
          parses = false;
        }
        assert.equal(findJsonSyntaxError(text) === undefined, parses, JSON.stringify(text));
      }),
      { numRuns: 5000 },
    );
  });

  it("points at where the text stops being JSON", () => {
    assert.deepEqual(findJsonSyntaxError('{\n  "a": 1,\n  "b": "x\ty"\n}'), {
      line: 3,
      column: 10,
      problem: "control character in a string; write it as an escape such as \\n or \\t",
    });
    assert.deepEqual(findJsonSyntaxError('["a" "b"]'), {
      line: 1,
      column: 6,
      problem: 'expected "," or "]", found "\\""',
    });
    assert.deepEqual(findJsonSyntaxError('{"a": "b"} trailing'), {
      line: 1,
      column: 12,
      problem: 'unexpected "t" after the JSON value',
    });
    assert.deepEqual(findJsonSyntaxError('{"text": "unclosed}'), {
      line: 1,
      column: 10,
      problem: "string not closed before the end of the text",
    });
    assert.deepEqual(findJsonSyntaxError(""), {
      line: 1,
      column: 1,
      problem: "expected a value, found the end of the text",
    });
  });
});
