/**
 * The headers a receiver gets: its own headers parameter merged over the default JSON content type.
 * Header names compare case-insensitively, so a receiver's `content-type` replaces the default.
 */
export function requestHeaders(receiverHeaders: Readonly<Record<string, string>>): Record<string, string> {
  const setsContentType = Object.keys(receiverHeaders).some((name) => name.toLowerCase() === "content-type");
  return setsContentType
    ? { ...receiverHeaders }
    : { "Content-Type": "application/json", ...receiverHeaders };
}

/**
 * What the body is, by its Content-Type, which decides how the template renderer encodes substituted
 * values: JSON (any type mentioning json, and the default), a form (`application/x-www-form-urlencoded`),
 * or text, where values go in as they are.
 */
export type BodyFormat = "json" | "form" | "text";

export function bodyFormat(headers: Readonly<Record<string, string>>): BodyFormat {
  const contentType = Object.entries(headers).find(([name]) => name.toLowerCase() === "content-type")?.[1];
  if (contentType === undefined || /json/i.test(contentType)) return "json";
  return /^\s*application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType) ? "form" : "text";
}

/** Whether the body is JSON, which makes the template renderer JSON-escape substituted values. */
export function isJsonBody(headers: Readonly<Record<string, string>>): boolean {
  return bodyFormat(headers) === "json";
}

/** Names a JSON value's kind for messages, which must never quote the value itself. */
function kindOf(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "an array" : `a ${typeof value}`;
}

/**
 * Parses a headers value: a JSON object of header names to string values. Deploy-time validation and
 * the notifier share it, so both accept the same values. The message says what is wrong by kind only,
 * never quoting the value (or a header name), which holds credentials.
 */
export function parseHeadersParameter(value: string): Record<string, string> | Error {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return new Error("is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    const kind =
      parsed === null ? "null" : Array.isArray(parsed) ? "a JSON array" : `a JSON ${typeof parsed}`;
    return new Error(`is ${kind}`);
  }
  const nonString = Object.values(parsed).find((header) => typeof header !== "string");
  if (nonString !== undefined) return new Error(`has a header value that is ${kindOf(nonString)}`);
  return parsed as Record<string, string>;
}
