import * as assert from "node:assert/strict";
import { createServer } from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import type { Invocation } from "../local/lambdaProcess";
import { closeServer, listenOnLoopback } from "../local/loopbackServer";
import type { BuildStateChangeEvent } from "../src/notifier/buildEvent";
import { queueUrlRegion, replayDeadLetters, replayRegion } from "../src/replayDeadLetters";
import { buildEvent } from "./support/buildEvents";
import { startLambdaEndpoint, startSqsEndpoint, VisibilityQueue } from "../local/deadLetterEndpoints";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import { runNpm, type CommandRun, type Variables } from "./support/npmCommand";
import { startReceiver, type Receiver } from "./support/receivers";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/specStack";

/** The record Lambda's on-failure destination writes once an event's retries are exhausted. */
function deadLetterOf(event: BuildStateChangeEvent, failed: Invocation): string {
  return JSON.stringify({
    version: "1.0",
    requestContext: { condition: "RetriesExhausted", approximateInvokeCount: 3 },
    requestPayload: event,
    responseContext: { statusCode: 200, functionError: "Unhandled" },
    responsePayload: { errorType: failed.error?.name, errorMessage: failed.error?.message },
  });
}

describe("replaying dead letters", () => {
  let stack: DeployedNotifier;
  let healthy: Receiver;
  let broken: Receiver;
  let fixed = false;
  let fixedLater: Receiver;
  let stillBroken: Receiver;

  before(async () => {
    stack = await deployNotifier(RECEIVER_SECRETS, RECEIVER_SECRET_KEYS);
    healthy = await startReceiver([{ status: 201 }]);
    broken = await startReceiver(() => (fixed ? { status: 200 } : { status: 404 }));
    fixedLater = await startReceiver([{ status: 404 }, { status: 200 }]);
    stillBroken = await startReceiver([{ status: 404 }]);
    for (const [name, project, receiver] of [
      ["replay-healthy", "replay-app", healthy],
      ["replay-broken", "replay-app", broken],
      ["replay-fixed-later", "replay-command-app", fixedLater],
      ["replay-still-broken", "replay-command-other", stillBroken],
    ] as const) {
      stack.parameterStore.put(`/webhooks/${name}/url`, receiver.url, "SecureString");
      await stack.registerByHand({
        project: { S: project },
        hook_url_param_name: { S: `/webhooks/${name}/url` },
        statuses: { L: [{ S: "FAILED" }] },
      });
    }
  });

  after(async () => {
    await Promise.all([healthy, broken, fixedLater, stillBroken].map((receiver) => receiver?.close()));
    await stack?.close();
  });

  it("sends each dead event to the receivers that missed it, once, and empties the queue", async () => {
    const event = buildEvent("FAILED", "replay-app");
    // The event fails (the broken receiver answers 404) and, after Lambda's retries, is dead-lettered
    // with the record Lambda's on-failure destination writes.
    const failed = await stack.lambda.invoke(event);
    assert.equal(failed.ok, false);
    const queue = new VisibilityQueue([deadLetterOf(event, failed)]);
    const invoke = async (payload: unknown) => {
      const invocation = await stack.lambda.invoke(payload);
      return { error: invocation.error?.message };
    };
    const lines: string[] = [];

    // Replayed before the receiver is fixed: the dead letter stays queued.
    const early = await replayDeadLetters(queue, invoke, (line) => lines.push(line));
    assert.deepEqual(early, {
      replayed: 0,
      stillFailing: [
        {
          reason:
            "RetriesExhausted: 1 of 2 receivers not delivered: /webhooks/replay-broken/url (answered 404)",
          error: "1 of 2 receivers not delivered: /webhooks/replay-broken/url (answered 404)",
        },
      ],
    });
    assert.equal(queue.size, 1);

    fixed = true;
    queue.endVisibilityTimeout();
    const report = await replayDeadLetters(queue, invoke, (line) => lines.push(line));
    assert.deepEqual(report, { replayed: 1, stillFailing: [] });
    assert.equal(queue.size, 0);
    assert.deepEqual(lines, [
      "still failing: 1 of 2 receivers not delivered: /webhooks/replay-broken/url (answered 404)",
      "replayed (RetriesExhausted: 1 of 2 receivers not delivered: /webhooks/replay-broken/url (answered 404))",
    ]);
    assert.equal(healthy.requests.length, 1, "the healthy receiver got the notice once, before the replays");
    assert.equal(broken.requests.length, 3, "404 on the event and the first replay, 200 on the second");
    assert.equal(new Set(broken.requests.map((request) => request.headers["webhook-id"])).size, 1);
  });

  describe("npm run replay-dead-letters", () => {
    const QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/dead-letters-5f3c2a1";
    const FUNCTION = "notifier-8d41b7e";

    /**
     * `npm run -s replay-dead-letters -- <args>` with credentials but no region in the environment, and
     * no profile of this machine's that could give one, its AWS endpoints set by `endpoints`.
     */
    function npmReplay(args: string[], endpoints: Variables = {}): Promise<CommandRun> {
      const nowhere = path.join(os.tmpdir(), "codebuild-webhooks-no-aws-config");
      return runNpm(["run", "--silent", "replay-dead-letters", "--", ...args], {
        AWS_REGION: undefined,
        AWS_DEFAULT_REGION: undefined,
        AWS_PROFILE: undefined,
        AWS_CONFIG_FILE: nowhere,
        AWS_SHARED_CREDENTIALS_FILE: nowhere,
        AWS_ACCESS_KEY_ID: "AKIDREPLAYTEST",
        AWS_SECRET_ACCESS_KEY: "replay-test-secret",
        AWS_SESSION_TOKEN: undefined,
        AWS_ENDPOINT_URL: undefined,
        ...endpoints,
      });
    }

    it("takes the region from the queue URL when the environment names none", async () => {
      const fixedEvent = buildEvent("FAILED", "replay-command-app");
      const brokenEvent = buildEvent("FAILED", "replay-command-other");
      const queue = new VisibilityQueue([
        deadLetterOf(fixedEvent, await stack.lambda.invoke(fixedEvent)),
        deadLetterOf(brokenEvent, await stack.lambda.invoke(brokenEvent)),
      ]);
      const sqs = await startSqsEndpoint(queue);
      const lambda = await startLambdaEndpoint((payload) => stack.lambda.invoke(payload));
      try {
        const run = await npmReplay(["--queue-url", QUEUE_URL, "--function", FUNCTION], {
          AWS_ENDPOINT_URL_SQS: sqs.url,
          AWS_ENDPOINT_URL_LAMBDA: lambda.url,
        });
        assert.equal(run.code, 1, run.stderr);
        assert.equal(
          run.stdout,
          "replayed (RetriesExhausted: 1 of 1 receivers not delivered: /webhooks/replay-fixed-later/url (answered 404))\n" +
            "still failing: 1 of 1 receivers not delivered: /webhooks/replay-still-broken/url (answered 404)\n" +
            "1 replayed, 1 still failing (left in the queue)\n",
        );
        assert.equal(queue.size, 1, "only the dead letter still failing stays queued");
        assert.equal(fixedLater.requests.length, 2);
        assert.equal(stillBroken.requests.length, 2);

        // Signed for the queue URL's region; the queue read until empty, the replayed letter deleted.
        for (const call of [...sqs.calls, ...lambda.calls]) assert.equal(call.region, "eu-west-1");
        assert.deepEqual(
          sqs.calls.map((call) => `${call.operation} ${call.target}`),
          [`ReceiveMessage ${QUEUE_URL}`, `DeleteMessage ${QUEUE_URL}`, `ReceiveMessage ${QUEUE_URL}`],
        );
        assert.deepEqual(
          lambda.calls.map((call) => call.target),
          [FUNCTION, FUNCTION],
        );
      } finally {
        await Promise.all([sqs.close(), lambda.close()]);
      }
    });

    it("stops on a call AWS refuses, with AWS's words and where the permissions are, exit code 1", async () => {
      const denial =
        "User: arn:aws:sts::123456789012:assumed-role/operator/replay is not authorized to perform: " +
        `sqs:receivemessage on resource: arn:aws:sqs:eu-west-1:123456789012:dead-letters-5f3c2a1`;
      const sqs = createServer((_request, response) => {
        response.writeHead(400, { "Content-Type": "application/x-amz-json-1.0" });
        response.end(
          JSON.stringify({ __type: "com.amazon.coral.access#AccessDeniedException", message: denial }),
        );
      });
      const endpoint = await listenOnLoopback(sqs);
      try {
        const run = await npmReplay(["--queue-url", QUEUE_URL, "--function", FUNCTION], {
          AWS_ENDPOINT_URL_SQS: endpoint,
        });
        assert.equal(run.code, 1);
        assert.ok(
          run.stderr.endsWith(
            `Replay stopped: AccessDeniedException: ${denial}\n` +
              "npm run replay-dead-letters -- --help lists the permissions it needs.\n",
          ),
          run.stderr,
        );
        assert.equal(run.stdout, "");
      } finally {
        await closeServer(sqs);
      }
    });

    it("--help names every flag, the permissions it needs and the exit codes", async () => {
      const run = await npmReplay(["--help"]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^Usage: npm run replay-dead-letters -- --queue-url URL --function NAME\n/);
      for (const text of [
        /^ {2}--queue-url URL +the dead-letter queue: pulumi stack output deadLetterQueueUrl$/m,
        /^ {2}--function NAME +the notifier: pulumi stack output functionName$/m,
        /^ {2}--help +show this text$/m,
        /^ {2}sqs:ReceiveMessage, sqs:DeleteMessage +on the queue's ARN$/m,
        /^ {2}lambda:InvokeFunction +on the notifier's ARN$/m,
        /^Exit code: 0 when every dead letter was replayed .*, 1 when one is still failing or AWS\nrefused a call, 2 for bad input/m,
      ]) {
        assert.match(run.stdout, text);
      }
      assert.doesNotMatch(run.stdout, /ChangeMessageVisibility/);
      assert.equal(run.stderr, "");
    });

    it("says what is missing, exit code 2", async () => {
      const run = await npmReplay(["--queue-url", QUEUE_URL]);
      assert.equal(run.code, 2);
      assert.equal(
        run.stderr,
        "Usage: npm run replay-dead-letters -- --queue-url URL --function NAME\n" +
          "Give both --queue-url and --function. Run npm run replay-dead-letters -- --help for the options.\n",
      );
    });
  });
});

