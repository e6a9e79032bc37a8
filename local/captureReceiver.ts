import { createServer } from "node:http";
import { closeServer, listenOnLoopback } from "./loopbackServer";

/** A request as the receiver got it. */
export interface CapturedRequest {
  method: string;
  /** Path and query. */
  path: string;
  /** Header names as the sender wrote them, in the order sent. */
  headers: [string, string][];
  body: string;
}

/**
 * A stand-in for every receiver of a local run, on the loopback interface: each receiver's URL points at
 * a path of its own here, so a run needs no secret and sends nothing off the machine. Every request is
 * answered 200 and kept, so the run can show what the receiver would have got.
 */
export interface CaptureReceiver {
  /** `http://127.0.0.1:PORT/<receiver>`: the URL that stands in for the receiver's own. */
  urlFor(receiver: string): string;
  /** The requests received since the last call, in order of arrival. */
  take(): CapturedRequest[];
  close(): Promise<void>;
}

export async function startCaptureReceiver(): Promise<CaptureReceiver> {
  let received: CapturedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const headers: [string, string][] = [];
      for (let at = 0; at < request.rawHeaders.length; at += 2) {
        headers.push([request.rawHeaders[at], request.rawHeaders[at + 1]]);
      }
      received.push({
        method: request.method ?? "",
        path: request.url ?? "",
        headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      response.writeHead(200, { "Content-Type": "text/plain" });
      response.end("ok");
    });
  });
  const endpoint = await listenOnLoopback(server);

  return {
    urlFor: (receiver) => `${endpoint}/${encodeURIComponent(receiver)}`,
    take() {
      const requests = received;
      received = [];
      return requests;
    },
    close: () => closeServer(server),
  };
}
