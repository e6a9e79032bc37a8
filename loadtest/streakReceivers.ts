import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { text } from "node:stream/consumers";
import { closeServer, listenOnLoopback } from "../local/loopbackServer";
import { draw } from "./random";

/**
 * The streak run's receivers, each as a user commits it to receivers/ (every project's builds), and what
 * it stands for. Every body names its event (`$EVENT_ID`), so that the model can tell which build sent it.
 */
export const STREAK_RECEIVER_FILES = new Map([
  [
    // A Jira-like tracker: broken opens a ticket and remembers its key from the 201 answer; the
    // follow-ups address the ticket by that key, in their paths and bodies.
    "jira",
    `projects: ["*"]
url: { secret: streakJiraUrl }
on:
  broken:
    path: /issue
    template: '{"event": "$EVENT_ID", "summary": "$PROJECT failing since #$BUILD_NUMBER"}'
    remember: { KEY: key }
  still-failing:
    path: /issue/$KEY/comment
    template: '{"event": "$EVENT_ID", "issue": "$KEY", "failures": "$FAILURE_COUNT"}'
  fixed:
    path: /issue/$KEY/close
    template: '{"event": "$EVENT_ID", "issue": "$KEY"}'
`,
  ],
  [
    // An alert named by the project (Opsgenie's alias): nothing remembered.
    "alerts",
    `projects: ["*"]
url: { secret: streakAlertsUrl }
on:
  broken:
    path: /alerts
    template: '{"event": "$EVENT_ID", "alias": "$PROJECT"}'
  fixed:
    path: /alerts/$PROJECT/close
    template: '{"event": "$EVENT_ID"}'
`,
  ],
  [
    // A chat thread started by the first still-failing build, each later one answering in it.
    "thread",
    `projects: ["*"]
url: { secret: streakThreadUrl }
on:
  still-failing:
    path: /thread
    template: '{"event": "$EVENT_ID", "thread": "$THREAD"}'
    remember: { THREAD: ts }
`,
  ],
  [
    // A chat line when a build is fixed, and nothing else.
    "fixes",
    `projects: ["*"]
url: { secret: streakFixesUrl }
on:
  fixed:
    template: '{"event": "$EVENT_ID", "text": "$PROJECT fixed after $FAILURE_COUNT failed builds"}'
`,
  ],
  [
    // A PagerDuty-like service whose answers never hold the field broken remembers: the resolve's body
    // must name it as written, never as a build variable of the same name says.
    "pager",
    `projects: ["*"]
url: { secret: streakPagerUrl }
on:
  broken:
    template: '{"event": "$EVENT_ID", "action": "trigger"}'
    remember: { DEDUP: dedup_key }
  fixed:
    template: '{"event": "$EVENT_ID", "action": "resolve", "dedup_key": "$DEDUP"}'
`,
  ],
  [
    // One chat message per build (Slack's chat.postMessage, then chat.update by the message's ts), whose
    // API answers 200 with ok: false when it refuses.
    "messages",
    `projects: ["*"]
statuses: [IN_PROGRESS, SUCCEEDED, FAILED, STOPPED]
url: { secret: streakMessagesUrl }
answer: { ok: true }
perBuild:
  post:
    path: /post
    template: '{"event": "$EVENT_ID", "build": "$BUILD_ID", "status": "$STATUS"}'
    remember: { TS: ts }
  update:
    path: /update/$TS
    template: '{"event": "$EVENT_ID", "build": "$BUILD_ID", "status": "$STATUS", "ts": "$TS"}'
`,
  ],
]);

export type StreakReceiver = "jira" | "alerts" | "thread" | "fixes" | "pager" | "messages";
/** The streak run's receivers with actions per transition, which the streak model checks. */
export const ACTION_RECEIVERS = 5;

/** A request a receiver answered 2xx: it took it. */
export interface TakenRequest {
  receiver: StreakReceiver;
  webhookId: string;
  eventId: string;
  /** The path below the receiver's URL: `/issue/J-3/comment`. */
  path: string;
  body: Record<string, string>;
  /** Epoch ms at which the request reached the receiver (it acts on it in that order). */
  receivedAt: number;
  /** The ticket key (Jira) or thread id (chat) its answer gave. */
  issued?: string;
}

/** How often the streak run's receivers misbehave, per request. */
export const STREAK_RECEIVER_FAULT_RATES = {
  /** 503. */
  error: 0.04,
  /** 429 with `Retry-After: 1`. */
  rateLimit: 0.02,
  /** The answer comes 200 to 1,500 ms late. */
  slow: 0.1,
  /** No answer at all. */
  hang: 0.003,
  /** The per-build receiver answers 200 with `{"ok": false}`: a refusal. */
  notOk: 0.03,
};

export interface StreakFleet {
  /** The receivers' URLs, as the stack's secrets. */
  secrets: Record<string, string>;
  /** Every request a receiver took (a repeated webhook-id included), in the order they came. */
  taken: TakenRequest[];
  requests(): number;
  /** Receivers answer every request from now on (they are fixed, for the replay). */
  calm(): void;
  close(): Promise<void>;
}

