import { randomBytes } from "node:crypto";
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
  /** For a token request: the receiver it got a token for. */
  tokenFor?: string;
}

/**
 * Token requests go to a path no receiver's can start with (a receiver's name takes no "~"), so they are
 * never mistaken for a receiver's own requests.
 */
const TOKEN_PATH = /^\/~oauth\/([^/]+)\/token$/;

/**
 * A stand-in for every receiver of a local run, on the loopback interface: each receiver's URL points at
 * a path of its own here, so a run needs no secret and sends nothing off the machine. Every request is
 * answered 200 and kept, so the run can show what the receiver would have got. The answer is the JSON
 * `answerFor` gives for the receiver (so that the values its actions remember are there), else "ok". It
 * also plays the OAuth token endpoint of receivers with oauth: a token request is answered with a new
 * token for an hour, as an authorization server answers the client-credentials grant.
 */
export interface CaptureReceiver {
  /** `http://127.0.0.1:PORT/<receiver>`: the URL that stands in for the receiver's own. */
  urlFor(receiver: string): string;
  /** `http://127.0.0.1:PORT/~oauth/<receiver>/token`: the stand-in for the receiver's token endpoint. */
  tokenUrlFor(receiver: string): string;
  /** The requests received since the last call, in order of arrival. */
  take(): CapturedRequest[];
  close(): Promise<void>;
}

/** The JSON body the capture receiver answers a receiver's requests with, if any. */
export type CaptureAnswers = (receiver: string) => string | undefined;

export async function startCaptureReceiver(
  answerFor: CaptureAnswers = () => undefined,
): Promise<CaptureReceiver> {
  let received: CapturedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const headers: [string, string][] = [];
      for (let at = 0; at < request.rawHeaders.length; at += 2) {
        headers.push([request.rawHeaders[at], request.rawHeaders[at + 1]]);
      }
      const path = request.url ?? "";
      const tokenFor = TOKEN_PATH.exec(path)?.[1];
      received.push({
        method: request.method ?? "",
        path,
        headers,
        body: Buffer.concat(chunks).toString("utf8"),
        ...(tokenFor === undefined ? {} : { tokenFor: decodeURIComponent(tokenFor) }),
      });
      if (tokenFor !== undefined) {
        response.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" });
        response.end(
          JSON.stringify({
            access_token: `local-token-${randomBytes(16).toString("hex")}`,
            token_type: "Bearer",
            expires_in: 3600,
          }),
        );
        return;
      }
      // The receiver is the first segment of the path; an action's path follows it.
      const answer = answerFor(decodeURIComponent(path.split(/[/?]/)[1] ?? ""));
      if (answer === undefined) {
        response.writeHead(200, { "Content-Type": "text/plain" });
        response.end("ok");
      } else {
        response.writeHead(200, { "Content-Type": "application/json" });
        response.end(answer);
      }
    });
  });
  const endpoint = await listenOnLoopback(server);

  return {
    urlFor: (receiver) => `${endpoint}/${encodeURIComponent(receiver)}`,
    tokenUrlFor: (receiver) => `${endpoint}/~oauth/${encodeURIComponent(receiver)}/token`,
    take() {
      const requests = received;
      received = [];
      return requests;
    },
    close: () => closeServer(server),
  };
}

/**
 * An answer holding the values the receiver's answers must hold (`answer: { ok: true }`), and a sample
 * value at each field path a receiver's actions remember (`key`, `fields.id`, `items.0.key`), so that its
 * follow-ups have every value: `<NAME>-1`, e.g. a Jira-like `{"key": "JIRA_ISSUE-1"}` for
 * `remember: { JIRA_ISSUE: key }`. A path that runs through another's value is left out.
 */
export function sampleAnswer(
  remember: Readonly<Record<string, string>>,
  expected: Readonly<Record<string, unknown>> = {},
): string {
  const answer: Record<string, unknown> = {};
  const isIndex = (field: string | undefined) => field !== undefined && /^\d+$/.test(field);
  const samples = [
    ...Object.entries(expected),
    ...Object.entries(remember).map(([name, fieldPath]) => [fieldPath, `${name}-1`] as const),
  ];
  for (const [fieldPath, value] of samples) {
    const fields = fieldPath.split(".");
    // Arrays take their indexes as property names too; JSON leaves out the elements not set (as null).
    let at: Record<string, unknown> = answer;
    for (const [index, field] of fields.entries()) {
      if (Array.isArray(at) && !isIndex(field)) break;
      if (index === fields.length - 1) {
        at[field] ??= value;
        break;
      }
      at[field] ??= isIndex(fields[index + 1]) ? [] : {};
      const next = at[field];
      if (typeof next !== "object" || next === null) break;
      at = next as Record<string, unknown>;
    }
  }
  return JSON.stringify(answer);
}
