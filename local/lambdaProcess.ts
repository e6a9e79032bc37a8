import { fork, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";

export interface StartLambdaOptions {
  /** The unpacked code archive (Lambda's /var/task). */
  codeDir: string;
  /** `file.export`, relative to codeDir; defaults to `__index.handler`, the entry Pulumi writes. */
  handler?: string;
  /** The function's environment variables. */
  env: Record<string, string>;
  /** The function's memory setting; sizes the V8 heap as the Lambda runtime does. Defaults to 128. */
  memoryMb?: number;
  /**
   * The Node.js binary the container runs on; defaults to this process's. `npm run bench` gives it the
   * Node.js of the function's runtime (nodejs22.x), since CPU figures differ between Node.js releases.
   */
  node?: string;
}

/** An error as Lambda reports it: `errorType` and `errorMessage`. */
export interface LambdaError {
  name: string;
  message: string;
}

export interface Invocation {
  ok: boolean;
  result?: unknown;
  error?: LambdaError;
  timedOut: boolean;
  durationMs: number;
  /** The lines printed while this event ran. */
  logs: string[];
  /** V8's CPU profile of the event (a `.cpuprofile`), when asked for. */
  cpuProfile?: CpuProfile;
}

/** A V8 CPU profile, as `--cpu-prof` writes it and Chrome's DevTools read it. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    hitCount?: number;
    children?: number[];
  }[];
  startTime: number;
  endTime: number;
  samples: number[];
  /** Microseconds before each sample. */
  timeDeltas: number[];
}

/**
 * A fan-out of plain `node:http` POSTs on a keep-alive agent, made in the container's process: the
 * reference the bench states the notifier's CPU per delivery against.
 */
export interface BareRequests {
  urls: string[];
  /** The size of each request's JSON body. */
  bodyBytes: number;
  /** Requests in flight at most. */
  concurrency: number;
}

export interface InvokeOptions {
  /** The function's timeout; defaults to 30 s. */
  timeoutMs?: number;
  /** Records V8's CPU profile of the event (the profiler's own cost included). */
  profile?: boolean;
}

/** A Lambda function running in a process of its own, one event at a time, as in one Lambda container. */
export interface LambdaProcess {
  /** How long the current container took to load the handler (Lambda's Init Duration). */
  readonly loadMs: number;
  invoke(event: unknown, options?: InvokeOptions): Promise<Invocation>;
  /** Every stdout and stderr line so far, of every container. */
  logs: string[];
  peakRssBytes(): Promise<number>;
  /** Makes the requests from the container's process, between events; resolves with their wall time. */
  bareRequests(requests: BareRequests): Promise<number>;
  /**
   * Kills the current container at once (SIGKILL), as an out-of-memory kill or a host failure would: the
   * event it is running ends with Runtime.ExitError, and the next event gets a fresh (cold) container.
   */
  crash(): Promise<void>;
  close(): Promise<void>;
}

const HOST_SCRIPT = path.join(__dirname, "lambdaHost.js");
/** The runtime provides the AWS SDK; this project's copy stands in for it. */
const AWS_SDK_DIR = path.join(__dirname, "..", "node_modules", "@aws-sdk");
const FUNCTION_NAME = "codebuild-webhooks-notifier";
const DEFAULT_HANDLER = "__index.handler";
const DEFAULT_MEMORY_MB = 128;
const DEFAULT_TIMEOUT_MS = 30_000;

interface ContainerSettings {
  codeDir: string;
  handler: string;
  env: Record<string, string>;
  memoryMb: number;
  node?: string;
}

type HostMessage =
  | { type: "ready"; loadMs: number }
  | { type: "initError"; error: LambdaError }
  | {
      type: "result";
      id: string;
      ok: boolean;
      result?: unknown;
      error?: LambdaError;
      durationMs: number;
      cpuProfile?: CpuProfile;
    }
  | { type: "usage"; id: string; maxRssBytes: number }
  | { type: "bareRequests"; id: string; durationMs?: number; error?: LambdaError };

type HostResult = Extract<HostMessage, { type: "result" }>;

