import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { writeCodeArchive } from "../local/codeArchive";
import type { Invocation } from "../local/lambdaProcess";
import type { NotifierLog } from "../src/notifier/notifierLog";
import type { NotifierResult, ReceiverOutcome } from "../src/notifier/receiverOutcome";
import { createDeliveryMetrics } from "../src/notifier/deliveryMetrics";
import { buildEvent } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import { startReceiver, type Receiver } from "./support/receivers";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/specStack";

/** An embedded metric format line, as CloudWatch reads it. */
interface EmfLine {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [field: string]: unknown;
}

function emfLines(lines: readonly string[]): EmfLine[] {
  return lines
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry): entry is EmfLine => "_aws" in entry);
}

/** The metric values of each receiver's line, by receiver. */
function valuesByReceiver(lines: readonly EmfLine[]): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    lines.map((line) => {
      const values = Object.fromEntries(
        line._aws.CloudWatchMetrics[0].Metrics.map(({ Name }) => [Name, line[Name]]),
      );
      return [line.Receiver as string, values];
    }),
  );
}

const UNITS = [
  { Name: "Delivered", Unit: "Count" },
  { Name: "Failed", Unit: "Count" },
  { Name: "Attempts", Unit: "Count" },
];
const UNITS_WITH_LATENCY = [...UNITS, { Name: "DeliveryLatency", Unit: "Milliseconds" }];

