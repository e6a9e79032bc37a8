import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { closeServer, listenOnLoopback } from "../../local/loopbackServer";

const [NODE_MAJOR, NODE_MINOR] = process.versions.node.split(".").map(Number);
/**
 * Node.js 24.20 and later fail a request whose body was written while connecting to a port that refuses
 * it with a code of their own, often before got retries it; got 14 neither retries nor unwraps that code
 * (got 16 does, and needs Node.js 22: docs/design-decisions.md). The notifier runs on Node.js 22 in Lambda.
 */
const CLOSES_BEFORE_CONNECTING = NODE_MAJOR > 24 || (NODE_MAJOR === 24 && NODE_MINOR >= 20);

/** Whether the notifier, run on this Node.js, retries a connection a receiver refused. */
export const REFUSED_CONNECTION_RETRIED = !CLOSES_BEFORE_CONNECTING;

/** The codes a delivery to a receiver that refuses connections may fail with, on this Node.js. */
export const REFUSED_CONNECTION_CODES = CLOSES_BEFORE_CONNECTING
  ? ["ECONNREFUSED", "ERR_SOCKET_CLOSED_BEFORE_CONNECTION"]
  : ["ECONNREFUSED"];

/** How a receiver answers one request. */
export interface ResponseStep {
  /** Defaults to 200. */
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Holds the answer back, e.g. to run into the notifier's request timeout. */
  delayMs?: number;
  /**
   * Holds the answer back until this settles: the request stays in flight while the test does what it
   * must do meanwhile, however long a busy machine makes that take.
   */
  heldUntil?: Promise<unknown>;
  /** Never answers: the connection stays open until the receiver is closed. */
  hang?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
  /** Epoch milliseconds at which the request arrived. */
  receivedAt: number;
}

/** A list is played in order and its last step repeats; a function picks the step per request. */
export type ResponseScript = ResponseStep[] | ((request: RecordedRequest, index: number) => ResponseStep);

export interface Receiver {
  /** `http://127.0.0.1:PORT/hook` */
  url: string;
  requests: RecordedRequest[];
  /** Resolves with the requests received so far once there are at least `n`. */
  waitForRequests(n: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

const DEFAULT_WAIT_MS = 5000;

/** A webhook receiver on the loopback interface that answers as scripted and records what it was sent. */
export async function startReceiver(script: ResponseScript = []): Promise<Receiver> {
  const requests: RecordedRequest[] = [];
  const waiters = new Set<() => void>();
  const delayedAnswers = new Set<NodeJS.Timeout>();

  const stepFor = (request: RecordedRequest, index: number): ResponseStep => {
    if (typeof script === "function") return script(request, index);
    return script[Math.min(index, script.length - 1)] ?? {};
  };

  const answer = (response: ServerResponse, step: ResponseStep): void => {
    response.writeHead(step.status ?? 200, step.headers);
    response.end(step.body ?? "");
  };

  const server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    const receivedAt = Date.now();
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(incoming.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
      }
      const request: RecordedRequest = {
        method: incoming.method ?? "",
        path: incoming.url ?? "",
        headers,
        body: Buffer.concat(chunks).toString("utf8"),
        receivedAt,
      };
      const index = requests.push(request) - 1;
      for (const wake of waiters) wake();

      const step = stepFor(request, index);
      if (step.hang) return;
      if (step.heldUntil) {
        void step.heldUntil.finally(() => answer(response, step));
        return;
      }
      if (!step.delayMs) {
        answer(response, step);
        return;
      }
      const timer = setTimeout(() => {
        delayedAnswers.delete(timer);
        answer(response, step);
      }, step.delayMs);
      delayedAnswers.add(timer);
    });
  });

  const endpoint = await listenOnLoopback(server);
  let closing: Promise<void> | undefined;

  return {
    url: `${endpoint}/hook`,
    requests,
    waitForRequests(n, timeoutMs = DEFAULT_WAIT_MS) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (requests.length < n) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve([...requests]);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `Expected ${n} requests at the receiver within ${timeoutMs} ms, got ${requests.length}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      for (const timer of delayedAnswers) clearTimeout(timer);
      delayedAnswers.clear();
      // Hanging and delayed requests keep their connections open: closeServer ends them.
      closing ??= closeServer(server);
      return closing;
    },
  };
}
