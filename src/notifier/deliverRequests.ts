import type { AdmittedEvent } from "./admitEvent";
import type { NotifierLog } from "./notifierLog";
import type { TokenSource } from "./oauthTokens";
import type { Prepared, PreparedRequest } from "./prepareRequests";
import type { ReceiverOutcome } from "./receiverOutcome";
import { answerRefusal } from "./answerMatch";
import type { ActionDelivery, PerBuildDelivery } from "./recordOutcomes";
import { scrubSecrets } from "./scrubSecrets";
import {
  NOT_STARTED,
  NOT_STARTED_REASON,
  type NoticeSender,
  type SendOptions,
  type SendResult,
} from "./sendNotice";
import { sendWithToken } from "./sendWithToken";
import { rememberFrom } from "./streakRecords";

/**
 * Deliveries in flight at once. 500 receivers at 200 ms then take five rounds (about 1 s) instead of one,
 * while the container stays far from Lambda's 1,024 file descriptors (each delivery holds a socket to its
 * receiver) and its memory small; below this, every delivery starts at once.
 */
export const MAX_CONCURRENT_DELIVERIES = 100;

/** Runs a task when a delivery slot is free (p-limit). */
export type DeliveryLimit = <T>(task: () => Promise<T>) => Promise<T>;

export interface DeliveryDependencies {
  send: NoticeSender;
  /** OAuth access tokens, kept for the container's life. */
  tokens: TokenSource;
  /** Shared by all invocations of the container; allows MAX_CONCURRENT_DELIVERIES at once. */
  limit: DeliveryLimit;
  /** Upper bound for one attempt to reach a receiver. */
  attemptTimeoutMs: number;
  log: NotifierLog;
}

/** What the deliveries came to. */
export interface Deliveries {
  /** Every receiver's outcome, in the order of the plans. */
  outcomes: ReceiverOutcome[];
  /** The actions sent or tried, as their sends ended: what the streak records are to say. */
  actions: ActionDelivery[];
  /** The posts and updates sent or tried: what the records of the build's message are to say. */
  messages: PerBuildDelivery[];
}

/** How much of a refusing receiver's answer goes into logs, results and dead letters. */
const RESPONSE_BODY_LOGGED = 1024;

/**
 * Sends every prepared request concurrently, within the container's delivery slots, and keeps the
 * outcomes of those not sent. Each delivery, when its slot comes, gets a fair share of the time left: all
 * of it while there are slots for every unfinished delivery, less while some wait, so hung receivers
 * cannot hold every slot until the deadline while those queued behind them never start.
 */
export async function deliverRequests(
  { project, status, eventId, deadline }: AdmittedEvent,
  prepared: readonly Prepared[],
  deps: DeliveryDependencies,
): Promise<Deliveries> {
  let unfinished = prepared.filter((item) => "notice" in item).length;
  const actions: ActionDelivery[] = [];
  const messages: PerBuildDelivery[] = [];
  const deliver = async (request: PreparedRequest): Promise<ReceiverOutcome> => {
    const receiver = request.entry.urlParameter;
    const sending = request.action ?? request.message;
    const step = request.action
      ? { transition: request.action.transition }
      : request.message
        ? { action: request.message.step }
        : {};
    const record = (delivered: boolean, kept: Record<string, string>): void => {
      if (request.action) actions.push({ receiver, plan: request.action, delivered, kept });
      if (request.message) messages.push({ receiver, plan: request.message, delivered, kept });
    };
    const now = Date.now();
    const share = Math.min(1, MAX_CONCURRENT_DELIVERIES / Math.max(1, unfinished));
    const options: SendOptions = {
      deadline: now + (deadline - now) * share,
      attemptTimeoutMs: deps.attemptTimeoutMs,
      // A build's message, or an action whose answer is remembered (a ticket), created twice would show twice.
      once: request.message?.step === "post" || Object.keys(sending?.action.remember ?? {}).length > 0,
      onRetry: (retry) => deps.log.warn("Retrying", { project, status, eventId, receiver, ...retry }),
    };
    const secrets = [...request.secrets];
    const sent = request.oauth
      ? await sendWithToken(
          {
            send: deps.send,
            tokens: deps.tokens,
            log: deps.log,
            logFields: { project, status, eventId, receiver },
          },
          request.entry.name,
          { notice: request.notice, oauth: request.oauth },
          options,
          secrets,
        )
      : await deps.send(request.notice, options);
    if ("reason" in sent) {
      record(false, {});
      return {
        receiver,
        delivered: false,
        reason: scrubSecrets(sent.reason, secrets),
        attempts: 0,
        durationMs: 0,
        ...sent.outcome,
        ...step,
      };
    }
    // A 2xx without the values the receiver's answers must hold was refused (Slack's ok: false).
    const refusal =
      sent.delivered && request.entry.answer
        ? answerRefusal(sent.statusCode, sent.answer, request.entry.answer, secrets)
        : undefined;
    if (refusal !== undefined) {
      record(false, {});
      return {
        ...outcomeOf(receiver, { ...sent, delivered: false }, secrets),
        reason: scrubSecrets(refusal, secrets)
          .slice(0, RESPONSE_BODY_LOGGED)
          .replace(/\p{Cc}+/gu, " "),
        ...step,
      };
    }
    if (!sending) return outcomeOf(receiver, sent, secrets);
    const kept = sent.delivered ? rememberFrom(sent.answer, sending.action.remember ?? {}) : undefined;
    if (kept && kept.missing.length > 0) {
      deps.log.warn("The answer lacks fields to remember", {
        receiver,
        ...step,
        fields: kept.missing.map((name) => sending.action.remember?.[name]),
      });
    }
    record(sent.delivered, kept?.values ?? {});
    return { ...outcomeOf(receiver, sent, secrets), ...step };
  };

  const outcomes = await Promise.all(
    prepared.map(async (item) => {
      if (!("notice" in item)) return item;
      try {
        return await deps.limit(() => deliver(item));
      } catch (error) {
        const reason = `${(error as Error).name}: ${(error as Error).message}`;
        return { receiver: item.entry.urlParameter, delivered: false, reason, attempts: 0, durationMs: 0 };
      } finally {
        unfinished -= 1;
      }
    }),
  );
  return { outcomes, actions, messages };
}

/**
 * A delivery's outcome. A refusing receiver's answer may echo the request it refused: every secret of
 * the receiver (`secrets`) is scrubbed from it before it is kept, then it is cut to its first KiB.
 */
function outcomeOf(receiver: string, sent: SendResult, secrets: readonly string[]): ReceiverOutcome {
  const { answer, ...result } = sent;
  const refusal =
    !sent.delivered && answer ? scrubSecrets(answer, secrets).slice(0, RESPONSE_BODY_LOGGED) : "";
  return {
    receiver,
    ...result,
    ...(refusal ? { responseBody: refusal.replace(/\p{Cc}+/gu, " ").trim() } : {}),
    ...(sent.errorCode === NOT_STARTED ? { reason: NOT_STARTED_REASON } : {}),
  };
}
