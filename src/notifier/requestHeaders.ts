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

/** Whether the body is JSON, which makes the template renderer JSON-escape substituted values. */
export function isJsonBody(headers: Readonly<Record<string, string>>): boolean {
  const contentType = Object.entries(headers).find(([name]) => name.toLowerCase() === "content-type")?.[1];
  return contentType === undefined || /json/i.test(contentType);
}

/** Parses a headers parameter value; the message never quotes the value, which holds credentials. */
export function parseHeadersParameter(value: string): Record<string, string> | Error {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return new Error("is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return new Error("is not a JSON object");
  }
  for (const [name, headerValue] of Object.entries(parsed)) {
    if (typeof headerValue !== "string") return new Error(`has a non-string value for header ${name}`);
  }
  return parsed as Record<string, string>;
}
