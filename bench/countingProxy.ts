import { Agent, createServer, request as forward } from "node:http";
import { closeServer, listenOnLoopback } from "../local/loopbackServer";

/** What went through the proxy since the last reset. */
export interface ProxiedCalls {
  /** Requests by operation (`X-Amz-Target` without its service prefix, e.g. `Query`). */
  byOperation: Record<string, number>;
  total: number;
  /** TCP connections the client opened to the proxy. */
  connections: number;
}

/**
 * An HTTP proxy on the loopback interface in front of an AWS JSON endpoint, counting the calls a client
 * makes by operation. The client is pointed at the proxy; the upstream (dynalite) answers unchanged.
 */
export interface CountingProxy {
  endpoint: string;
  calls(): ProxiedCalls;
  resetCalls(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true });
  let calls: ProxiedCalls = { byOperation: {}, total: 0, connections: 0 };

  const server = createServer((incoming, outgoing) => {
    const operation = String(incoming.headers["x-amz-target"] ?? "(none)").replace(/^[^.]*\./, "");
    calls.byOperation[operation] = (calls.byOperation[operation] ?? 0) + 1;
    calls.total++;
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
    incoming.pipe(upstreamRequest);
  });
  server.on("connection", () => calls.connections++);

  const endpoint = await listenOnLoopback(server);

  return {
    endpoint,
    calls: () => ({ ...calls, byOperation: { ...calls.byOperation } }),
    resetCalls() {
      calls = { byOperation: {}, total: 0, connections: 0 };
    },
    async close() {
      await closeServer(server);
      agent.destroy();
    },
  };
}