/** Why a container could not load its handler, as the next invoke would report it. */
class InitError extends Error {
  constructor(readonly lambdaError: LambdaError) {
    super(`The handler failed to load: ${lambdaError.name}: ${lambdaError.message}`);
  }
}

/** Splits one output stream into lines and picks out the host's end-of-invocation markers. */
class OutputLines {
  private partial = "";

  constructor(
    private readonly marker: string,
    private readonly onLine: (line: string) => void,
    private readonly onMarker: (invocationId: string) => void,
  ) {}

  push(text: string): void {
    const lines = (this.partial + text).split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) this.take(line);
  }

  end(): void {
    if (this.partial !== "") this.take(this.partial);
    this.partial = "";
  }

  private take(line: string): void {
    const at = line.indexOf(this.marker);
    if (at < 0) {
      this.onLine(line);
      return;
    }
    // Output the handler left without a newline shares the marker's line.
    if (at > 0) this.onLine(line.slice(0, at));
    this.onMarker(line.slice(at + this.marker.length));
  }
}

interface RunningInvocation {
  id: string;
  timeoutMs: number;
  startedAt: number;
  timer: NodeJS.Timeout;
  timedOut: boolean;
  logs: string[];
  markersSeen: number;
  result?: HostResult;
  resolve(invocation: Invocation): void;
}

/** One Lambda container: a lambdaHost.js process that has loaded the handler once. */
class Container {
  readonly ready: Promise<number>;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private exitError?: LambdaError;
  private running?: RunningInvocation;
  /** Questions asked of the container between events (its peak memory, bare requests), by id. */
  private readonly questions = new Map<
    string,
    { resolve(value: number): void; reject(error: Error): void }
  >();

  constructor(settings: ContainerSettings, runtimeModulesDir: string, processLogs: string[]) {
    const marker = `[end of invocation ${randomBytes(8).toString("hex")}] `;
    this.child = fork(HOST_SCRIPT, [settings.codeDir, settings.handler, marker], {
      cwd: settings.codeDir,
      env: containerEnv(settings, runtimeModulesDir),
      ...(settings.node ? { execPath: settings.node } : {}),
      // The Lambda runtime's heap sizing, and none of this process's flags (such as a TypeScript loader).
      // On the command line, as the runtime passes them: they win over the function's NODE_OPTIONS.
      execArgv: [
        `--max-semi-space-size=${Math.floor(settings.memoryMb / 20)}`,
        `--max-old-space-size=${settings.memoryMb - Math.floor(settings.memoryMb / 10)}`,
      ],
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });

    const onLine = (line: string): void => {
      processLogs.push(line);
      this.running?.logs.push(line);
    };
    const onMarker = (invocationId: string): void => {
      if (this.running?.id !== invocationId) return;
      this.running.markersSeen++;
      this.finishIfComplete();
    };
    const streams = [this.child.stdout, this.child.stderr].map((stream) => {
      const lines = new OutputLines(marker, onLine, onMarker);
      stream?.setEncoding("utf8");
      stream?.on("data", (text: string) => lines.push(text));
      return lines;
    });

    let settleReady: { resolve(loadMs: number): void; reject(error: Error): void } | undefined;
    this.ready = new Promise((resolve, reject) => (settleReady = { resolve, reject }));
    this.child.on("message", (message: HostMessage) => {
      if (message.type === "ready") {
        settleReady?.resolve(message.loadMs);
      } else if (message.type === "initError") {
        settleReady?.reject(new InitError(message.error));
        this.child.kill("SIGKILL");
      } else if (message.type === "result") {
        if (this.running?.id !== message.id) return;
        this.running.result = message;
        this.finishIfComplete();
      } else {
        const question = this.questions.get(message.id);
        this.questions.delete(message.id);
        if (message.type === "usage") question?.resolve(message.maxRssBytes);
        else if (message.error)
          question?.reject(new Error(`${message.error.name}: ${message.error.message}`));
        else question?.resolve(message.durationMs ?? 0);
      }
    });

    this.exited = new Promise((resolve) => {
      // "close" comes once the process has exited and its output is read to the end.
      this.child.on("close", (code, signal) => {
        for (const lines of streams) lines.end();
        const status = signal ? `signal ${signal}` : `exit status ${code}`;
        const exitError = { name: "Runtime.ExitError", message: `Runtime exited with error: ${status}` };
        this.exitError = exitError;
        settleReady?.reject(new InitError(exitError));
        for (const question of this.questions.values()) question.reject(new Error(exitError.message));
        this.questions.clear();
        if (this.running) this.finishAfterExit(this.running, exitError);
        resolve();
      });
    });
  }