describe("delivery metrics", () => {
  describe("from an event's outcomes (createDeliveryMetrics with Powertools' Metrics)", () => {
    const warnings: { message: string; fields: Record<string, unknown> }[] = [];
    const log: NotifierLog = {
      info: () => undefined,
      warn: (message, fields) => void warnings.push({ message, fields }),
      error: () => undefined,
    };

    beforeEach(() => {
      warnings.length = 0;
    });

    /** What the report wrote to stdout: Powertools writes EMF lines there, as Lambda's logs collect them. */
    function written(report: (result: NotifierResult) => void, outcomes: ReceiverOutcome[]): string[] {
      const chunks: string[] = [];
      const write = process.stdout.write;
      process.stdout.write = ((chunk: string | Uint8Array) => {
        chunks.push(String(chunk));
        return true;
      }) as typeof process.stdout.write;
      try {
        report({ project: "my-app", status: "FAILED", eventId: "event-1", outcomes });
      } finally {
        process.stdout.write = write;
      }
      return chunks.join("").split("\n").filter(Boolean);
    }

    /** The notifier's report with Powertools' metrics writer, as the deployed notifier builds it. */
    const metricsReport = (namespace = "CodeBuildWebhooks", parameterPath = "/webhooks/") =>
      createDeliveryMetrics({ parameterPath, createWriter: () => new Metrics({ namespace }), log });

    const sent = (receiver: string, delivered: boolean, attempts: number, durationMs: number) => ({
      receiver,
      delivered,
      attempts,
      durationMs,
    });

    it("writes one line per receiver: delivered, failed, attempts and latency, in the namespace, by Receiver only", () => {
      const report = metricsReport("Platform/Webhooks");
      const lines = emfLines(
        written(report, [
          sent("/webhooks/slack-builds/url", true, 1, 84),
          sent("/webhooks/jira-failures/url", true, 3, 2310),
          { ...sent("/webhooks/pager/url", false, 1, 40), statusCode: 400 },
        ]),
      );
      assert.equal(lines.length, 3);
      for (const line of lines) {
        const [directive] = line._aws.CloudWatchMetrics;
        assert.equal(directive.Namespace, "Platform/Webhooks");
        assert.deepEqual(directive.Dimensions, [["Receiver"]]);
        assert.deepEqual(directive.Metrics, UNITS_WITH_LATENCY);
        assert.equal("service" in line, false, "no dimension but the receiver");
      }
      assert.deepEqual(valuesByReceiver(lines), {
        "slack-builds": { Delivered: 1, Failed: 0, Attempts: 1, DeliveryLatency: 84 },
        "jira-failures": { Delivered: 1, Failed: 0, Attempts: 3, DeliveryLatency: 2310 },
        pager: { Delivered: 0, Failed: 1, Attempts: 1, DeliveryLatency: 40 },
      });
    });

    it("counts nothing for receivers delivered earlier or with nothing to send, and loads nothing then", () => {
      let writers = 0;
      const report = createDeliveryMetrics({
        parameterPath: "/webhooks/",
        createWriter: () => {
          writers += 1;
          return new Metrics({ namespace: "CodeBuildWebhooks" });
        },
        log,
      });
      const skippedOnly = written(report, [
        { ...sent("/webhooks/slack-builds/url", true, 0, 0), alreadyDelivered: true },
        { ...sent("/webhooks/jira/url", false, 0, 0), skipped: "no action for this transition" },
      ]);
      assert.deepEqual(skippedOnly, []);
      assert.equal(writers, 0, "the metrics module is loaded when there is something to count");
      assert.deepEqual(written(report, []), []);
      assert.equal(writers, 0);
    });

    it("counts a receiver it could not try as failed, with no attempt and no latency", () => {
      const report = metricsReport("CodeBuildWebhooks", "/webhooks/staging/");
      const lines = emfLines(
        written(report, [
          { ...sent("/webhooks/staging/gone/url", false, 0, 0), reason: "parameter not found" },
          { ...sent("/webhooks/staging/team/slack-hook", false, 0, 0), reason: "invalid registry item" },
        ]),
      );
      for (const line of lines) assert.deepEqual(line._aws.CloudWatchMetrics[0].Metrics, UNITS);
      assert.deepEqual(valuesByReceiver(lines), {
        gone: { Delivered: 0, Failed: 1, Attempts: 0 },
        // Registered by hand outside <path><name>/url: called by its URL parameter, as the logs call it.
        "/webhooks/staging/team/slack-hook": { Delivered: 0, Failed: 1, Attempts: 0 },
      });
    });

    it("never makes a URL written where a parameter name belongs into a dimension", () => {
      const report = metricsReport();
      const pasted = "https://hooks.slack.com/services/T000/B000/pasted-token";
      const output = written(report, [
        { ...sent(pasted, false, 0, 0), reason: "invalid registry item" },
        { ...sent("/elsewhere/hook", false, 0, 0), reason: "invalid registry item" },
      ]);
      assert.ok(!output.join("\n").includes("pasted-token"), output.join("\n"));
      assert.deepEqual(valuesByReceiver(emfLines(output)), {
        "(invalid hook_url_param_name)": { Delivered: 0, Failed: 2, Attempts: 0 },
      });
    });

    it("sums a receiver named twice in one event into its one line", () => {
      const report = metricsReport();
      const lines = emfLines(
        written(report, [
          sent("/webhooks/hook/url", false, 0, 0),
          sent("/webhooks/hook/url", true, 2, 300),
          sent("/webhooks/hook/url", true, 1, 90),
        ]),
      );
      assert.equal(lines.length, 1);
      assert.deepEqual(valuesByReceiver(lines), {
        hook: { Delivered: 2, Failed: 1, Attempts: 3, DeliveryLatency: [300, 90] },
      });
    });

    it("logs a warning instead of failing the invocation when the metrics cannot be written, and recovers", () => {
      let writers = 0;
      const report = createDeliveryMetrics({
        parameterPath: "/webhooks/",
        createWriter: () => {
          writers += 1;
          if (writers === 1) throw new Error("Cannot find module '@aws-lambda-powertools/metrics'");
          return new Metrics({ namespace: "CodeBuildWebhooks" });
        },
        log,
      });
      assert.deepEqual(written(report, [sent("/webhooks/hook/url", true, 1, 12)]), []);
      assert.deepEqual(warnings, [
        {
          message: "Delivery metrics not written",
          fields: {
            eventId: "event-1",
            errorCode: "Error",
            reason: "Cannot find module '@aws-lambda-powertools/metrics'",
          },
        },
      ]);
      assert.deepEqual(
        valuesByReceiver(emfLines(written(report, [sent("/webhooks/hook/url", true, 1, 12)]))),
        {
          hook: { Delivered: 1, Failed: 0, Attempts: 1, DeliveryLatency: 12 },
        },
      );
    });
  });

  describe("written by the deployed notifier (the serialized code, in its own process)", () => {
    let stack: DeployedNotifier;
    const receivers: Receiver[] = [];

    before(async () => {
      stack = await deployNotifier(RECEIVER_SECRETS, RECEIVER_SECRET_KEYS);
    });

    after(async () => {
      await Promise.all(receivers.map((receiver) => receiver.close()));
      await stack?.close();
    });

    async function receiver(
      target: DeployedNotifier,
      name: string,
      project: string,
      script: Parameters<typeof startReceiver>[0],
    ): Promise<Receiver> {
      const started = await startReceiver(script);
      receivers.push(started);
      await target.register(name, started.url, project, ["FAILED"]);
      return started;
    }

    function metricsOf(invocation: Invocation): EmfLine[] {
      return emfLines(invocation.logs);
    }

    it("counts a mixed run per receiver, and a Lambda retry of the event only for the receiver still failing", async () => {
      const project = "metrics-app";
      await receiver(stack, "metrics-prompt", project, [{ status: 201 }]);
      const flaky = await receiver(stack, "metrics-flaky", project, [
        { status: 503 },
        { status: 502 },
        { status: 201 },
      ]);
      const failing = await receiver(stack, "metrics-failing", project, [
        { status: 400, body: "bad request" },
      ]);
      const event = buildEvent("FAILED", project);

      const first = await stack.lambda.invoke(event);
      assert.equal(first.ok, false, "the failing receiver fails the invocation");
      const lines = metricsOf(first);
      for (const line of lines) {
        assert.equal(line._aws.CloudWatchMetrics[0].Namespace, "CodeBuildWebhooks");
        assert.deepEqual(line._aws.CloudWatchMetrics[0].Dimensions, [["Receiver"]]);
        assert.deepEqual(line._aws.CloudWatchMetrics[0].Metrics, UNITS_WITH_LATENCY);
      }
      const values = valuesByReceiver(lines);
      assert.deepEqual(Object.keys(values).sort(), ["metrics-failing", "metrics-flaky", "metrics-prompt"]);
      assert.deepEqual(
        Object.fromEntries(
          Object.entries(values).map(([name, { Delivered, Failed, Attempts }]) => [
            name,
            { Delivered, Failed, Attempts },
          ]),
        ),
        {
          "metrics-prompt": { Delivered: 1, Failed: 0, Attempts: 1 },
          "metrics-flaky": { Delivered: 1, Failed: 0, Attempts: 3 },
          "metrics-failing": { Delivered: 0, Failed: 1, Attempts: 1 },
        },
      );
      // The latency runs from the first attempt to the final answer: it spans the retries.
      const flakyLatency = values["metrics-flaky"].DeliveryLatency as number;
      assert.ok(
        flakyLatency >= flaky.requests[2].receivedAt - flaky.requests[0].receivedAt,
        `${flakyLatency}`,
      );
      assert.ok(flakyLatency <= first.durationMs, `${flakyLatency} within ${first.durationMs}`);
      assert.equal(failing.requests.length, 1);

      const retry = await stack.lambda.invoke(event);
      assert.equal(retry.ok, false);
      assert.equal(flaky.requests.length, 3, "nothing is sent again to the delivered receivers");
      assert.deepEqual(
        Object.fromEntries(
          Object.entries(valuesByReceiver(metricsOf(retry))).map(
            ([name, { Delivered, Failed, Attempts }]) => [name, { Delivered, Failed, Attempts }],
          ),
        ),
        { "metrics-failing": { Delivered: 0, Failed: 1, Attempts: 1 } },
      );
      for (const line of [...first.logs, ...retry.logs].filter((text) => text.includes('"_aws"'))) {
        assert.ok(!line.includes("127.0.0.1"), `no receiver URL in ${line}`);
      }
    });

    it("counts receivers it could not try as failed, named without the URL someone wrote in their item", async () => {
      const project = "metrics-unreachable";
      // Registered, but its URL parameter was never put (or was deleted since).
      await stack.registerByHand({
        project: { S: project },
        hook_url_param_name: { S: "/webhooks/metrics-missing-parameter/url" },
        statuses: { L: [{ S: "FAILED" }] },
      });
      await stack.registerByHand({
        project: { S: project },
        hook_url_param_name: { S: "https://hooks.slack.com/services/T000/B000/pasted-into-the-item" },
        statuses: { L: [{ S: "FAILED" }] },
      });
      const invocation = await stack.lambda.invoke(buildEvent("FAILED", project));
      assert.equal(invocation.ok, false);
      const lines = metricsOf(invocation);
      for (const line of lines) assert.deepEqual(line._aws.CloudWatchMetrics[0].Metrics, UNITS);
      assert.deepEqual(valuesByReceiver(lines), {
        "metrics-missing-parameter": { Delivered: 0, Failed: 1, Attempts: 0 },
        "(invalid hook_url_param_name)": { Delivered: 0, Failed: 1, Attempts: 0 },
      });
      assert.ok(!JSON.stringify(lines).includes("pasted-into-the-item"));
    });

    it("writes no metric for an event no receiver hears of", async () => {
      const invocation = await stack.lambda.invoke(buildEvent("FAILED", "metrics-nobody-listens"));
      assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
      assert.deepEqual(metricsOf(invocation), []);
    });

    it("writes to the namespace the stack's metricsNamespace names", async () => {
      const custom = await deployNotifier(
        { ...RECEIVER_SECRETS, metricsNamespace: "Platform/Webhooks" },
        RECEIVER_SECRET_KEYS,
      );
      try {
        await receiver(custom, "metrics-custom", "metrics-custom-app", [{ status: 204 }]);
        const invocation = await custom.lambda.invoke(buildEvent("FAILED", "metrics-custom-app"));
        assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
        const [line, ...others] = metricsOf(invocation);
        assert.deepEqual(others, []);
        assert.equal(line._aws.CloudWatchMetrics[0].Namespace, "Platform/Webhooks");
        assert.equal(line.Receiver, "metrics-custom");
      } finally {
        await custom.close();
      }
    });

    it("ships the CommonJS build of the metrics utility, not its ES module build", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "notifier-code-"));
      try {
        await writeCodeArchive(stack.deployment.notifierCode, dir);
        const metrics = path.join(dir, "node_modules", "@aws-lambda-powertools", "metrics", "lib");
        assert.ok(fs.existsSync(path.join(metrics, "cjs", "Metrics.js")));
        assert.ok(!fs.existsSync(path.join(metrics, "esm")), "the ES module build is left out");
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