/**
 * The streak run's receivers, each an HTTP server on the loopback interface. They answer as the services
 * they stand for do (Jira a ticket key, the chat a thread id), the same answer again to a request with a
 * webhook-id they took before (as a receiver deduplicating on it does), and misbehave as the seed, the
 * webhook-id and the request's number within its delivery decide.
 */
export async function startStreakFleet(seed: number): Promise<StreakFleet> {
  const taken: TakenRequest[] = [];
  const issuedFor = new Map<string, string>();
  const requestsOfDelivery = new Map<string, number>();
  const counters = new Map<StreakReceiver, number>();
  let requestCount = 0;
  let calm = false;

  const answer = (receiver: StreakReceiver, path: string, webhookId: string): [number, object?, string?] => {
    const issue = (prefix: string): string => {
      const known = issuedFor.get(`${receiver} ${webhookId}`);
      if (known) return known;
      const next = (counters.get(receiver) ?? 0) + 1;
      counters.set(receiver, next);
      const id = `${prefix}-${next}`;
      issuedFor.set(`${receiver} ${webhookId}`, id);
      return id;
    };
    if (receiver === "jira" && path === "/issue") {
      const key = issue("J");
      return [201, { id: key.slice(2), key }, key];
    }
    if (receiver === "jira") return [path.endsWith("/close") ? 204 : 201];
    if (receiver === "thread") {
      const ts = issue("T");
      return [200, { ok: true, ts }, ts];
    }
    if (receiver === "messages" && path === "/post") {
      const ts = issue("M");
      return [200, { ok: true, ts }, ts];
    }
    if (receiver === "messages") return [200, { ok: true }];
    if (receiver === "pager") return [202, { status: "success", message: "Event processed" }];
    return [receiver === "alerts" ? 202 : 200];
  };

  const handle = (
    receiver: StreakReceiver,
    incoming: IncomingMessage,
    response: ServerResponse,
    raw: string,
  ) => {
    requestCount += 1;
    const receivedAt = Date.now();
    const webhookId = String(incoming.headers["webhook-id"] ?? "");
    const path = (incoming.url ?? "").replace(/^\/hooks\/[^/]+/, "");
    const nth = requestsOfDelivery.get(`${receiver} ${webhookId}`) ?? 0;
    requestsOfDelivery.set(`${receiver} ${webhookId}`, nth + 1);
    let body: Record<string, string>;
    try {
      body = JSON.parse(raw) as Record<string, string>;
    } catch {
      response.writeHead(400).end();
      return;
    }
    const roll = calm ? 1 : draw(seed, "streak receiver", receiver, webhookId, nth);
    const rates = STREAK_RECEIVER_FAULT_RATES;
    if (roll < rates.error) {
      response.writeHead(503).end("unavailable");
      return;
    }
    if (roll < rates.error + rates.rateLimit) {
      response.writeHead(429, { "Retry-After": "1" }).end("slow down");
      return;
    }
    if (roll < rates.error + rates.rateLimit + rates.hang) return;
    if (receiver === "messages" && draw(seed, "not ok", webhookId, nth) < rates.notOk && !calm) {
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end(JSON.stringify({ ok: false, error: "ratelimited" }));
      return;
    }
    const delayMs =
      roll < rates.error + rates.rateLimit + rates.hang + rates.slow
        ? 200 + Math.floor(draw(seed, "streak receiver delay", receiver, webhookId, nth) * 1300)
        : 0;
    setTimeout(() => {
      if (response.destroyed) return;
      const [status, answerBody, issued] = answer(receiver, path, webhookId);
      response.writeHead(status, { "Content-Type": "application/json" });
      response.end(answerBody ? JSON.stringify(answerBody) : undefined);
      taken.push({
        receiver,
        webhookId,
        eventId: body.event ?? "",
        path,
        body,
        receivedAt,
        ...(issued ? { issued } : {}),
      });
    }, delayMs);
  };

  const servers: Server[] = [];
  const secrets: Record<string, string> = {};
  try {
    for (const name of STREAK_RECEIVER_FILES.keys()) {
      const receiver = name as StreakReceiver;
      const server = createServer((incoming, response) => {
        text(incoming).then(
          (raw) => handle(receiver, incoming, response, raw),
          () => incoming.socket.destroy(),
        );
      });
      servers.push(server);
      const key = `streak${receiver[0].toUpperCase()}${receiver.slice(1)}Url`;
      secrets[key] = `${await listenOnLoopback(server)}/hooks/${receiver}`;
    }
  } catch (error) {
    await Promise.all(servers.map((server) => closeServer(server)));
    throw error;
  }
  return {
    secrets,
    taken,
    requests: () => requestCount,
    calm: () => void (calm = true),
    // Hung and delayed requests keep their connections open: closeServer ends them.
    close: async () => void (await Promise.all(servers.map((server) => closeServer(server)))),
  };
}