  get alive(): boolean {
    return this.exitError === undefined;
  }

  invoke(event: unknown, timeoutMs: number, profile: boolean): Promise<Invocation> {
    return new Promise((resolve) => {
      if (this.exitError) {
        resolve({ ok: false, error: this.exitError, timedOut: false, durationMs: 0, logs: [] });
        return;
      }
      const id = randomUUID();
      const running: RunningInvocation = {
        id,
        timeoutMs,
        startedAt: performance.now(),
        // Like Lambda, a timed-out container is not used again; its "close" reports the timeout.
        timer: setTimeout(() => {
          running.timedOut = true;
          this.child.kill("SIGKILL");
        }, timeoutMs),
        timedOut: false,
        logs: [],
        markersSeen: 0,
        resolve,
      };
      this.running = running;
      // Should the container die before it reads the event, its "close" reports that death.
      this.child.send({ type: "invoke", id, event, timeoutMs, profile }, () => undefined);
    });
  }

  peakRssBytes(): Promise<number> {
    return this.ask({ type: "usage" });
  }

  bareRequests(requests: BareRequests): Promise<number> {
    return this.ask({ type: "bareRequests", ...requests });
  }

  private ask(message: { type: string }): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.exitError) {
        reject(new Error(this.exitError.message));
        return;
      }
      const id = randomUUID();
      this.questions.set(id, { resolve, reject });
      this.child.send({ ...message, id }, () => undefined);
    });
  }

  async stop(): Promise<void> {
    if (this.alive) this.child.kill("SIGKILL");
    await this.exited;
  }

  /** Settles the running event once its result and both streams' markers (so all its lines) are in. */
  private finishIfComplete(): void {
    const running = this.running;
    if (!running?.result || running.markersSeen < 2 || running.timedOut) return;
    const { ok, result, error, durationMs, cpuProfile } = running.result;
    this.settle(running, {
      ok,
      result,
      error,
      timedOut: false,
      durationMs,
      logs: running.logs,
      ...(cpuProfile ? { cpuProfile } : {}),
    });
  }

  private finishAfterExit(running: RunningInvocation, exitError: LambdaError): void {
    const durationMs = performance.now() - running.startedAt;
    if (running.timedOut) {
      const seconds = (running.timeoutMs / 1000).toFixed(2);
      const error = { name: "Sandbox.Timedout", message: `Task timed out after ${seconds} seconds` };
      this.settle(running, { ok: false, error, timedOut: true, durationMs, logs: running.logs });
    } else if (running.result) {
      // The process ended right after its event did; the result stands.
      const { ok, result, error } = running.result;
      this.settle(running, {
        ok,
        result,
        error,
        timedOut: false,
        durationMs: running.result.durationMs,
        logs: running.logs,
      });
    } else {
      this.settle(running, { ok: false, error: exitError, timedOut: false, durationMs, logs: running.logs });
    }
  }

  private settle(running: RunningInvocation, invocation: Invocation): void {
    clearTimeout(running.timer);
    this.running = undefined;
    running.resolve(invocation);
  }
}

/**
 * The environment of a Lambda container and nothing of this process's: the function's variables, the
 * variables the Lambda service sets, and NODE_PATH to the runtime-provided AWS SDK.
 */
