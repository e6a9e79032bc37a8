import type { ExpectedAnswer } from "../shared/registryFormat";
import { scrubSecrets } from "./scrubSecrets";

/**
 * Fields where receivers put their own error text when they answer 2xx and mean no (Slack's Web API
 * answers 200 with `{"ok": false, "error": "channel_not_found"}`), in the order they are looked for.
 */
const ERROR_FIELDS = ["error", "error_description", "errorMessage", "message", "errors", "detail"];
/** How much of the receiver's error field the reason quotes. */
const ERROR_SHOWN = 200;

/**
 * Why a 2xx answer is refused, when it does not hold every expected value at its dotted field path
 * (`ok`, `data.status`, `items.0.state`), compared by JSON type and value; undefined when it does. The
 * reason names the first field that differs and what it holds, and quotes the receiver's own error field
 * when it has one, scrubbed of the receiver's `secrets` before it is cut to ERROR_SHOWN characters: a
 * secret the cut went through would no longer be whole when it is sought. The caller scrubs and bounds
 * the whole reason, as it does a refusing answer.
 */
export function answerRefusal(
  statusCode: number | undefined,
  answer: string | undefined,
  expected: ExpectedAnswer,
  secrets: readonly string[],
): string | undefined {
  const answered = `answered ${statusCode ?? "2xx"}`;
  if (answer === undefined) {
    return `${answered} with a body too long or compressed to read, so it does not hold ${shownExpectation(expected)}`;
  }
  let body: unknown;
  try {
    body = JSON.parse(answer);
  } catch {
    return `${answered} without JSON, so it does not hold ${shownExpectation(expected)}`;
  }
  const wrong = Object.entries(expected).find(([fieldPath, value]) => fieldAt(body, fieldPath) !== value);
  if (wrong === undefined) return undefined;
  const [fieldPath, value] = wrong;
  const found = fieldAt(body, fieldPath);
  const holds = found === undefined ? "no such field" : `${fieldPath}: ${shown(found)}`;
  const error = ERROR_FIELDS.map((field) => fieldAt(body, field)).find(
    (text) => text !== undefined && text !== null && text !== "",
  );
  return (
    `${answered} without ${fieldPath}: ${JSON.stringify(value)} (it holds ${holds})` +
    (error === undefined ? "" : `: ${scrubSecrets(shown(error), secrets).slice(0, ERROR_SHOWN)}`)
  );
}

function shownExpectation(expected: ExpectedAnswer): string {
  return Object.entries(expected)
    .map(([fieldPath, value]) => `${fieldPath}: ${JSON.stringify(value)}`)
    .join(", ");
}

function shown(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The value at a dotted field path of a JSON value (object keys and array indexes), if any. */
export function fieldAt(body: unknown, fieldPath: string): unknown {
  return fieldPath
    .split(".")
    .reduce<unknown>(
      (node, segment) =>
        typeof node === "object" && node !== null && Object.hasOwn(node, segment)
          ? (node as Record<string, unknown>)[segment]
          : undefined,
      body,
    );
}
