import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { text } from "node:stream/consumers";
import type { Invocation } from "./lambdaProcess";
import { closeServer, listenOnLoopback } from "./loopbackServer";
import type { DeadLetter } from "../src/replayDeadLetters";

/**
 * An SQS-like queue in memory: a received message stays invisible until its visibility timeout ends,
 * and leaves the queue only when removed.
 */
export class VisibilityQueue {
  private readonly messages: { id: string; body: string; invisible: boolean }[];

  constructor(bodies: string[] = []) {
    this.messages = bodies.map((body) => ({ id: randomUUID(), body, invisible: false }));
  }

  get size(): number {
    return this.messages.length;
  }

  /** The bodies of the messages still queued, visible or not. */
  get bodies(): string[] {
    return this.messages.map((message) => message.body);
  }

  /** The message IDs of the messages still queued, in the order of their bodies. */
  get ids(): string[] {
    return this.messages.map((message) => message.id);
  }

  /** Adds a message, as SendMessage does (Lambda's on-failure destination, say). */
  send(body: string): void {
    this.messages.push({ id: randomUUID(), body, invisible: false });
  }

  async receive(): Promise<DeadLetter[]> {
    return this.messages
      .filter((message) => !message.invisible)
      .map((message) => {
        message.invisible = true;
        return {
          id: message.id,
          body: message.body,
          remove: async () => void this.messages.splice(this.messages.indexOf(message), 1),
        };
      });
  }

  endVisibilityTimeout(): void {
    for (const message of this.messages) message.invisible = false;
  }
}

/** A call an endpoint answered: the operation, and the region its SigV4 signature was scoped to. */
export interface EndpointCall {
  operation: string;
  region: string;
  /** The queue URL or function name the call named. */
  target: string;
}

export interface Endpoint {
  /** `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL_SQS` or `AWS_ENDPOINT_URL_LAMBDA`. */
  url: string;
  calls: EndpointCall[];
  close(): Promise<void>;
}

/** The region of a SigV4 `Authorization` header: `Credential=<key>/<date>/<region>/<service>/aws4_request`. */
function signedRegion(request: IncomingMessage): string {
  return /Credential=[^/]+\/\d+\/([^/]+)\//.exec(request.headers.authorization ?? "")?.[1] ?? "";
}

async function serve(
  handle: (request: IncomingMessage, body: string, response: ServerResponse) => Promise<void>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    text(request)
      .then((body) => handle(request, body, response))
      .catch((error: Error) => {
        response.writeHead(500, { "Content-Type": "text/plain" });
        response.end(error.message);
      });
  });
  const url = await listenOnLoopback(server);
  return { url, close: () => closeServer(server) };
}

/**
 * The queue behind the SQS JSON 1.0 protocol (`X-Amz-Target: AmazonSQS.ReceiveMessage`,
 * `AmazonSQS.DeleteMessage`), as the real SQS client calls it.
 */
export async function startSqsEndpoint(queue: VisibilityQueue): Promise<Endpoint> {
  const calls: EndpointCall[] = [];
  const received = new Map<string, DeadLetter>();
  const server = await serve(async (request, body, response) => {
    const operation = String(request.headers["x-amz-target"]).replace(/^AmazonSQS\./, "");
    const input = JSON.parse(body) as { QueueUrl: string; ReceiptHandle?: string };
    calls.push({ operation, region: signedRegion(request), target: input.QueueUrl });
    let output: unknown = {};
    if (operation === "ReceiveMessage") {
      const messages = (await queue.receive()).map((message) => {
        const handle = randomUUID();
        received.set(handle, message);
        const md5 = createHash("md5").update(message.body).digest("hex");
        return { MessageId: message.id, ReceiptHandle: handle, MD5OfBody: md5, Body: message.body };
      });
      output = { Messages: messages };
    } else if (operation === "DeleteMessage") {
      await received.get(input.ReceiptHandle ?? "")?.remove();
    } else {
      throw new Error(`${operation} is not served here`);
    }
    response.writeHead(200, { "Content-Type": "application/x-amz-json-1.0" });
    response.end(JSON.stringify(output));
  });
  return { ...server, calls };
}

/**
 * A function behind Lambda's Invoke API (`POST /2015-03-31/functions/<name>/invocations`): the payload
 * goes to `invoke`, and a failed invocation is answered as Lambda answers it, with `X-Amz-Function-Error`.
 */
export async function startLambdaEndpoint(
  invoke: (payload: unknown) => Promise<Invocation>,
): Promise<Endpoint> {
  const calls: EndpointCall[] = [];
  const server = await serve(async (request, body, response) => {
    const functionName = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(request.url ?? "")?.[1];
    if (request.method !== "POST" || functionName === undefined) {
      throw new Error(`${request.method} ${request.url} is not served here`);
    }
    calls.push({
      operation: "Invoke",
      region: signedRegion(request),
      target: decodeURIComponent(functionName),
    });
    const invocation = await invoke(JSON.parse(body));
    response.writeHead(200, {
      "Content-Type": "application/json",
      ...(invocation.ok ? {} : { "X-Amz-Function-Error": "Unhandled" }),
    });
    response.end(
      JSON.stringify(
        invocation.ok
          ? (invocation.result ?? null)
          : { errorType: invocation.error?.name, errorMessage: invocation.error?.message },
      ),
    );
  });
  return { ...server, calls };
}
