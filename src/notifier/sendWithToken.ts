import type { NotifierLog } from "./notifierLog";
import type { OAuthCredentials, TokenSource } from "./oauthTokens";
import type { ReceiverOutcome } from "./receiverOutcome";
import {
  NOT_STARTED,
  NOT_STARTED_REASON,
  type Notice,
  type NoticeSender,
  type SendOptions,
  type SendResult,
} from "./sendNotice";

/** What sending with a token needs of the notifier. */
export interface TokenSending {
  send: NoticeSender;
  tokens: TokenSource;
  log: NotifierLog;
  /** The fields of every log line: the event's, and the receiver's. */
  logFields: Record<string, string>;
}

/** A send that did not happen: no token could be had. */
type Failed = { reason: string; outcome: Partial<ReceiverOutcome> };

/**
 * Sends a notice of a receiver with OAuth: with the container's token for its credentials, or a new one.
 * A 401 answer drops that token, and the notice is sent once more with a new one. The tokens join
 * `secrets`, so that an answer echoing one is scrubbed.
 */
export async function sendWithToken(
  { send, tokens, log, logFields }: TokenSending,
  receiverName: string,
  { notice, oauth: credentials }: { notice: Notice; oauth: OAuthCredentials },
  options: SendOptions,
  secrets: string[],
): Promise<SendResult | Failed> {
  const withToken = async (): Promise<{ sent: SendResult; token: string } | Failed> => {
    const got = await tokens.token(credentials, options);
    if ("failure" in got) {
      const reason =
        got.errorCode === NOT_STARTED
          ? NOT_STARTED_REASON
          : `no OAuth token for receiver ${receiverName}: ${got.failure}`;
      return { reason, outcome: got.errorCode ? { errorCode: got.errorCode } : {} };
    }
    secrets.push(got.token);
    if (got.requested) {
      log.info("OAuth token obtained", {
        ...logFields,
        attempts: got.attempts,
        keptForSeconds: got.keptForSeconds,
      });
    }
    return { sent: await send(withBearer(notice, got.token), options), token: got.token };
  };
  const first = await withToken();
  if ("reason" in first) return first;
  if (first.sent.statusCode !== 401) return first.sent;
  // The delivery's latency runs from its first attempt to its final answer, the new token's wait included.
  const firstAttemptAt = Date.now() - first.sent.durationMs;
  // The receiver no longer takes the token (revoked, or expired early): one more try with a new one.
  tokens.invalidate(credentials, first.token);
  log.warn("The receiver refused its OAuth token (401); retrying once with a new one", logFields);
  const second = await withToken();
  if ("reason" in second) {
    return { reason: second.reason, outcome: { ...second.outcome, attempts: first.sent.attempts } };
  }
  return {
    ...second.sent,
    attempts: first.sent.attempts + second.sent.attempts,
    durationMs: Date.now() - firstAttemptAt,
  };
}

/** The notice with the bearer token, over any Authorization header of the receiver's headers. */
function withBearer(notice: Notice, token: string): Notice {
  const headers = Object.fromEntries(
    Object.entries(notice.headers).filter(([name]) => name.toLowerCase() !== "authorization"),
  );
  return { ...notice, headers: { ...headers, Authorization: `Bearer ${token}` } };
}
