import * as assert from "node:assert/strict";
import { createServer } from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import type { Invocation } from "../local/lambdaProcess";
import { closeServer, listenOnLoopback } from "../local/loopbackServer";
import type { BuildStateChangeEvent } from "../src/notifier/buildEvent";
import {
  type NotifierFunction,
  queueUrlRegion,
  refusalOf,
  replayDeadLetters,
  replayedNotifier,
  replayRegion,
} from "../src/replayDeadLetters";
import { buildEvent } from "./support/buildEvents";
import { startLambdaEndpoint, startSqsEndpoint, VisibilityQueue } from "../local/deadLetterEndpoints";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import { runNpm, type CommandRun, type Variables } from "./support/npmCommand";
import { startReceiver, type Receiver } from "./support/receivers";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/specStack";

/** The notifier `npm run replay-dead-letters` is pointed at below: its name, region and account. */
const NOTIFIER: NotifierFunction = { region: "eu-west-1", account: "123456789012", name: "notifier-8d41b7e" };
const NOTIFIER_ARN = `arn:aws:lambda:${NOTIFIER.region}:${NOTIFIER.account}:function:${NOTIFIER.name}`;

/** The record Lambda's on-failure destination writes once an event's retries are exhausted. */
function failureRecord(event: unknown, failed?: Invocation): Record<string, unknown> {
  return {
    version: "1.0",
    timestamp: "2026-11-29T09:14:36.000Z",
    requestContext: {
      requestId: "5f0d7c7e-9d7e-4c8e-8d2b-1a0e5b9c3f11",
      functionArn: `${NOTIFIER_ARN}:$LATEST`,
      condition: "RetriesExhausted",
      approximateInvokeCount: 3,
    },
    requestPayload: event,
    responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
    responsePayload: { errorType: failed?.error?.name, errorMessage: failed?.error?.message },
  };
}

