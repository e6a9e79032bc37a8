import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { text } from "node:stream/consumers";
import { closeServer, listenOnLoopback } from "../local/loopbackServer";
import { noticeKey } from "./expectedNotices";
import { OUTAGE_RETRY_AFTER_SECONDS, receiverAnswer, type ReceiverAnswer } from "./faults";
import type { FaultSwitches } from "./options";
import type { ReceiverPlan } from "./scenario";

/** A request a receiver answered with 2xx: it took the notice. */
export interface Acceptance {
  webhookId: string;
  /** Epoch ms at which the answer went out. */
  at: number;
}

/** What the receivers answered, by kind. */
export interface AnswerCounts {
  accepted: number;
  errors: number;
  rateLimited: number;
  hung: number;
  reset: number;
  outage: number;
  /** Requests whose body named no event (a template or rendering fault). */
  unidentified: number;
}

export interface ReceiverFleet {
  urlOf(receiver: string): string;
  /** The acceptances of each (event, receiver) pair, in order. */
  accepted: Map<string, Acceptance[]>;
  /** Every webhook-id each pair's requests carried (one, if the notifier keeps it stable). */
  webhookIds: Map<string, Set<string>>;
  requests(): number;
  answers: AnswerCounts;
  /** Called after each acceptance, with the event id and receiver. */
  onAccepted(listener: (eventId: string, receiver: string) => void): void;
  /** The receiver that was down answers again, as it does once fixed. */
  endOutage(): void;
  close(): Promise<void>;
}

/**
 * The run's receivers, each an HTTP server of its own on the loopback interface. They tell events apart
 * by the event id their template puts in the body, count the requests of each delivery by webhook-id,
 * and answer as the fault plan says: 2xx, 5xx, 429, no answer, or a reset connection.
 */
export async function startReceiverFleet(
  receivers: ReceiverPlan[],
  seed: number,
  faults: FaultSwitches,
  outageReceiver: string | undefined,
): Promise<ReceiverFleet> {
  const accepted = new Map<string, Acceptance[]>();
  const webhookIds = new Map<string, Set<string>>();
  const requestsOfDelivery = new Map<string, number>();
  const answers: AnswerCounts = {
    accepted: 0,
    errors: 0,
    rateLimited: 0,
    hung: 0,
    reset: 0,
    outage: 0,
    unidentified: 0,
  };
  const listeners: ((eventId: string, receiver: string) => void)[] = [];
  let down = outageReceiver;
  let requestCount = 0;

  const answer = (
    plan: ReceiverPlan,
    incoming: IncomingMessage,
    response: ServerResponse,
    body: string,
  ): void => {
    requestCount += 1;
    const webhookId = String(incoming.headers["webhook-id"] ?? "");
    let eventId: string | undefined;
    try {
      eventId = (JSON.parse(body) as { eventId?: string }).eventId;
    } catch {
      eventId = undefined;
    }
    if (!eventId) {
      answers.unidentified += 1;
      response.writeHead(400).end();
      return;
    }
    const pair = noticeKey(eventId, plan.name);
    webhookIds.set(pair, (webhookIds.get(pair) ?? new Set()).add(webhookId));
    const delivery = `${plan.name} ${webhookId}`;
    const nth = requestsOfDelivery.get(delivery) ?? 0;
    requestsOfDelivery.set(delivery, nth + 1);

    if (down === plan.name) {
      answers.outage += 1;
      response
        .writeHead(503, { "Retry-After": String(OUTAGE_RETRY_AFTER_SECONDS) })
        .end("Service Unavailable");
      return;
    }
    const decided: ReceiverAnswer = receiverAnswer(seed, faults, plan.name, webhookId, nth);
    switch (decided.kind) {
      case "error":
        answers.errors += 1;
        response.writeHead(decided.status).end("upstream unavailable");
        return;
      case "rate-limit":
        answers.rateLimited += 1;
        response.writeHead(429, { "Retry-After": "1" }).end("slow down");
        return;
      case "hang":
        answers.hung += 1;
        return;
      case "reset":
        answers.reset += 1;
        incoming.socket.destroy();
        return;
      case "accept":
        answers.accepted += 1;
        response.writeHead(plan.acceptStatus).end(plan.acceptStatus === 204 ? undefined : '{"ok":true}');
        accepted.set(pair, [...(accepted.get(pair) ?? []), { webhookId, at: Date.now() }]);
        for (const listener of listeners) listener(eventId, plan.name);
    }
  };

  const servers = new Map<string, { server: Server; url: string }>();
  try {
    for (const plan of receivers) {
      const server = createServer((incoming, response) => {
        text(incoming).then(
          (body) => answer(plan, incoming, response, body),
          () => incoming.socket.destroy(),
        );
      });
      servers.set(plan.name, { server, url: `${await listenOnLoopback(server)}/hooks/${plan.name}` });
    }
  } catch (error) {
    await Promise.all([...servers.values()].map(({ server }) => closeServer(server)));
    throw error;
  }

  return {
    urlOf(receiver) {
      const url = servers.get(receiver)?.url;
      if (!url) throw new Error(`No receiver ${receiver} in the fleet`);
      return url;
    },
    accepted,
    webhookIds,
    requests: () => requestCount,
    answers,
    onAccepted: (listener) => void listeners.push(listener),
    endOutage() {
      down = undefined;
    },
    // Hung requests keep their connections open: closeServer ends them.
    close: async () =>
      void (await Promise.all([...servers.values()].map(({ server }) => closeServer(server)))),
  };
}
