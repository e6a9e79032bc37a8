import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { startLambda, type LambdaProcess, type StartLambdaOptions } from "../local/lambdaProcess";
import { closeServer, listenOnLoopback } from "../local/loopbackServer";
import { startParameterStore } from "../local/parameterStore";
import { startReceiver } from "./support/receivers";

/** A code archive written by hand: each event names the action its handler performs. */
const HANDLER_SOURCE = `
const greeting = require("greeting");
let invocations = 0;
let running = 0;
console.log(JSON.stringify({ message: "container started" }));

const actions = {
  echo: async (event, context) => ({
    event,
    invocations,
    requestId: context.awsRequestId,
    functionName: context.functionName,
    invokedFunctionArn: context.invokedFunctionArn,
    remainingMs: context.getRemainingTimeInMillis(),
    callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
  }),
  fail: async () => {
    throw new TypeError("the event has no detail");
  },
  log: async (event) => {
    console.log(JSON.stringify({ level: "INFO", message: event.message }));
    console.error("warning: " + event.message);
    process.stdout.write("left without a newline");
    return "logged";
  },
  sleep: async (event) => {
    console.log(JSON.stringify({ message: "going to sleep" }));
    await new Promise((resolve) => setTimeout(resolve, event.ms));
    return "woke up";
  },
  overlap: async () => {
    running++;
    const runningAtStart = running;
    await new Promise((resolve) => setTimeout(resolve, 50));
    running--;
    return runningAtStart;
  },
  exit: async () => process.exit(3),
  allocate: async (event) => Buffer.alloc(event.mb * 1024 * 1024, 1).length,
  greet: async (event) => greeting(event.name),
  require: async (event) => require(event.module),
  environment: async () => process.env,
  heap: async () => ({
    heapSizeLimit: require("node:v8").getHeapStatistics().heap_size_limit,
    stackTraceLimit: Error.stackTraceLimit,
  }),
  readParameter: async (event) => {
    const { SSMClient, GetParameterCommand } = require("@aws-sdk/client-ssm");
    const ssm = new SSMClient({});
    const output = await ssm.send(new GetParameterCommand({ Name: event.name, WithDecryption: true }));
    ssm.destroy();
    return output.Parameter.Value;
  },
};

exports.handler = async (event, context) => {
  invocations++;
  return actions[event.action](event, context);
};
`;

