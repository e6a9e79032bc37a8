import type { ClientRequest, IncomingMessage } from "node:http";
import type { Agents, Got, RequestError } from "got";

export interface Notice {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface SendOptions {
  /** Epoch ms by which every attempt must have ended. */
  deadline: number;
  /** Upper bound for one attempt. */
  attemptTimeoutMs: number;
  /**
   * The request is not safe to repeat: the receiver creates something each time it takes it (a build's
   * message, a ticket whose answer is remembered). It gets one attempt with all the time to the deadline,
   * so that a slow answer is still heard, and another only when the receiver certainly did not take it
   * (see `certainlyNotTaken`).
   */
  once?: boolean;
  /** Called before each retry, for logging. */
  onRetry?: (retry: { attempt: number; statusCode?: number; errorCode?: string }) => void;
}

export interface SendResult {
  delivered: boolean;
  /** The receiver's last answer, when there was one. */
  statusCode?: number;
  /**
   * The start of the receiver's last answer body, at most ANSWER_READ_LIMIT bytes as UTF-8 text; absent
   * when the answer was longer (it is not read) or compressed (it is not inflated).
   */
  answer?: string;
  /** The network or timeout error code (e.g. ECONNREFUSED, ETIMEDOUT) when there was no answer. */
  errorCode?: string;
  attempts: number;
  durationMs: number;
}

/** Answers worth another attempt: the receiver may accept the same request later. */
const RETRYABLE_STATUS_CODES = [408, 429, ...Array.from({ length: 100 }, (_, index) => 500 + index)];
/** Answers by which a receiver says it refused the request unread: too many requests, unavailable. */
const REFUSED_UNREAD_STATUS_CODES = [429, 503];
/** Errors by which no request reached the receiver: refused connection, no address for its host. */
const NOT_CONNECTED_ERROR_CODES = ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"];
/** Errors of a connection that broke, which the receiver cannot have acted on before it had the request. */
const BROKEN_CONNECTION_ERROR_CODES = ["ECONNRESET", "EPIPE"];
/** The shortest attempt worth starting; closer to the deadline the notice is left for Lambda's retry. */
export const MIN_ATTEMPT_MS = 500;
const BACKOFF_BASE_MS = 250;
const BACKOFF_CAP_MS = 8000;
const MAX_ATTEMPTS = 6;
/**
 * The most of an answer body the notifier reads: enough for a receiver's error text and for the JSON a
 * ticket system answers a create with, far too little to strain the function's memory.
 */
export const ANSWER_READ_LIMIT = 8 * 1024;
/** The code of a send that never started, because too little time was left before the deadline. */
export const NOT_STARTED = "NOT_STARTED";
/** Why a receiver whose send never started was not delivered, as its outcome says. */
export const NOT_STARTED_REASON =
  "not started: too little time left before the deadline; left for Lambda's retry";

/** What one send keeps between got's hooks: its deadline, its attempts and where to report retries. */
interface SendState {
  deadline: number;
  attemptTimeoutMs: number;
  once: boolean;
  attempts: number;
  onRetry?: SendOptions["onRetry"];
}

/** Sends notices; made once per container, it keeps got's settings and hooks for every send. */
export type NoticeSender = (notice: Notice, options: SendOptions) => Promise<SendResult>;

/**
 * The notice sender, on got: retries network errors, timeouts, 408, 429 and 5xx with exponential
 * backoff and full jitter, honours Retry-After when it fits before the deadline, and never retries other
 * answers. Any 2xx is success (Jira answers 201); redirects are not followed, since a redirected POST
 * has not been delivered. A send with less than MIN_ATTEMPT_MS left does not start. Answers are read up
 * to ANSWER_READ_LIMIT bytes and never inflated: a longer one is cut off and the send ends with its
 * status code. Errors carry codes only: their messages can contain the URL. The settings and hooks are
 * made once, with got's `extend`; each send only adds its own request and state.
 */
export function createNoticeSender(got: Got, agent?: Agents): NoticeSender {
  const remainingFor = (state: SendState) => state.deadline - Date.now();
  const client = got.extend({
    agent,
    throwHttpErrors: false,
    followRedirect: false,
    // Inflating a compressed answer has no bound: a small one can inflate to gigabytes.
    decompress: false,
    retry: {
      limit: MAX_ATTEMPTS - 1,
      methods: ["POST", "PUT", "PATCH"],
      statusCodes: RETRYABLE_STATUS_CODES,
      // A Retry-After is weighed against the send's deadline in calculateDelay, where the deadline is
      // known; got's own bound (by default the attempt's timeout) would refuse waits that fit before it.
      maxRetryAfter: Number.POSITIVE_INFINITY,
      calculateDelay: ({ attemptCount, computedValue, retryAfter, error }) => {
        // got computes 0 for what must not be retried: a method, answer or error it does not retry.
        if (computedValue === 0) return 0;
        const state = error.options.context.send as SendState;
        if (state.once && !certainlyNotTaken(error)) return 0;
        const delay =
          retryAfter ?? Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attemptCount);
        return remainingFor(state) - delay < MIN_ATTEMPT_MS ? 0 : Math.max(1, delay);
      },
    },
    hooks: {
      beforeRequest: [
        (requestOptions) => {
          const state = requestOptions.context.send as SendState;
          state.attempts += 1;
          // Each attempt gets its own timeout, cut short so that it ends before the deadline; a request
          // sent once waits for its answer until the deadline.
          const attemptMs = state.once
            ? remainingFor(state)
            : Math.min(state.attemptTimeoutMs, remainingFor(state));
          requestOptions.timeout = { request: Math.max(1, attemptMs) };
        },
      ],
      beforeRetry: [
        (error) => {
          const state = error.options.context.send as SendState;
          state.onRetry?.({
            attempt: state.attempts + 1,
            statusCode: error.response?.statusCode,
            errorCode: error.code,
          });
        },
      ],
    },
  });