function containerEnv(settings: ContainerSettings, runtimeModulesDir: string): Record<string, string> {
  const region = settings.env.AWS_REGION ?? "us-east-1";
  return {
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    ...settings.env,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(settings.memoryMb),
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${FUNCTION_NAME}`,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName(),
    AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
    LAMBDA_TASK_ROOT: settings.codeDir,
    _HANDLER: settings.handler,
    TZ: ":UTC",
    // Lambda runs Node 22, where the SDK has no Node-version warning to print into the function's logs.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    PATH: process.env.PATH ?? "",
    NODE_PATH: runtimeModulesDir,
    // Lambda has no AWS profile: the user's ~/.aws files (a region, a FIPS or dual-stack endpoint
    // setting the SDK refuses beside the stand-ins' endpoints) stay out.
    AWS_CONFIG_FILE: os.devNull,
    AWS_SHARED_CREDENTIALS_FILE: os.devNull,
  };
}

/** A name like Lambda's per-container log streams: `2024/05/01/[$LATEST]<32 hex digits>`. */
function logStreamName(): string {
  const day = new Date().toISOString().slice(0, 10).replaceAll("-", "/");
  return `${day}/[$LATEST]${randomBytes(16).toString("hex")}`;
}

class LocalLambda implements LambdaProcess {
  readonly logs: string[] = [];
  private container: Container;
  private currentLoadMs = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly settings: ContainerSettings,
    private readonly runtimeModulesDir: string,
  ) {
    this.container = this.startContainer();
  }

  get loadMs(): number {
    return this.currentLoadMs;
  }

  /** Resolves once the first container has loaded the handler. */
  async started(): Promise<void> {
    await this.container.ready;
  }

  invoke(event: unknown, options: InvokeOptions = {}): Promise<Invocation> {
    // Lambda gives a container one event at a time; the next waits for the one before it.
    const invocation = this.queue.then(() =>
      this.runInvocation(event, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options.profile ?? false),
    );
    this.queue = invocation.catch(() => undefined);
    return invocation;
  }

  async peakRssBytes(): Promise<number> {
    const container = this.container;
    await container.ready;
    return container.peakRssBytes();
  }

  async bareRequests(requests: BareRequests): Promise<number> {
    // Between events, never during one: the container runs one thing at a time.
    const run = this.queue.then(async () => {
      await this.container.ready;
      return this.container.bareRequests(requests);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  crash(): Promise<void> {
    return this.container.stop();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.container.stop();
    await rm(this.runtimeModulesDir, { recursive: true, force: true });
  }

  private startContainer(): Container {
    const container = new Container(this.settings, this.runtimeModulesDir, this.logs);
    // A failed load is reported by startLambda or by the next invoke.
    container.ready.then(
      (loadMs) => (this.currentLoadMs = loadMs),
      () => undefined,
    );
    return container;
  }

  private async runInvocation(event: unknown, timeoutMs: number, profile: boolean): Promise<Invocation> {
    if (this.closed) throw new Error("The Lambda process is closed");
    // The process may have exited since the last event, e.g. from a timer the handler left running.
    if (!this.container.alive) this.container = this.startContainer();
    try {
      await this.container.ready;
    } catch (error) {
      // Lambda tries a fresh container for the next event.
      this.container = this.startContainer();
      const lambdaError =
        error instanceof InitError ? error.lambdaError : { name: "Error", message: String(error) };
      return { ok: false, error: lambdaError, timedOut: false, durationMs: 0, logs: [] };
    }
    const invocation = await this.container.invoke(event, timeoutMs, profile);
    // After a timeout or a crash the next event gets a fresh (cold) container, as on Lambda.
    if (!this.container.alive && !this.closed) this.container = this.startContainer();
    return invocation;
  }
}

/** Runs an unpacked Lambda code archive as the Lambda Node.js runtime would, in a process of its own. */
export async function startLambda(options: StartLambdaOptions): Promise<LambdaProcess> {
  // The runtime's module folder holds the AWS SDK and nothing else, so every other package the handler
  // needs must come from the archive.
  const runtimeModulesDir = await mkdtemp(path.join(os.tmpdir(), "lambda-runtime-modules-"));
  await symlink(AWS_SDK_DIR, path.join(runtimeModulesDir, "@aws-sdk"), "dir");
  const lambda = new LocalLambda(
    {
      codeDir: path.resolve(options.codeDir),
      handler: options.handler ?? DEFAULT_HANDLER,
      env: options.env,
      memoryMb: options.memoryMb ?? DEFAULT_MEMORY_MB,
      ...(options.node ? { node: options.node } : {}),
    },
    runtimeModulesDir,
  );
  try {
    await lambda.started();
  } catch (error) {
    await lambda.close();
    throw error;
  }
  return lambda;
}