function writeFile(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

describe("local Lambda process", () => {
  let workDir: string;
  let codeDir: string;
  const lambdas: LambdaProcess[] = [];

  const start = async (options: Partial<StartLambdaOptions> = {}): Promise<LambdaProcess> => {
    const lambda = await startLambda({ codeDir, env: {}, ...options });
    lambdas.push(lambda);
    return lambda;
  };

  before(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-process-spec-"));
    codeDir = path.join(workDir, "task");
    writeFile(path.join(codeDir, "__index.js"), HANDLER_SOURCE);
    writeFile(
      path.join(codeDir, "node_modules", "greeting", "index.js"),
      "module.exports = (name) => `hello ${name}`;",
    );
    // A package beside the archive, where Lambda has none.
    writeFile(
      path.join(workDir, "node_modules", "beside-the-archive", "index.js"),
      "module.exports = 'found';",
    );
  });

  afterEach(async () => {
    await Promise.all(lambdas.splice(0).map((lambda) => lambda.close()));
  });

  after(() => {
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it("loads the handler once and passes it each event with a Lambda context", async () => {
    const lambda = await start();
    assert.ok(lambda.loadMs > 0);

    const first = await lambda.invoke(
      { action: "echo", detail: { "build-status": "SUCCEEDED" } },
      { timeoutMs: 5000 },
    );
    const second = await lambda.invoke({ action: "echo" });

    assert.equal(first.ok, true);
    assert.equal(first.timedOut, false);
    const result = first.result as Record<string, unknown>;
    assert.deepEqual(result.event, { action: "echo", detail: { "build-status": "SUCCEEDED" } });
    assert.equal(result.invocations, 1);
    assert.equal((second.result as Record<string, unknown>).invocations, 2);
    assert.match(String(result.requestId), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.notEqual(result.requestId, (second.result as Record<string, unknown>).requestId);
    assert.equal(result.functionName, "codebuild-webhooks-notifier");
    assert.equal(
      result.invokedFunctionArn,
      "arn:aws:lambda:us-east-1:123456789012:function:codebuild-webhooks-notifier",
    );
    assert.ok(Number(result.remainingMs) > 0 && Number(result.remainingMs) <= 5000);
    assert.equal(result.callbackWaitsForEmptyEventLoop, true);
    assert.deepEqual(lambda.logs, ['{"message":"container started"}']);
  });

  it("reports a thrown error by name and message and keeps the container", async () => {
    const lambda = await start();

    const failed = await lambda.invoke({ action: "fail" });
    const next = await lambda.invoke({ action: "echo" });

    assert.equal(failed.ok, false);
    assert.equal(failed.timedOut, false);
    assert.deepEqual(failed.error, { name: "TypeError", message: "the event has no detail" });
    assert.equal((next.result as Record<string, unknown>).invocations, 2);
  });

  it("captures stdout and stderr line by line, per invocation and for the whole process", async () => {
    const lambda = await start();

    const first = await lambda.invoke({ action: "log", message: "first" });
    const second = await lambda.invoke({ action: "log", message: "second" });

    assert.equal(first.result, "logged");
    assert.deepEqual([...first.logs].sort(), [
      "left without a newline",
      "warning: first",
      '{"level":"INFO","message":"first"}',
    ]);
    assert.deepEqual([...second.logs].sort(), [
      "left without a newline",
      "warning: second",
      '{"level":"INFO","message":"second"}',
    ]);
    assert.equal(lambda.logs.length, 7);
    assert.equal(lambda.logs[0], '{"message":"container started"}');
  });

  it("times an event out, keeping what it logged, and runs the next event in a fresh container", async () => {
    const lambda = await start();

    const timedOut = await lambda.invoke({ action: "sleep", ms: 60_000 }, { timeoutMs: 300 });
    const next = await lambda.invoke({ action: "echo" });

    assert.equal(timedOut.ok, false);
    assert.equal(timedOut.timedOut, true);
    assert.deepEqual(timedOut.error, {
      name: "Sandbox.Timedout",
      message: "Task timed out after 0.30 seconds",
    });
    assert.deepEqual(timedOut.logs, ['{"message":"going to sleep"}']);
    assert.equal((next.result as Record<string, unknown>).invocations, 1);
    assert.equal(lambda.logs.filter((line) => line === '{"message":"container started"}').length, 2);
  });

  it("reports a process exit during an event and starts a fresh container for the next", async () => {
    const lambda = await start();

    const exited = await lambda.invoke({ action: "exit" });
    const next = await lambda.invoke({ action: "echo" });

    assert.deepEqual(exited.error, {
      name: "Runtime.ExitError",
      message: "Runtime exited with error: exit status 3",
    });
    assert.equal(exited.timedOut, false);
    assert.equal((next.result as Record<string, unknown>).invocations, 1);
  });

  it("runs one event at a time, however many are invoked at once", async () => {
    const lambda = await start();

    const invocations = await Promise.all([1, 2, 3].map(() => lambda.invoke({ action: "overlap" })));

    assert.deepEqual(
      invocations.map((invocation) => invocation.result),
      [1, 1, 1],
    );
  });

  it("resolves packages from the archive and the AWS SDK from the runtime, and nothing else", async () => {
    const lambda = await start();

    const packed = await lambda.invoke({ action: "greet", name: "jira" });
    const beside = await lambda.invoke({ action: "require", module: "beside-the-archive" });
    const projectOnly = await lambda.invoke({ action: "require", module: "yaml" });

    assert.equal(packed.result, "hello jira");
    assert.equal(beside.error?.name, "Error");
    assert.match(beside.error?.message ?? "", /^Cannot find module 'beside-the-archive'/);
    assert.match(projectOnly.error?.message ?? "", /^Cannot find module 'yaml'/);
  });

  it("gives the handler the function's environment and the Lambda variables only", async () => {
    const lambda = await start({ env: { TABLE_NAME: "webhooks-registry" }, memoryMb: 256 });

    const { result } = await lambda.invoke({ action: "environment" });

    const env = result as Record<string, string>;
    assert.deepEqual(Object.keys(env).sort(), [
      "AWS_ACCESS_KEY_ID",
      // Point at no file: Lambda has no AWS profile (below).
      "AWS_CONFIG_FILE",
      "AWS_DEFAULT_REGION",
      "AWS_EXECUTION_ENV",
      "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
      "AWS_LAMBDA_FUNCTION_NAME",
      "AWS_LAMBDA_FUNCTION_VERSION",
      "AWS_LAMBDA_INITIALIZATION_TYPE",
      "AWS_LAMBDA_LOG_GROUP_NAME",
      "AWS_LAMBDA_LOG_STREAM_NAME",
      "AWS_REGION",
      "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SHARED_CREDENTIALS_FILE",
      "LAMBDA_TASK_ROOT",
      "NODE_PATH",
      "PATH",
      "TABLE_NAME",
      "TZ",
      "_HANDLER",
    ]);
    assert.equal(env.TABLE_NAME, "webhooks-registry");
    assert.equal(env.AWS_REGION, "us-east-1");
    assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, "256");
    assert.equal(env._HANDLER, "__index.handler");
    // The user's ~/.aws files (a region, a FIPS endpoint setting) do not reach the function.
    assert.deepEqual([env.AWS_CONFIG_FILE, env.AWS_SHARED_CREDENTIALS_FILE], [os.devNull, os.devNull]);
  });

  it("applies the function's NODE_OPTIONS under the runtime's heap flags, which win as on Lambda", async () => {
    const plain = await start({ memoryMb: 256 });
    const tuned = await start({
      env: { NODE_OPTIONS: "--max-semi-space-size=64 --stack-trace-limit=3" },
      memoryMb: 256,
    });

    const plainHeap = (await plain.invoke({ action: "heap" })).result as Record<string, number>;
    const tunedHeap = (await tuned.invoke({ action: "heap" })).result as Record<string, number>;

    // The runtime passes --max-semi-space-size and --max-old-space-size on node's command line, after
    // NODE_OPTIONS: the function's own young-generation size has no effect, its other options do.
    assert.equal(tunedHeap.heapSizeLimit, plainHeap.heapSizeLimit);
    assert.equal(tunedHeap.stackTraceLimit, 3);
    assert.equal(plainHeap.stackTraceLimit, 10);
  });

  it("runs the container on the Node.js binary given, with the runtime's flags, as the bench runs the runtime's", async () => {
    // A stand-in for another Node.js release: a script that marks its process, then runs this node.
    const node = path.join(workDir, "node-of-the-runtime");
    writeFile(node, `#!/bin/sh\nexport GIVEN_NODE="$0 $*"\nexec "${process.execPath}" "$@"\n`);
    fs.chmodSync(node, 0o755);
    const lambda = await start({ node, memoryMb: 256 });

    const env = (await lambda.invoke({ action: "environment" })).result as Record<string, string>;
    assert.match(env.GIVEN_NODE, /node-of-the-runtime --max-semi-space-size=12 --max-old-space-size=231 /);
    const fallback = (await (await start()).invoke({ action: "environment" })).result as Record<
      string,
      string
    >;
    assert.equal(fallback.GIVEN_NODE, undefined);
  });

  it("lets the handler read a SecureString through the SDK at AWS_ENDPOINT_URL_SSM", async () => {
    const store = await startParameterStore();
    try {
      store.put("/webhooks/jira/url", "https://jira.example/hook", "SecureString");
      const lambda = await start({ env: { AWS_ENDPOINT_URL_SSM: store.endpoint } });

      const invocation = await lambda.invoke({ action: "readParameter", name: "/webhooks/jira/url" });

      assert.deepEqual(invocation.error, undefined);
      assert.equal(invocation.result, "https://jira.example/hook");
      assert.deepEqual(store.calls, [
        { target: "AmazonSSM.GetParameter", names: ["/webhooks/jira/url"], withDecryption: true },
      ]);
      assert.deepEqual(invocation.logs, []);
    } finally {
      await store.close();
    }
  });

  it("reports the container's peak resident memory", async () => {
    const lambda = await start({ memoryMb: 512 });
    const before = await lambda.peakRssBytes();

    const invocation = await lambda.invoke({ action: "allocate", mb: 200 });

    // 200 MiB written byte by byte are resident: the peak holds them, above whatever start-up reached.
    const mib = 1024 * 1024;
    assert.deepEqual([invocation.error, invocation.result], [undefined, 200 * mib]);
    const after = await lambda.peakRssBytes();
    assert.ok(before > 0 && before < 200 * mib, `peak before the event: ${before} bytes`);
    assert.ok(
      after >= 200 * mib && after > before,
      `peak after the event: ${after} bytes, before: ${before}`,
    );
  });

  it("counts the container's own memory in its peak, not that of the process that started it", async () => {
    // Linux carries a parent's peak over into a child's getrusage at its start: a large test process
    // would make every container it starts look large.
    const mib = 1024 * 1024;
    const held = Buffer.alloc(300 * mib, 1);
    const lambda = await start({ memoryMb: 512 });
    const peak = await lambda.peakRssBytes();
    assert.equal(held.length, 300 * mib);
    assert.ok(peak > 0 && peak < 200 * mib, `peak of a container that ran nothing: ${peak} bytes`);
  });

  it("makes a fan-out of bare keep-alive POSTs between events, at most `concurrency` at once", async () => {
    // A receiver that holds each answer a little, counting the requests it holds at once.
    const requests: { path: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
    let held = 0;
    let mostHeld = 0;
    const server = http.createServer((request, response) => {
      held++;
      mostHeld = Math.max(mostHeld, held);
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        requests.push({ path: request.url ?? "", headers: request.headers, body });
        setTimeout(() => {
          held--;
          response.end("{}");
        }, 20);
      });
    });
    const base = await listenOnLoopback(server);
    try {
      const lambda = await start();
      const urls = ["a", "b", "c", "d", "e"].map((name) => `${base}/${name}`);

      await lambda.bareRequests({ urls, bodyBytes: 40, concurrency: 2 });

      assert.deepEqual(requests.map((request) => request.path).sort(), ["/a", "/b", "/c", "/d", "/e"]);
      for (const request of requests) {
        assert.equal(Buffer.byteLength(request.body), 40);
        assert.equal(request.headers["content-type"], "application/json");
        assert.equal(request.headers.connection, "keep-alive");
        JSON.parse(request.body);
      }
      assert.equal(mostHeld, 2);
      // The container runs events as before.
      assert.equal((await lambda.invoke({ action: "echo" })).ok, true);
    } finally {
      await closeServer(server);
    }
  });

  it("rejects bare requests a receiver refuses, naming the URL and the status", async () => {
    const receiver = await startReceiver([{ status: 503 }]);
    try {
      const lambda = await start();
      await assert.rejects(
        lambda.bareRequests({ urls: [`${receiver.url}/x`], bodyBytes: 20, concurrency: 1 }),
        new RegExp(`${receiver.url}/x answered 503`),
      );
    } finally {
      await receiver.close();
    }
  });

  it("fails to start, as Lambda fails the init, when the archive lacks a package", async () => {
    const brokenDir = path.join(workDir, "broken");
    writeFile(
      path.join(brokenDir, "__index.js"),
      'require("got");\nexports.handler = async () => "never";\n',
    );

    await assert.rejects(startLambda({ codeDir: brokenDir, env: {} }), {
      message: /^The handler failed to load: Runtime\.ImportModuleError: Error: Cannot find module 'got'/,
    });
  });

  it("fails to start when the handler is not exported", async () => {
    await assert.rejects(startLambda({ codeDir, handler: "__index.notify", env: {} }), {
      message:
        "The handler failed to load: Runtime.HandlerNotFound: __index.notify is undefined or not exported",
    });
  });
});
