"use strict";
// One Lambda container for an unpacked code archive, run as a child process by lambdaProcess.ts: loads
// the handler the way the Lambda Node.js runtime does, then runs the events it is sent over IPC.
// Plain CommonJS so it starts as Lambda's runtime starts, without the project's TypeScript tooling.
//
// Arguments: <code dir> <handler, e.g. __index.handler> <end-of-invocation marker>

const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const { randomUUID } = require("node:crypto");
const { Buffer } = require("node:buffer");
const { performance } = require("node:perf_hooks");
const inspector = require("node:inspector");
const http = require("node:http");

const [codeDir, handlerName, endMarker] = process.argv.slice(2);
const taskRoot = fs.realpathSync(codeDir);

// On Lambda the archive sits in /var/task with no node_modules above it: a package reaches the handler
// from the archive or, for the AWS SDK, from the runtime's NODE_PATH. Here the folder may lie inside the
// project, whose node_modules would otherwise satisfy whatever the archive forgot to pack.
const nodeModulePaths = Module._nodeModulePaths;
Module._nodeModulePaths = function (from) {
  const paths = nodeModulePaths.call(this, from);
  return isInside(path.resolve(from), taskRoot) ? paths.filter((dir) => isInside(dir, taskRoot)) : paths;
};

function isInside(file, dir) {
  return file === dir || file.startsWith(dir + path.sep);
}

// Lambda's error types for a handler that cannot be loaded.
function describeInitError(error) {
  if (error && error.code === "MODULE_NOT_FOUND") {
    return { name: "Runtime.ImportModuleError", message: String(error) };
  }
  if (error instanceof SyntaxError) return { name: "Runtime.UserCodeSyntaxError", message: String(error) };
  return describeError(error);
}

function describeError(error) {
  if (error instanceof Error) return { name: error.name, message: error.message };
  if (error && typeof error.name === "string") return { name: error.name, message: String(error.message) };
  return { name: typeof error, message: String(error) };
}

function loadHandler() {
  // "dir/file.export" names the export of dir/file, as Lambda reads its handler setting.
  const exportStart = handlerName.indexOf(".", handlerName.lastIndexOf("/") + 1);
  const notFound = {
    name: "Runtime.HandlerNotFound",
    message: `${handlerName} is undefined or not exported`,
  };
  if (exportStart < 0) throw notFound;
  const handler = handlerName
    .slice(exportStart + 1)
    .split(".")
    .reduce(
      (value, key) => (value === undefined || value === null ? undefined : value[key]),
      require(path.resolve(taskRoot, handlerName.slice(0, exportStart))),
    );
  if (typeof handler !== "function") throw notFound;
  return handler;
}

function contextFor(timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;
  return {
    awsRequestId: randomUUID(),
    functionName,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:123456789012:function:${functionName}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/** Runs `task` under V8's CPU profiler (what `--cpu-prof` records), resolving with its result and the profile. */
async function profiled(task) {
  const session = new inspector.Session();
  session.connect();
  const post = (method, params) =>
    new Promise((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: 100 });
  await post("Profiler.start");
  try {
    return { outcome: await task(), profile: (await post("Profiler.stop")).profile };
  } finally {
    session.disconnect();
  }
}

async function invoke(handler, { id, event, timeoutMs, profile }) {
  const started = performance.now();
  const run = async () => {
    try {
      return { ok: true, result: await handler(event, contextFor(timeoutMs)) };
    } catch (error) {
      return { ok: false, error: describeError(error) };
    }
  };
  const { outcome, profile: cpuProfile } = profile ? await profiled(run) : { outcome: await run() };
  const durationMs = performance.now() - started;
  // Output and IPC travel apart; the markers tell the parent that every line of this event has arrived.
  process.stdout.write(`${endMarker}${id}\n`);
  process.stderr.write(`${endMarker}${id}\n`);
  process.send({ type: "result", id, durationMs, ...outcome, ...(cpuProfile ? { cpuProfile } : {}) });
}

/**
 * The bench's reference request: the same fan-out as an event's, made with nothing but `node:http` and a
 * keep-alive agent (kept for the container's life, as the notifier keeps its own), `concurrency` POSTs of
 * a `bodyBytes` JSON body in flight at most. Run in the container's process, so that the notifier's CPU
 * per delivery can be stated as a multiple of it, whatever else the machine is running.
 */
let bareAgent;
function bareRequests({ urls, bodyBytes, concurrency }) {
  bareAgent ??= new http.Agent({ keepAlive: true });
  const body = `{"text":"${"x".repeat(Math.max(0, bodyBytes - 11))}"}`;
  const headers = { "content-type": "application/json", "content-length": Buffer.byteLength(body) };
  return new Promise((resolve, reject) => {
    let started = 0;
    let answered = 0;
    const next = () => {
      const url = urls[started++];
      const request = http.request(url, { method: "POST", agent: bareAgent, headers }, (response) => {
        response.resume();
        response.on("end", () => {
          if (response.statusCode !== 200) {
            reject(new Error(`${url} answered ${response.statusCode}`));
            return;
          }
          answered++;
          if (answered === urls.length) resolve();
          else if (started < urls.length) next();
        });
      });
      request.on("error", reject);
      request.end(body);
    };
    if (urls.length === 0) resolve();
    while (started < Math.min(concurrency, urls.length)) next();
  });
}

async function runBareRequests(message) {
  const started = performance.now();
  try {
    await bareRequests(message);
    process.send({ type: "bareRequests", id: message.id, durationMs: performance.now() - started });
  } catch (error) {
    process.send({ type: "bareRequests", id: message.id, error: describeError(error) });
  }
}

// A container without its parent would never be asked for anything again.
process.on("disconnect", () => process.exit());

const loadStarted = performance.now();
/**
 * The container's peak resident memory, as Lambda's "Max Memory Used" counts the function's: the
 * high-water mark of this process's own memory (VmHWM). getrusage's maxRSS would count the memory of the
 * process that started this one too, which Linux carries over at the start; it stands in without /proc.
 */
function peakRssBytes() {
  try {
    const highWater = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync("/proc/self/status", "utf8"));
    if (highWater) return Number(highWater[1]) * 1024;
  } catch {
    // Not Linux.
  }
  return process.resourceUsage().maxRSS * 1024;
}

let handler;
try {
  handler = loadHandler();
} catch (error) {
  process.send({ type: "initError", error: describeInitError(error) });
}

if (handler) {
  process.on("message", (message) => {
    if (message.type === "invoke") {
      invoke(handler, message);
    } else if (message.type === "bareRequests") {
      runBareRequests(message);
    } else if (message.type === "usage") {
      process.send({ type: "usage", id: message.id, maxRssBytes: peakRssBytes() });
    }
  });
  process.send({ type: "ready", loadMs: performance.now() - loadStarted });
}
