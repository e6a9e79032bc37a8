import { createHash } from "node:crypto";
import type { OAuthClientAuth } from "./registryEntries";
import { NOT_STARTED, type NoticeSender, type SendOptions } from "./sendNotice";

/** A receiver's OAuth 2.0 client credentials, read from its parameters. */
export interface OAuthCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  audience?: string;
  clientAuth: OAuthClientAuth;
}

/** A token, or why there is none (naming the OAuth error code at most, never the answer or a secret). */
export type TokenResult =
  | {
      token: string;
      /** Whether this call asked the token endpoint (false: the container's cached token). */
      requested: boolean;
      /** The token endpoint's attempts, when requested. */
      attempts: number;
      /** How long the token is kept, in seconds, when requested. */
      keptForSeconds: number;
    }
  | { failure: string; errorCode?: string; attempts: number };

export interface TokenSource {
  /**
   * A token for these credentials: the container's cached one while it is fresh, else one token request's
   * answer, shared by every delivery that asks while it is in flight.
   */
  token(credentials: OAuthCredentials, options: SendOptions): Promise<TokenResult>;
  /** Drops the cached token if it still is `token` (a receiver answered 401 to it). */
  invalidate(credentials: OAuthCredentials, token: string): void;
}

/** A token is used until this long before it expires, so it does not expire on the way to the receiver. */
const EXPIRY_MARGIN_SECONDS = 60;
/** How long a token is kept when the token endpoint does not say when it expires. */
const DEFAULT_KEPT_SECONDS = 3600;
/** RFC 6749 section 5.2: an error code is printable ASCII without `"` and `\`; a longer one is no code. */
const ERROR_CODE = /^[\x20\x21\x23-\x5b\x5d-\x7e]{1,64}$/;

/** RFC 6749 Appendix B: application/x-www-form-urlencoded, as client credentials are encoded for Basic. */
function formEncode(value: string): string {
  return new URLSearchParams([["", value]]).toString().slice(1);
}

/**
 * Which token a delivery can use: tokens are cached per token URL, client ID, client secret, scope,
 * audience and client authentication. The secret is part of the key (as a hash): an item that names
 * another receiver's token URL and client ID, which need not be secret, beside a client secret of its own
 * must not be handed that receiver's cached token.
 */
function cacheKey(credentials: OAuthCredentials): string {
  const { tokenUrl, clientId, clientSecret, scope, audience, clientAuth } = credentials;
  const secretHash = createHash("sha256").update(clientSecret).digest("hex");
  return JSON.stringify([tokenUrl, clientId, secretHash, scope ?? null, audience ?? null, clientAuth]);
}

/** The token request of the client-credentials grant (RFC 6749 section 4.4.2). */
function tokenRequest(credentials: OAuthCredentials) {
  const form = new URLSearchParams({ grant_type: "client_credentials" });
  if (credentials.scope) form.set("scope", credentials.scope);
  if (credentials.audience) form.set("audience", credentials.audience);
  const headers: Record<string, string> = {
    "Content-Type": "application/x-www-form-urlencoded",
    Accept: "application/json",
  };
  if (credentials.clientAuth === "basic") {
    const pair = `${formEncode(credentials.clientId)}:${formEncode(credentials.clientSecret)}`;
    headers.Authorization = `Basic ${Buffer.from(pair, "utf8").toString("base64")}`;
  } else {
    form.set("client_id", credentials.clientId);
    form.set("client_secret", credentials.clientSecret);
  }
  return { method: "POST", url: credentials.tokenUrl, headers, body: form.toString() };
}

function parseJson(text: string | undefined): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text ?? "");
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Gets access tokens with the OAuth 2.0 client-credentials grant, through the notice sender: the token
 * request is retried as a delivery is (network errors, 408, 429, 5xx, within the same deadline), its
 * answer read bounded, never inflated, never redirected. Made once per container; the tokens it keeps
 * live as long as the container. Reasons name the HTTP status and the OAuth `error` code only: an
 * `error_description` or any other part of the answer can echo what was sent, the client secret included.
 */
export function createTokenSource(send: NoticeSender, now: () => number = Date.now): TokenSource {
  const cache = new Map<string, { result: Promise<TokenResult>; token?: string; expiresAt?: number }>();

  const request = async (credentials: OAuthCredentials, options: SendOptions): Promise<TokenResult> => {
    const sent = await send(tokenRequest(credentials), options);
    const { attempts } = sent;
    if (sent.statusCode === undefined) {
      const errorCode = sent.errorCode ?? "ERR_UNKNOWN";
      return errorCode === NOT_STARTED
        ? { failure: "", errorCode, attempts }
        : { failure: `the token endpoint did not answer (${errorCode})`, errorCode, attempts };
    }
    const answer = parseJson(sent.answer);
    if (!sent.delivered && (sent.statusCode >= 500 || [408, 429].includes(sent.statusCode))) {
      return { failure: `the token endpoint failed (answered ${sent.statusCode})`, attempts };
    }
    if (!sent.delivered) {
      const code = typeof answer?.error === "string" && ERROR_CODE.test(answer.error) ? answer.error : "";
      return {
        failure: `the token endpoint refused the client credentials: ${code ? `${code} ` : ""}(answered ${sent.statusCode})`,
        attempts,
      };
    }
    const token = answer?.access_token;
    if (typeof token !== "string" || token === "") {
      return { failure: "the token endpoint's answer holds no access_token", attempts };
    }
    if (typeof answer?.token_type === "string" && answer.token_type.toLowerCase() !== "bearer") {
      return { failure: "the token endpoint answered a token of another type than Bearer", attempts };
    }
    // Some servers write expires_in as a string of digits.
    const expiresIn = Number(answer?.expires_in);
    const keptForSeconds =
      answer?.expires_in !== undefined && Number.isFinite(expiresIn)
        ? Math.max(0, expiresIn - EXPIRY_MARGIN_SECONDS)
        : DEFAULT_KEPT_SECONDS;
    return { token, requested: true, attempts, keptForSeconds };
  };

  return {
    token(credentials, options) {
      const key = cacheKey(credentials);
      const cached = cache.get(key);
      if (cached && (cached.expiresAt === undefined || cached.expiresAt > now())) {
        // In flight (its answer is shared), or fresh: no request of this delivery's own.
        return cached.result.then((result) =>
          "token" in result ? { ...result, requested: false, attempts: 0, keptForSeconds: 0 } : result,
        );
      }
      const entry: { result: Promise<TokenResult>; token?: string; expiresAt?: number } = {
        result: request(credentials, options),
      };
      cache.set(key, entry);
      void entry.result.then((result) => {
        if (cache.get(key) !== entry) return;
        if ("token" in result) {
          entry.token = result.token;
          entry.expiresAt = now() + result.keptForSeconds * 1000;
        } else {
          // A failed request is not kept: the next delivery asks again.
          cache.delete(key);
        }
      });
      return entry.result;
    },
    invalidate(credentials, token) {
      const key = cacheKey(credentials);
      if (cache.get(key)?.token === token) cache.delete(key);
    },
  };
}