  return async function sendNotice(notice, options) {
    const started = Date.now();
    const state: SendState = {
      deadline: options.deadline,
      attemptTimeoutMs: options.attemptTimeoutMs,
      once: options.once ?? false,
      attempts: 0,
      onRetry: options.onRetry,
    };
    if (remainingFor(state) < MIN_ATTEMPT_MS) {
      return { delivered: false, errorCode: NOT_STARTED, attempts: 0, durationMs: 0 };
    }
    // The answer's status, seen before its body is read, in case reading is cut short.
    let answerStatus: number | undefined;
    const request = client(notice.url, {
      method: notice.method as "POST",
      headers: { ...notice.headers, "accept-encoding": "identity" },
      body: notice.body,
      context: { send: state },
    });
    request.on("request", (clientRequest: ClientRequest) => {
      answerStatus = undefined;
      clientRequest.once("response", (response: IncomingMessage) => (answerStatus = response.statusCode));
    });
    request.on("downloadProgress", ({ transferred }: { transferred: number }) => {
      if (transferred > ANSWER_READ_LIMIT) request.cancel();
    });
    const ended = (result: Omit<SendResult, "attempts" | "durationMs">): SendResult => ({
      ...result,
      attempts: state.attempts,
      durationMs: Date.now() - started,
    });
    try {
      const response = await request;
      const statusCode = response.statusCode;
      const encoded = (response.headers["content-encoding"] ?? "identity") !== "identity";
      return ended({
        delivered: statusCode >= 200 && statusCode < 300,
        statusCode,
        ...(encoded ? {} : { answer: response.rawBody.toString("utf8") }),
      });
    } catch (error) {
      if (request.isCanceled && answerStatus !== undefined) {
        return ended({ delivered: answerStatus >= 200 && answerStatus < 300, statusCode: answerStatus });
      }
      return ended({ delivered: false, errorCode: (error as RequestError).code ?? "ERR_UNKNOWN" });
    }
  };
}

/**
 * Whether a failed attempt certainly left the receiver without the request, so that a request not safe to
 * repeat may be sent again: it answered 429 or 503, or no connection was made (refused, no address), or
 * the connection broke before the whole request was written (got's `timings.upload` is when it was). A
 * timeout, or a connection broken after the request was written, may have been taken: never retried.
 */
function certainlyNotTaken(error: RequestError): boolean {
  const statusCode = error.response?.statusCode;
  if (statusCode !== undefined) return REFUSED_UNREAD_STATUS_CODES.includes(statusCode);
  if (NOT_CONNECTED_ERROR_CODES.includes(error.code)) return true;
  return BROKEN_CONNECTION_ERROR_CODES.includes(error.code) && error.timings?.upload === undefined;
}
