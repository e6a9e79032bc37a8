import { validateHeaderName, validateHeaderValue } from "node:http";
import { parseHeadersParameter } from "../notifier/requestHeaders";
import { configName, setCommand } from "./configKeys";

/**
 * The headers config as an object, or the problem with it: judged as the notifier judges it, and by
 * the rules of HTTP, which Node.js applies when the notifier sends the request. Header names are values
 * too: the message names neither.
 */
export function parseHeaders(key: string, value: string): Record<string, string> | string {
  const headers = parseHeadersParameter(value);
  const lineBreak =
    `${configName(key)} has a line break inside a header value (GNU base64 writes lines of 76 characters: ` +
    `encode with base64 -w0); set it again: ${setCommand(key)}`;
  if (headers instanceof Error) {
    // A line break is all that stops it being JSON: a value encoded without -w0.
    if (/[\r\n]/.test(value) && !(parseHeadersParameter(value.replace(/[\r\n]/g, "")) instanceof Error)) {
      return lineBreak;
    }
    const expected = `it must be a JSON object of header names to string values, e.g. {"Authorization": "Bearer <token>"}`;
    return `${configName(key)} ${headers.message}; ${expected}`;
  }
  for (const [name, headerValue] of Object.entries(headers)) {
    if (/[\r\n]/.test(headerValue)) return lineBreak;
    try {
      validateHeaderName(name);
      validateHeaderValue(name, headerValue);
    } catch {
      return `${configName(key)} has a header name or value with a character HTTP does not allow; set it again: ${setCommand(key)}`;
    }
  }
  return headers;
}
