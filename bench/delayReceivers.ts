import { createServer, type Server } from "node:http";
import { closeServer, listenOnLoopback } from "../local/loopbackServer";

/** What the receivers saw since the last reset. */
export interface ReceiverTraffic {
  requests: number;
  /** TCP connections opened to the receivers: zero when every request reused a kept-alive one. */
  connections: number;
  /** The most requests the receivers held at one time: the fan-out the sender achieved. */
  peakInFlight: number;
  /** Request body bytes received. */
  bodyBytes: number;
}

/**
 * Many webhook receivers behind one loopback port, one URL path each (`/r<i>`), all answering 200 after
 * the same delay. Sharing one host and port is the harder case for a sender: per-host socket limits and
 * connection reuse apply to all receivers at once, as they do for receivers on one SaaS host.
 */
export interface DelayReceivers {
  url(receiver: number): string;
  /** How long every receiver holds its answer from now on. */
  setDelay(ms: number): void;
  traffic(): ReceiverTraffic;
  resetTraffic(): void;
  close(): Promise<void>;
}

const RECEIVER_PATH = /^\/r\d+$/;

export async function startDelayReceivers(): Promise<DelayReceivers> {
  let delayMs = 0;
  let inFlight = 0;
  let traffic: ReceiverTraffic = { requests: 0, connections: 0, peakInFlight: 0, bodyBytes: 0 };
  const pending = new Set<NodeJS.Timeout>();

  const server: Server = createServer((request, response) => {
    traffic.requests++;
    inFlight++;
    traffic.peakInFlight = Math.max(traffic.peakInFlight, inFlight);
    const known = RECEIVER_PATH.test(request.url ?? "") && request.method === "POST";
    // The body is read to the end, as a receiver must before it answers on a kept-alive connection.
    request.on("data", (chunk: Buffer) => (traffic.bodyBytes += chunk.length));
    request.on("end", () => {
      const timer = setTimeout(() => {
        pending.delete(timer);
        inFlight--;
        response.writeHead(known ? 200 : 404, { "Content-Type": "application/json" });
        response.end(known ? '{"ok":true}' : '{"ok":false}');
      }, delayMs);
      pending.add(timer);
    });
  });
  server.on("connection", () => traffic.connections++);
  const base = await listenOnLoopback(server);

  return {
    url: (receiver) => `${base}/r${receiver}`,
    setDelay(ms) {
      delayMs = ms;
    },
    traffic: () => ({ ...traffic }),
    resetTraffic() {
      traffic = { requests: 0, connections: 0, peakInFlight: 0, bodyBytes: 0 };
    },
    close() {
      for (const timer of pending) clearTimeout(timer);
      return closeServer(server);
    },
  };
}