function deadLetterOf(event: BuildStateChangeEvent, failed: Invocation): string {
  return JSON.stringify(failureRecord(event, failed));
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
    const early = await replayDeadLetters(queue, NOTIFIER, invoke, (line) => lines.push(line));
    assert.deepEqual(early, {
      replayed: 0,
      stillFailing: [
        {
          reason:
            "RetriesExhausted: 1 of 2 receivers not delivered: /webhooks/replay-broken/url (answered 404)",
          error: "1 of 2 receivers not delivered: /webhooks/replay-broken/url (answered 404)",
        },
      ],
      refused: [],
    });
    assert.equal(queue.size, 1);

    fixed = true;
    queue.endVisibilityTimeout();
    const report = await replayDeadLetters(queue, NOTIFIER, invoke, (line) => lines.push(line));
    assert.deepEqual(report, { replayed: 1, stillFailing: [], refused: [] });
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
    const FUNCTION = NOTIFIER.name;

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

    it("refuses messages that are no failure records of the notifier, by message ID, and leaves them queued", async () => {
      const event = buildEvent("FAILED", "replay-command-forged");
      // Planted by whoever could send to the queue: each would have the notifier post to the receivers
      // of "replay-command-forged". None may reach the notifier, and none of their text the output.
      const planted = "PLANTED-7c1f0e";
      const forged = buildEvent("FAILED", `replay-command-forged-${planted}`);
      const otherFunction = failureRecord(forged);
      (otherFunction.requestContext as Record<string, unknown>).functionArn =
        `arn:aws:lambda:eu-west-1:123456789012:function:${planted}`;
      const otherAccount = failureRecord(forged);
      (otherAccount.requestContext as Record<string, unknown>).functionArn =
        `arn:aws:lambda:eu-west-1:210987654321:function:${NOTIFIER.name}`;
      const bodies = [
        JSON.stringify(forged),
        JSON.stringify(otherFunction),
        JSON.stringify(otherAccount),
        JSON.stringify(failureRecord({ ...forged, source: `aws.codebuild.${planted}` })),
        `${planted} {`,
        JSON.stringify(failureRecord(event)),
      ];
      const queue = new VisibilityQueue(bodies);
      const ids = queue.ids;
      const sqs = await startSqsEndpoint(queue);
      const invoked: unknown[] = [];
      const lambda = await startLambdaEndpoint((payload) => {
        invoked.push(payload);
        return stack.lambda.invoke(payload);
      });
      try {
        const run = await npmReplay(["--queue-url", QUEUE_URL, "--function", FUNCTION], {
          AWS_ENDPOINT_URL_SQS: sqs.url,
          AWS_ENDPOINT_URL_LAMBDA: lambda.url,
        });
        assert.equal(run.code, 1, run.stderr);
        const notTheNotifiers =
          "requestContext.functionArn is not function notifier-8d41b7e of account 123456789012 in eu-west-1: " +
          "the record is another function's";
        assert.equal(
          run.stdout,
          [
            `refused message ${ids[0]}: it is not a Lambda invocation record (its version is not "1.0")`,
            `refused message ${ids[1]}: ${notTheNotifiers}`,
            `refused message ${ids[2]}: ${notTheNotifiers}`,
            `refused message ${ids[3]}: its event (requestPayload) is not a CodeBuild Build State Change of source aws.codebuild`,
            `refused message ${ids[4]}: its body is not JSON`,
            "replayed (RetriesExhausted: no error message)",
            "1 replayed, 0 still failing (left in the queue), 5 refused (left in the queue)",
            "",
          ].join("\n"),
        );
        assert.doesNotMatch(run.stdout + run.stderr, new RegExp(planted));
        assert.deepEqual(invoked, [event], "only the notifier's own failure record is invoked");
        assert.deepEqual(queue.bodies, bodies.slice(0, 5), "the refused messages stay in the queue");
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
        /^ {2}--function NAME +the notifier: pulumi stack output functionName \(or its ARN\)$/m,
        /^ {2}--help +show this text$/m,
        /^ {2}sqs:ReceiveMessage, sqs:DeleteMessage +on the queue's ARN$/m,
        /^ {2}lambda:InvokeFunction +on the notifier's ARN$/m,
        /^Exit code: 0 when every dead letter was replayed .*, 1 when one is still failing or\nrefused, or AWS refused a call, 2 for bad input/m,
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

describe("the messages a replay takes", () => {
  const event = buildEvent("FAILED", "my-app");

  /** A failure record of the notifier with one field replaced (undefined removes it). */
  function changed(field: string, value: unknown, into = failureRecord(event)): string {
    const [outer, inner] = field.split(".");
    const target = inner === undefined ? into : (into[outer] as Record<string, unknown>);
    const key = inner ?? outer;
    if (value === undefined) Reflect.deleteProperty(target, key);
    else target[key] = value;
    return JSON.stringify(into);
  }

  it("are Lambda's failure records of the notifier, of any version or alias of it, holding a build event", () => {
    assert.equal(refusalOf(JSON.stringify(failureRecord(event)), NOTIFIER), undefined);
    for (const arn of [NOTIFIER_ARN, `${NOTIFIER_ARN}:7`, `${NOTIFIER_ARN}:live`]) {
      assert.equal(refusalOf(changed("requestContext.functionArn", arn), NOTIFIER), undefined, arn);
    }
    // Lambda drops the function's answer of an event too old to run: a record without one is replayed.
    const tooOld = failureRecord(event);
    (tooOld.requestContext as Record<string, unknown>).condition = "EventAgeExceeded";
    assert.equal(refusalOf(changed("responsePayload", undefined, tooOld), NOTIFIER), undefined);
  });

  it("are refused with the field that is wrong, never with what the message holds", () => {
    const another =
      "requestContext.functionArn is not function notifier-8d41b7e of account 123456789012 in eu-west-1: the record is another function's";
    const notBuild =
      "its event (requestPayload) is not a CodeBuild Build State Change of source aws.codebuild";
    for (const [body, reason] of [
      ["", "its body is not JSON"],
      ["[1]", "its body is not a JSON object"],
      [JSON.stringify(event), 'it is not a Lambda invocation record (its version is not "1.0")'],
      [changed("version", "2.0"), 'it is not a Lambda invocation record (its version is not "1.0")'],
      [changed("requestContext", undefined), "it names no function (requestContext.functionArn)"],
      [changed("requestContext.functionArn", 42), "it names no function (requestContext.functionArn)"],
      [changed("requestContext.functionArn", "notifier-8d41b7e"), another],
      [changed("requestContext.functionArn", `${NOTIFIER_ARN}-copy`), another],
      [changed("requestContext.functionArn", NOTIFIER_ARN.replace("eu-west-1", "eu-west-2")), another],
      [changed("requestContext.functionArn", NOTIFIER_ARN.replace("123456789012", "123456789013")), another],
      [changed("requestContext.functionArn", `${NOTIFIER_ARN}:live:extra`), another],
      [
        changed("requestContext.condition", undefined),
        "it gives no failure condition (requestContext.condition)",
      ],
      [changed("requestPayload", undefined), "it holds no event (requestPayload)"],
      [changed("requestPayload", "{}"), "it holds no event (requestPayload)"],
      [changed("requestPayload", { ...event, source: "aws.codepipeline" }), notBuild],
      [changed("requestPayload", { ...event, "detail-type": "CodeBuild Build Phase Change" }), notBuild],
    ] as const) {
      assert.equal(refusalOf(body, NOTIFIER), reason, body);
    }
  });

  it("are printed with every control character, escape sequence and bidi override escaped", async () => {
    // A record that passes every check holds text its sender wrote: the condition, the error, and what
    // the notifier says of the event it was handed.
    const record = failureRecord(event);
    (record.requestContext as Record<string, unknown>).condition =
      "RetriesExhausted\u001b]52;c;ZWNobyBwbGFudGVk\u0007\u001b[2J\u001b[H";
    record.responsePayload = { errorMessage: "ok\u001b[8m\u009b31m\u202etxt.exe\u2066" };
    const body = JSON.stringify(record);
    const letters = [
      { id: "a", body, remove: async () => undefined },
      { id: "b", body, remove: async () => undefined },
    ];
    const answers: { error?: string }[] = [
      {},
      { error: "1 of 1 receivers not delivered: \u001b[31mx\r\n\u0085" },
    ];
    const lines: string[] = [];
    await replayDeadLetters(
      { receive: async () => letters.splice(0) },
      NOTIFIER,
      async () => answers.shift() ?? {},
      (line) => lines.push(line),
    );
    assert.deepEqual(lines, [
      "replayed (RetriesExhausted\\u001b]52;c;ZWNobyBwbGFudGVk\\u0007\\u001b[2J\\u001b[H: " +
        "ok\\u001b[8m\\u009b31m\\u202etxt.exe\\u2066)",
      "still failing: 1 of 1 receivers not delivered: \\u001b[31mx\\u000d\\u000a\\u0085",
    ]);
  });

  it("belong to the notifier --function names, in the queue's account and the replay's region", () => {
    const queueUrl = "https://sqs.eu-west-1.amazonaws.com/123456789012/dead-letters";
    assert.deepEqual(replayedNotifier(NOTIFIER.name, queueUrl, "eu-west-1"), NOTIFIER);
    assert.deepEqual(replayedNotifier(NOTIFIER_ARN, queueUrl, "eu-west-1"), NOTIFIER);
    assert.throws(() => replayedNotifier(NOTIFIER_ARN, queueUrl, "eu-west-2"), {
      message:
        "--function is a function of account 123456789012 in eu-west-1, but the queue is in account " +
        "123456789012 in eu-west-2: the notifier and its dead-letter queue are in one account and region",
    });
    for (const flag of [`${NOTIFIER_ARN}:live`, `123456789012:function:${NOTIFIER.name}`, "notifier/x"]) {
      assert.throws(() => replayedNotifier(flag, queueUrl, "eu-west-1"), {
        message:
          `--function ${flag}: not a function name or an unqualified function ARN; give the notifier's name, ` +
          "as pulumi stack output functionName prints it",
      });
    }
    assert.throws(() => replayedNotifier(NOTIFIER.name, "http://127.0.0.1:4566/dead-letters", "eu-west-1"), {
      message:
        "--queue-url http://127.0.0.1:4566/dead-letters: the URL names no account (its path is not " +
        "/<account>/<queue name>); give the queue's URL, as pulumi stack output deadLetterQueueUrl prints it",
    });
  });
});
