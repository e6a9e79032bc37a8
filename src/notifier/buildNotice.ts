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
 * value).
 */
export function buildNotice(
  entry: RegistryEntry,
  parameters: ReadonlyMap<string, string>,
  values: Readonly<Record<string, string>>,
  id: string,
  timestampSeconds: number,
  refused: ReadonlyMap<string, string> = new Map(),
): BuiltNotice {
  const unreadable = (name: string) =>
    refused.has(name)
      ? { reason: `parameter ${name} could not be read (${refused.get(name)})` }
      : { reason: `parameter ${name} not found` };
  const url = parameters.get(entry.urlParameter);
  if (url === undefined) return unreadable(entry.urlParameter);
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
    entry.template ?? DEFAULT_TEMPLATE,
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
  return { notice: { method: entry.method, url, headers, body }, unknownNames };
}