describe("the region of a replay", () => {
  it("is the one the queue URL names, in each form SQS gives", () => {
    for (const [url, region] of [
      ["https://sqs.eu-west-1.amazonaws.com/123456789012/dead-letters", "eu-west-1"],
      ["https://sqs.us-gov-west-1.amazonaws.com/123456789012/dead-letters", "us-gov-west-1"],
      ["https://sqs-fips.us-east-2.amazonaws.com/123456789012/dead-letters", "us-east-2"],
      ["https://sqs.ap-southeast-2.api.aws/123456789012/dead-letters", "ap-southeast-2"],
      ["https://sqs.cn-north-1.amazonaws.com.cn/123456789012/dead-letters", "cn-north-1"],
      [
        "https://vpce-0a1b2c3d4e5f67890-abcdefgh.sqs.eu-central-1.vpce.amazonaws.com/123456789012/dead-letters",
        "eu-central-1",
      ],
      ["https://ap-northeast-1.queue.amazonaws.com/123456789012/dead-letters", "ap-northeast-1"],
      ["https://queue.amazonaws.com/123456789012/dead-letters", "us-east-1"],
      ["http://127.0.0.1:4566/000000000000/dead-letters", undefined],
      ["https://sqs.eu-west-1.example.com/123456789012/dead-letters", undefined],
      ["https://console.aws.amazon.com/sqs/v3/home?region=eu-west-1", undefined],
    ] as const) {
      assert.equal(queueUrlRegion(url), region, url);
    }
  });

  const QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/dead-letters";
  const LOCAL_QUEUE_URL = "http://127.0.0.1:4566/000000000000/dead-letters";

  it("comes from AWS_REGION, else AWS_DEFAULT_REGION, else the queue URL", () => {
    assert.equal(replayRegion(QUEUE_URL, {}), "eu-west-1");
    assert.equal(replayRegion(QUEUE_URL, { AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "" }), "eu-west-1");
    assert.equal(replayRegion(LOCAL_QUEUE_URL, { AWS_DEFAULT_REGION: "ca-central-1" }), "ca-central-1");
    assert.equal(
      replayRegion(LOCAL_QUEUE_URL, { AWS_REGION: "sa-east-1", AWS_DEFAULT_REGION: "ca-central-1" }),
      "sa-east-1",
    );
  });

  it("is an error when neither names one, or when they disagree", () => {
    assert.throws(() => replayRegion(LOCAL_QUEUE_URL, {}), {
      message:
        `--queue-url ${LOCAL_QUEUE_URL}: the URL names no region (it is not https://sqs.<region>.amazonaws.com/...) ` +
        "and neither AWS_REGION nor AWS_DEFAULT_REGION is set; set AWS_REGION to the queue's region",
    });
    assert.throws(() => replayRegion(QUEUE_URL, { AWS_DEFAULT_REGION: "us-east-1" }), {
      message:
        "--queue-url is in eu-west-1, but AWS_DEFAULT_REGION is us-east-1; the queue and the notifier are in " +
        "eu-west-1: unset AWS_DEFAULT_REGION or set it to eu-west-1",
    });
    assert.throws(() => replayRegion("dead-letters", {}), {
      message:
        "--queue-url dead-letters: not a URL; give the queue's URL, as pulumi stack output deadLetterQueueUrl prints it",
    });
  });
});
