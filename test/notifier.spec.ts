import * as assert from "node:assert/strict";
import fc from "fast-check";
import { buildEvent } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import { startReceiver, type Receiver } from "./support/receivers";
import { RECEIVER_SECRET_KEYS } from "./support/specStack";

// The serialized notifier, as the stack deploys it, run in its own process against a local DynamoDB,
// a loopback Parameter Store and loopback receivers.
describe("the deployed notifier", () => {
  const JIRA_AUTH = "Basic amlyYS1ub3RpZmllci1zZWNyZXQ=";
  let jira: Receiver;
  let slack: Receiver;
  let spare: Receiver;
  let stack: DeployedNotifier;
  const secrets: string[] = [JIRA_AUTH];

  before(async () => {
    jira = await startReceiver([{ status: 201, body: '{"id":"10001","key":"OPS-1"}' }]);
    slack = await startReceiver([{ status: 200, body: "ok" }]);
    spare = await startReceiver([{ status: 204 }]);
    const config = {
      jiraIssuesUrl: `${jira.url}/rest/api/2/issue?secret=jira-url-token`,
      jiraAuthHeaders: JSON.stringify({ Authorization: JIRA_AUTH }),
      slackWebhookUrl: `${slack.url}/services/T000/B000/slack-url-token`,
    };
    secrets.push(config.jiraIssuesUrl, config.slackWebhookUrl, "jira-url-token", "slack-url-token");
    stack = await deployNotifier(config, RECEIVER_SECRET_KEYS);
  });

  beforeEach(() => {
    for (const receiver of [jira, slack, spare]) receiver.requests.length = 0;
    stack.parameterStore.resetCalls();
  });

  after(async () => {
    await stack?.close();
    await Promise.all([jira, slack, spare].map((receiver) => receiver?.close()));
  });

  it("sends a failed build to the deployed Jira and Slack receivers, each once, with their templates", async () => {
    const invocation = await stack.lambda.invoke(buildEvent("FAILED"));
    assert.equal(invocation.ok, true, JSON.stringify(invocation.error));

    assert.equal(jira.requests.length, 1);
    const issue = jira.requests[0];
    assert.equal(issue.method, "POST");
    assert.equal(issue.path, "/hook/rest/api/2/issue?secret=jira-url-token");
    assert.equal(issue.headers.authorization, JIRA_AUTH);
    assert.equal(issue.headers["content-type"], "application/json");
    const fields = JSON.parse(issue.body).fields;
    assert.equal(fields.summary, "my-app build failing");
    assert.match(
      fields.description,
      /^Build: https:\/\/us-east-1\.console\.aws\.amazon\.com\/codesuite\/codebuild\/123456789012\/projects\/my-app\/build\/my-app%3A/,
    );
    assert.match(fields.description, /\nFailed phase: BUILD\n/);

    assert.equal(slack.requests.length, 1);
    assert.match(JSON.parse(slack.requests[0].body).text, /^FAILED: \*my-app\* build #43 </);
  });

  it("sends each receiver only the statuses it subscribed to", async () => {
    assert.equal((await stack.lambda.invoke(buildEvent("SUCCEEDED"))).ok, true);
    assert.equal((await stack.lambda.invoke(buildEvent("IN_PROGRESS"))).ok, true);
    assert.equal(jira.requests.length, 0);
    assert.equal(slack.requests.length, 1);
    assert.match(JSON.parse(slack.requests[0].body).text, /^SUCCEEDED: /);
  });

  it("sends nothing for a project without receivers", async () => {
    const invocation = await stack.lambda.invoke(buildEvent("FAILED", "other-app"));
    assert.equal(invocation.ok, true);
    assert.equal(jira.requests.length + slack.requests.length, 0);
  });

  it("serves the AWS blog's Jira registration, put by hand, its parameters in a receiver folder", async () => {
    stack.parameterStore.put(
      "/webhooks/your-jira/webhook-issues-url-param",
      `${spare.url}/rest/api/latest/issue/`,
      "String",
    );
    stack.parameterStore.put(
      "/webhooks/your-jira/basic-auth-headers-param",
      JSON.stringify({ Authorization: "Basic ZW1haWw6dG9rZW4=" }),
      "SecureString",
    );
    secrets.push("Basic ZW1haWw6dG9rZW4=");
    // examples/jira.json from the AWS sample, with both parameters in the folder /webhooks/your-jira/.
    await stack.registerByHand({
      project: { S: "your-codebuild-project-name" },
      hook_url_param_name: { S: "/webhooks/your-jira/webhook-issues-url-param" },
      hook_headers_param_name: { S: "/webhooks/your-jira/basic-auth-headers-param" },
      statuses: { L: [{ S: "FAILED" }] },
      template: {
        S: '{"fields": {"project":{"id": "10000"},"summary": "$PROJECT build failing","description": "AWS CodeBuild project $PROJECT latest build $STATUS","issuetype":{"id": "10004"}}}',
      },
    });
    const invocation = await stack.lambda.invoke(buildEvent("FAILED", "your-codebuild-project-name"));
    assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
    assert.equal(spare.requests.length, 1);
    assert.equal(spare.requests[0].path, "/hook/rest/api/latest/issue/");
    assert.equal(spare.requests[0].headers.authorization, "Basic ZW1haWw6dG9rZW4=");
    assert.deepEqual(JSON.parse(spare.requests[0].body), {
      fields: {
        project: { id: "10000" },
        summary: "your-codebuild-project-name build failing",
        description: "AWS CodeBuild project your-codebuild-project-name latest build FAILED",
        issuetype: { id: "10004" },
      },
    });
  });

  it("sends the default body to a registration without a template, statuses given as a string set", async () => {
    stack.parameterStore.put("/webhooks/default-body/url", spare.url, "SecureString");
    await stack.registerByHand({
      project: { S: "default-body-app" },
      hook_url_param_name: { S: "/webhooks/default-body/url" },
      statuses: { SS: ["SUCCEEDED", "FAILED"] },
    });
    assert.equal((await stack.lambda.invoke(buildEvent("SUCCEEDED", "default-body-app"))).ok, true);
    assert.equal(spare.requests.length, 1);
    assert.equal(
      spare.requests[0].body,
      '{"text": "Build of *default-body-app* reached status *SUCCEEDED*"}',
    );
  });

  it("fills placeholders from the event and build variables; built-ins win; unknown names stay and are logged", async () => {
    stack.parameterStore.put("/webhooks/placeholders/url", spare.url, "SecureString");
    await stack.registerByHand({
      project: { S: "placeholder-app" },
      hook_url_param_name: { S: "/webhooks/placeholders/url" },
      statuses: { L: [{ S: "FAILED" }] },
      template: {
        S: '{"s": "$STATUS", "b": "${BUILD_NUMBER}th", "env": "$DEPLOY_ENV", "cost": "$$5", "who": "$INITIATOR", "x": "$NOT_A_NAME", "id": "$EVENT_ID"}',
      },
    });
    const event = buildEvent("FAILED", "placeholder-app", [
      { name: "STATUS", value: "SUCCEEDED" },
      { name: "DEPLOY_ENV", value: "staging" },
    ]);
    const invocation = await stack.lambda.invoke(event);
    assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
    assert.deepEqual(JSON.parse(spare.requests[0].body), {
      s: "FAILED",
      b: "43th",
      env: "staging",
      cost: "$5",
      who: "GitHub-Hookshot/4c1f7a9",
      x: "$NOT_A_NAME",
      id: event.id,
    });
    const warning = invocation.logs.map((line) => JSON.parse(line)).find((entry) => entry.level === "WARN");
    assert.deepEqual(warning?.unknownNames, ["NOT_A_NAME"]);
    assert.equal(warning?.receiver, "/webhooks/placeholders/url");
  });

  it("renders valid JSON holding any build variable value exactly", async () => {
    stack.parameterStore.put("/webhooks/escaping/url", spare.url, "SecureString");
    await stack.registerByHand({
      project: { S: "escaping-app" },
      hook_url_param_name: { S: "/webhooks/escaping/url" },
      statuses: { L: [{ S: "SUCCEEDED" }] },
      template: { S: '{"note": "before $NOTE after", "nested": {"list": ["${NOTE}"]}}' },
    });
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", maxLength: 40 }), async (note) => {
        spare.requests.length = 0;
        const invocation = await stack.lambda.invoke(
          buildEvent("SUCCEEDED", "escaping-app", [{ name: "NOTE", value: note }]),
        );
        assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
        const body = JSON.parse(spare.requests[0].body);
        assert.equal(body.note, `before ${note} after`);
        assert.deepEqual(body.nested.list, [note]);
      }),
      { numRuns: 40 },
    );
  });

  it("reads every registration of a project across query pages (over 1 MB)", async () => {
    const filler = "x".repeat(300_000);
    for (let index = 0; index < 6; index += 1) {
      stack.parameterStore.put(`/webhooks/paging-${index}/url`, `${spare.url}/${index}`, "SecureString");
      await stack.registerByHand({
        project: { S: "paging-app" },
        hook_url_param_name: { S: `/webhooks/paging-${index}/url` },
        statuses: { L: [{ S: "FAILED" }] },
        template: { S: `{"receiver": ${index}, "filler": "${filler}"}` },
      });
    }
    const invocation = await stack.lambda.invoke(buildEvent("FAILED", "paging-app"));
    assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
    assert.deepEqual(
      spare.requests.map((request) => request.path).sort(),
      [0, 1, 2, 3, 4, 5].map((i) => `/hook/${i}`),
    );
  });

  it("delivers to healthy receivers when others fail, then fails the invocation naming the others", async () => {
    const failing = await startReceiver([{ status: 500 }]);
    const redirecting = await startReceiver([{ status: 302, headers: { location: "/elsewhere" } }]);
    try {
      const registrations: [string, string | undefined, string | undefined][] = [
        ["/webhooks/healthy/url", spare.url, undefined],
        ["/webhooks/failing/url", failing.url, undefined],
        ["/webhooks/redirecting/url", redirecting.url, undefined],
        ["/webhooks/no-parameter/url", undefined, undefined],
        ["/webhooks/bad-headers/url", spare.url, "/webhooks/bad-headers/headers"],
      ];
      stack.parameterStore.put(
        "/webhooks/bad-headers/headers",
        '{"Authorization": "Bearer bad-headers-secret"',
        "SecureString",
      );
      secrets.push("bad-headers-secret");
      for (const [urlParameter, url, headersParameter] of registrations) {
        if (url) stack.parameterStore.put(urlParameter, url, "SecureString");
        await stack.registerByHand({
          project: { S: "isolation-app" },
          hook_url_param_name: { S: urlParameter },
          ...(headersParameter ? { hook_headers_param_name: { S: headersParameter } } : {}),
          statuses: { L: [{ S: "FAILED" }] },
        });
      }
      const invocation = await stack.lambda.invoke(buildEvent("FAILED", "isolation-app"), {
        timeoutMs: 6000,
      });
      assert.equal(invocation.ok, false);
      assert.equal(
        invocation.error?.message,
        "4 of 5 receivers not delivered: " +
          "/webhooks/bad-headers/url (parameter /webhooks/bad-headers/headers is not valid JSON); " +
          "/webhooks/failing/url (answered 500); " +
          "/webhooks/no-parameter/url (parameter /webhooks/no-parameter/url not found); " +
          "/webhooks/redirecting/url (answered 302)",
      );
      assert.equal(spare.requests.length, 1);
      assert.equal(redirecting.requests.length, 1, "a redirect is final, not retried");
      const errors = invocation.logs
        .map((line) => JSON.parse(line))
        .filter((entry) => entry.level === "ERROR");
      assert.ok(failing.requests.length > 1, "a 500 is retried");
      const failingOutcome = errors.find((entry) => entry.receiver === "/webhooks/failing/url");
      assert.equal(failingOutcome?.attempts, failing.requests.length);
      assert.deepEqual(errors.map((entry) => [entry.receiver, entry.statusCode ?? entry.reason]).sort(), [
        ["/webhooks/bad-headers/url", "parameter /webhooks/bad-headers/headers is not valid JSON"],
        ["/webhooks/failing/url", 500],
        ["/webhooks/no-parameter/url", "parameter /webhooks/no-parameter/url not found"],
        ["/webhooks/redirecting/url", 302],
      ]);
    } finally {
      await Promise.all([failing.close(), redirecting.close()]);
    }
  });

  it("reads parameters in batches of ten when cold and not at all when warm", async () => {
    for (let index = 0; index < 25; index += 1) {
      stack.parameterStore.put(`/webhooks/batch-${index}/url`, `${spare.url}/${index}`, "SecureString");
      await stack.registerByHand({
        project: { S: "batch-app" },
        hook_url_param_name: { S: `/webhooks/batch-${index}/url` },
        statuses: { L: [{ S: "SUCCEEDED" }] },
      });
    }
    const cold = await stack.startContainer();
    assert.equal((await cold.invoke(buildEvent("SUCCEEDED", "batch-app"))).ok, true);
    const coldCalls = stack.parameterStore.calls;
    // The three batches go out concurrently, in any order.
    assert.deepEqual(coldCalls.map((call) => [call.target, call.names.length, call.withDecryption]).sort(), [
      ["AmazonSSM.GetParameters", 10, true],
      ["AmazonSSM.GetParameters", 10, true],
      ["AmazonSSM.GetParameters", 5, true],
    ]);
    assert.equal(new Set(coldCalls.flatMap((call) => call.names)).size, 25);
    stack.parameterStore.resetCalls();
    assert.equal((await cold.invoke(buildEvent("SUCCEEDED", "batch-app"))).ok, true);
    assert.deepEqual(stack.parameterStore.calls, []);
    assert.equal(spare.requests.length, 50);
  });

  it("fails a receiver that never answers within the invocation's deadline, after delivering the others", async () => {
    const silent = await startReceiver([{ hang: true }]);
    try {
      for (const [name, url] of [
        ["silent", silent.url],
        ["prompt", spare.url],
      ]) {
        stack.parameterStore.put(`/webhooks/${name}/url`, url, "SecureString");
        await stack.registerByHand({
          project: { S: "deadline-app" },
          hook_url_param_name: { S: `/webhooks/${name}/url` },
          statuses: { L: [{ S: "FAILED" }] },
        });
      }
      const invocation = await stack.lambda.invoke(buildEvent("FAILED", "deadline-app"), { timeoutMs: 4000 });
      assert.equal(invocation.timedOut, false);
      assert.equal(
        invocation.error?.message,
        "1 of 2 receivers not delivered: /webhooks/silent/url (no answer: ETIMEDOUT)",
      );
      assert.equal(spare.requests.length, 1);
    } finally {
      await silent.close();
    }
  });

  it("logs JSON lines naming receivers by parameter, never a URL or header value", () => {
    const lines = stack.lambda.logs.filter((line) => line.trim() !== "");
    assert.ok(lines.length > 20);
    const delivered = lines.map((line) => JSON.parse(line)).filter((entry) => entry.message === "Delivered");
    assert.ok(delivered.length > 0);
    for (const entry of delivered) {
      assert.equal(typeof entry.receiver, "string");
      assert.equal(typeof entry.statusCode, "number");
      assert.equal(typeof entry.durationMs, "number");
    }
    for (const secret of secrets) {
      const leaked = lines.find((line) => line.includes(secret));
      assert.equal(leaked, undefined, "a secret reached the logs");
    }
    assert.equal(
      lines.find((line) => line.includes("http://127.0.0.1")),
      undefined,
      "a receiver URL reached the logs",
    );
  });
});
