import type { ReceiverAction } from "../receiverDefinition";
import type { RegistryEntry } from "./registryEntries";
import { DEFAULT_TEMPLATE, renderTemplate } from "./renderTemplate";
import { bodyFormat, parseHeadersParameter, requestHeaders } from "./requestHeaders";
import type { Notice } from "./sendNotice";
import { signatureHeaders } from "./signWebhook";

export type BuiltNotice = { notice: Notice; unknownNames: string[] } | { reason: string };

/**
 * The request one receiver gets for an event: its URL, its own headers over the JSON default, the
 * `webhook-id`, the signature when it has a signing secret, and the body rendered from its template.
 * `parameters` holds the values of its parameters, `refused` the parameters the store would not read; a
 * reason is returned when one is missing, refused or malformed (naming the parameter, never quoting a
 * value). An `action` (of a receiver with actions per transition) gives the template and method, and a
 * path appended to the receiver's URL, rendered from `pathValues` (which build variables never reach),
 * each value percent-encoded as one segment; a path naming a placeholder without a value is a reason
 * not to send.
 */
export function buildNotice(
  entry: RegistryEntry,
  parameters: ReadonlyMap<string, string>,
  values: Readonly<Record<string, string>>,
  id: string,
  timestampSeconds: number,
  refused: ReadonlyMap<string, string> = new Map(),
  request?: { action: ReceiverAction; pathValues: Readonly<Record<string, string>> },
): BuiltNotice {
  const action = request?.action;
  const unreadable = (name: string) =>
    refused.has(name)
      ? { reason: `parameter ${name} could not be read (${refused.get(name)})` }
      : { reason: `parameter ${name} not found` };
  const receiverUrl = parameters.get(entry.urlParameter);
  if (receiverUrl === undefined) return unreadable(entry.urlParameter);
  let url = receiverUrl;
  if (request?.action.path) {
    const path = renderTemplate(request.action.path, request.pathValues, "path");
    if (path.unknownNames.length > 0) {
      return {
        reason: `the path names ${path.unknownNames.map((name) => `$${name}`).join(", ")}, without a value`,
      };
    }
    url = withPath(receiverUrl, path.body);
  }
  let receiverHeaders: Record<string, string> | Error = {};
  if (entry.headersParameter) {
    const headersValue = parameters.get(entry.headersParameter);
    if (headersValue === undefined) return unreadable(entry.headersParameter);
    receiverHeaders = parseHeadersParameter(headersValue);
    if (receiverHeaders instanceof Error) {
      return { reason: `parameter ${entry.headersParameter} ${receiverHeaders.message}` };
    }
  }
  const headers = { ...requestHeaders(receiverHeaders), "webhook-id": id };
  const { body, unknownNames } = renderTemplate(
    action?.template ?? entry.template ?? DEFAULT_TEMPLATE,
    values,
    bodyFormat(headers),
  );
  if (entry.signingSecretParameter) {
    const secrets = parameters.get(entry.signingSecretParameter);
    if (secrets === undefined) return unreadable(entry.signingSecretParameter);
    const signature = signatureHeaders(secrets, id, timestampSeconds, body);
    if (signature instanceof Error)
      return { reason: `parameter ${entry.signingSecretParameter} ${signature.message}` };
    Object.assign(headers, signature);
  }
  return { notice: { method: action?.method ?? entry.method, url, headers, body }, unknownNames };
}

/** The receiver's URL with `path` appended to its path (before its query, which it keeps). */
function withPath(receiverUrl: string, path: string): string {
  const url = new URL(receiverUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
  return url.toString();
}
