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
  /** Keep-alive agents shared by all invocations of the container. */
  agent?: Agents;
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

/**
 * Sends one notice with got: retries network errors, timeouts, 408, 429 and 5xx with exponential
 * backoff and full jitter, honours Retry-After when it fits before the deadline, and never retries other
 * answers. Any 2xx is success (Jira answers 201); redirects are not followed, since a redirected POST
 * has not been delivered. A send with less than MIN_ATTEMPT_MS left does not start. Answers are read up
 * to ANSWER_READ_LIMIT bytes and never inflated: a longer one is cut off and the send ends with its
 * status code. Errors
 * carry codes only: their messages can contain the URL.
 */
export async function sendNotice(got: Got, notice: Notice, options: SendOptions): Promise<SendResult> {
  const started = Date.now();
  const remaining = () => options.deadline - Date.now();
  let attempts = 0;
  if (remaining() < MIN_ATTEMPT_MS)
    return { delivered: false, errorCode: NOT_STARTED, attempts, durationMs: 0 };
  // The answer's status, seen before its body is read, in case reading is cut short.
  let answerStatus: number | undefined;
  const request = got(notice.url, {
    method: notice.method as "POST",
    headers: { ...notice.headers, "accept-encoding": "identity" },
    body: notice.body,
    agent: options.agent,
    throwHttpErrors: false,
    followRedirect: false,
    // Inflating a compressed answer has no bound: a small one can inflate to gigabytes.
    decompress: false,
    retry: {
      limit: MAX_ATTEMPTS - 1,
      methods: [notice.method as "POST"],
      statusCodes: RETRYABLE_STATUS_CODES,
      maxRetryAfter: Math.max(0, remaining() - MIN_ATTEMPT_MS),
      calculateDelay: ({ attemptCount, computedValue, retryAfter }) => {
        // got computes 0 for what must not be retried, including a Retry-After past the deadline.
        if (computedValue === 0) return 0;
        const delay =
          retryAfter ?? Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attemptCount);
        return remaining() - delay < MIN_ATTEMPT_MS ? 0 : Math.max(1, delay);
      },
    },
    hooks: {
      beforeRequest: [
        (requestOptions) => {
          attempts += 1;
          answerStatus = undefined;
          // Each attempt gets its own timeout, cut short so that it ends before the deadline.
          requestOptions.timeout = {
            request: Math.max(1, Math.min(options.attemptTimeoutMs, remaining())),
          };
        },
      ],
      beforeRetry: [
        (error) => {
          options.onRetry?.({
            attempt: attempts + 1,
            statusCode: error.response?.statusCode,
            errorCode: error.code,
          });
        },
      ],
    },
  });
  request.on("request", (clientRequest: ClientRequest) => {
    clientRequest.once("response", (response: IncomingMessage) => (answerStatus = response.statusCode));
  });
  request.on("downloadProgress", ({ transferred }: { transferred: number }) => {
    if (transferred > ANSWER_READ_LIMIT) request.cancel();
  });
  const ended = (result: Omit<SendResult, "attempts" | "durationMs">): SendResult => ({
    ...result,
    attempts,
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
}
