import type { Got } from "got";

export interface Notice {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface SendResult {
  delivered: boolean;
  /** The receiver's answer, when there was one. */
  statusCode?: number;
  /** The network or timeout error code (e.g. ECONNREFUSED, ETIMEDOUT) when there was no answer. */
  errorCode?: string;
  durationMs: number;
}

/**
 * Sends one notice. Any 2xx is success (Jira answers 201). Redirects are not followed: a POST that
 * is redirected has not been delivered. Errors carry codes only; their messages can contain the URL.
 */
export async function sendNotice(got: Got, notice: Notice, timeoutMs: number): Promise<SendResult> {
  const started = Date.now();
  try {
    const response = await got(notice.url, {
      method: notice.method as "POST",
      headers: notice.headers,
      body: notice.body,
      throwHttpErrors: false,
      followRedirect: false,
      retry: { limit: 0 },
      timeout: { request: timeoutMs },
    });
    const statusCode = response.statusCode;
    return { delivered: statusCode >= 200 && statusCode < 300, statusCode, durationMs: Date.now() - started };
  } catch (error) {
    const errorCode = (error as { code?: string }).code ?? "ERR_UNKNOWN";
    return { delivered: false, errorCode, durationMs: Date.now() - started };
  }
}
