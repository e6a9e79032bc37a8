import { Agent, createServer, request as forward, type IncomingMessage } from "node:http";
import { closeServer, listenOnLoopback } from "./loopbackServer";

/** What went through the proxy since the last reset. */
export interface ProxiedCalls {
  /** Requests by operation (`X-Amz-Target` without its service prefix, e.g. `Query`). */
  byOperation: Record<string, number>;
  total: number;
  /** TCP connections the client opened to the proxy. */
  connections: number;
}

/** One request as the proxy sees it, for deciding whether to fail it. */
export interface ProxiedRequest {
  /** e.g. `UpdateItem` */
  operation: string;
  /** The request's JSON body. */
  input: Record<string, unknown>;
}

/**
 * An answer the proxy gives instead of forwarding, as the service gives its errors; none at all, the call
 * hanging (its connection kept open without a word) until the client gives up or the proxy closes; or
 * the call forwarded late, as a slow network or service would.
 */
export type InjectedFault =
  | {
      /** 400 for throttling and other client errors, 500 for the service's own faults. */
      status: number;
      /** The error code, e.g. `ProvisionedThroughputExceededException`, `InternalServerError`. */
      type: string;
    }
  | { hang: true }
  | { delayMs: number };

/**
 * An HTTP proxy on the loopback interface in front of an AWS JSON endpoint (the local DynamoDB): it
 * counts the calls a client makes by operation and can answer chosen calls with a fault instead of
 * forwarding them, as the service answers throttling or an outage. Faulted calls are counted too.
 */
export interface DynamoDbProxy {
  endpoint: string;
  calls(): ProxiedCalls;
  resetCalls(): void;
  /** Decides, for each request, whether to answer a fault; undefined forwards every request again. */
  injectFaults(decide: ((request: ProxiedRequest) => InjectedFault | undefined) | undefined): void;
  close(): Promise<void>;
}

function readBody(incoming: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => resolve(Buffer.concat(chunks)));
    incoming.on("error", reject);
  });
}

export async function startDynamoDbProxy(upstream: string): Promise<DynamoDbProxy> {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true });
  let calls: ProxiedCalls = { byOperation: {}, total: 0, connections: 0 };
  let decide: ((request: ProxiedRequest) => InjectedFault | undefined) | undefined;

  const server = createServer(async (incoming, outgoing) => {
    const operation = String(incoming.headers["x-amz-target"] ?? "(none)").replace(/^[^.]*\./, "");
    calls.byOperation[operation] = (calls.byOperation[operation] ?? 0) + 1;
    calls.total++;
    const body = await readBody(incoming);
    const fault = decide?.({ operation, input: parseInput(body) });
    if (fault && "hang" in fault) return;
    if (fault && "delayMs" in fault) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    else if (fault) {
      outgoing.writeHead(fault.status, { "Content-Type": "application/x-amz-json-1.0" });
      outgoing.end(
        JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${fault.type}`, message: fault.type }),
      );
      return;
    }
    const upstreamRequest = forward(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
        agent,
      },
      (upstreamResponse) => {
        outgoing.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(outgoing);
      },
    );
    upstreamRequest.on("error", (error) => {
      outgoing.writeHead(502, { "Content-Type": "text/plain" });
      outgoing.end(`upstream error: ${error.message}`);
    });
    upstreamRequest.end(body);
  });
  server.on("connection", () => calls.connections++);

  const endpoint = await listenOnLoopback(server);

  return {
    endpoint,
    calls: () => ({ ...calls, byOperation: { ...calls.byOperation } }),
    resetCalls() {
      calls = { byOperation: {}, total: 0, connections: 0 };
    },
    injectFaults(decideFault) {
      decide = decideFault;
    },
    async close() {
      await closeServer(server);
      agent.destroy();
    },
  };
}

function parseInput(body: Buffer): Record<string, unknown> {
  try {
    const input: unknown = JSON.parse(body.toString("utf8"));
    return typeof input === "object" && input !== null ? (input as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
