import type { ReceiverAction } from "../shared/registryFormat";
import { appendActionPath } from "./actionPath";
import type { OAuthCredentials } from "./oauthTokens";
import type { OAuthRegistration, RegistryEntry } from "./registryEntries";
import { DEFAULT_TEMPLATE, renderTemplate } from "./renderTemplate";
import { bodyFormat, parseHeadersParameter, requestHeaders } from "./requestHeaders";
import type { Notice } from "./sendNotice";
import { isSecureUrl } from "./secureUrl";
import { signatureHeaders } from "./signWebhook";

export type BuiltNotice =
  | {
      notice: Notice;
      unknownNames: string[];
      /** The receiver's OAuth client credentials: the notice still needs its bearer token. */
      oauth?: OAuthCredentials;
      /** Every secret value of the receiver, which must not reach a log (see scrubSecrets). */
      secrets: string[];
    }
  | { reason: string };

/**
 * The request one receiver gets for an event: its URL, its own headers over the JSON default, the
 * `webhook-id`, the signature when it has a signing secret, and the body rendered from its template.
 * `parameters` holds the values of its parameters, `refused` the parameters the store would not read; a
 * reason is returned when one is missing, refused or malformed (naming the parameter, never quoting a
 * value). An `action` (of a receiver with actions per transition) gives the template and method, and a
 * path appended to the receiver's URL, rendered from `pathValues` (which build variables never reach),
 * each value percent-encoded as one segment; a path naming a placeholder without a value, or with one
 * that leaves its segment empty, `.` or `..` (which a URL drops or climbs out of), is a reason not to
 * send, and so is a path that would leave the URL's path in any other way (see appendActionPath). Body
 * secrets (`bodySecretParameters`) are substituted into the body only, over the build's variables; the
 * URL and path never see them. A receiver with OAuth gets its client credentials back, to
 * get the token with; their token URL, and the receiver's URL, must be https (or loopback http).
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
  const target = request?.action.path
    ? actionUrl(receiverUrl, request.action.path, request.pathValues)
    : undefined;
  if (target && "reason" in target) return target;
  const url = target?.url ?? receiverUrl;
  let receiverHeaders: Record<string, string> | Error = {};
  if (entry.headersParameter) {
    const headersValue = parameters.get(entry.headersParameter);
    if (headersValue === undefined) return unreadable(entry.headersParameter);
    receiverHeaders = parseHeadersParameter(headersValue);
    if (receiverHeaders instanceof Error) {
      return { reason: `parameter ${entry.headersParameter} ${receiverHeaders.message}` };
    }
  }
  // Every value a parameter gave, and a header's credentials without its scheme (`Bearer <token>`); the
  // content types of the headers are no secret.
  const secrets = [
    // The URL as stored, and as sent (with the action's path): scrubSecrets takes their parts too.
    receiverUrl,
    url,
    ...Object.entries(receiverHeaders)
      .filter(([name]) => !/^(?:content-type|accept)$/i.test(name))
      .flatMap(([, value]) => [value, value.replace(/^\S+\s+/, "")]),
  ];
  const bodySecrets: Record<string, string> = {};
  for (const [name, parameter] of Object.entries(entry.bodySecretParameters ?? {})) {
    const value = parameters.get(parameter);
    if (value === undefined) return unreadable(parameter);
    bodySecrets[name] = value;
    secrets.push(value);
  }
  const oauth = entry.oauth
    ? oauthCredentials(entry.oauth, [entry.urlParameter, receiverUrl], parameters, unreadable)
    : undefined;
  if (oauth && "reason" in oauth) return oauth;
  if (oauth) secrets.push(oauth.tokenUrl, oauth.clientId, oauth.clientSecret);
  const headers = { ...requestHeaders(receiverHeaders), "webhook-id": id };
  const { body, unknownNames } = renderTemplate(
    action?.template ?? entry.template ?? DEFAULT_TEMPLATE,
    // The event's values, shared by its receivers; copied only when body secrets go over them.
    entry.bodySecretParameters ? { ...values, ...bodySecrets } : values,
    bodyFormat(headers),
  );
  if (entry.signingSecretParameter) {
    const signingSecrets = parameters.get(entry.signingSecretParameter);
    if (signingSecrets === undefined) return unreadable(entry.signingSecretParameter);
    const signature = signatureHeaders(signingSecrets, id, timestampSeconds, body);
    if (signature instanceof Error)
      return { reason: `parameter ${entry.signingSecretParameter} ${signature.message}` };
    Object.assign(headers, signature);
    secrets.push(signingSecrets, ...signingSecrets.trim().split(/\s+/));
  }
  return {
    notice: { method: action?.method ?? entry.method, url, headers, body },
    unknownNames,
    ...(oauth ? { oauth } : {}),
    secrets,
  };
}

/**
 * The receiver's URL with an action's path appended, rendered from `pathValues`; the reason not to send
 * when the path names a placeholder without a value, or would leave the URL's path.
 */
function actionUrl(
  receiverUrl: string,
  actionPath: string,
  pathValues: Readonly<Record<string, string>>,
): { url: string } | { reason: string } {
  const path = renderTemplate(actionPath, pathValues, "path");
  if (path.unknownNames.length > 0) {
    return {
      reason: `the path names ${path.unknownNames.map((name) => `$${name}`).join(", ")}, without a value`,
    };
  }
  const dotSegments = dotSegmentReason(actionPath, pathValues);
  if (dotSegments) return { reason: dotSegments };
  return appendActionPath(receiverUrl, path.body);
}

/**
 * A receiver's OAuth client credentials, from its parameters; the reason not to send when one is
 * missing, or the token URL or the receiver's URL (`receiver`: its parameter and value) is not https.
 */
function oauthCredentials(
  registration: OAuthRegistration,
  receiver: [parameter: string, url: string],
  parameters: ReadonlyMap<string, string>,
  unreadable: (name: string) => { reason: string },
): OAuthCredentials | { reason: string } {
  const { tokenUrlParameter, clientIdParameter, clientSecretParameter, ...settings } = registration;
  const [tokenUrl, clientId, clientSecret] = [
    tokenUrlParameter,
    clientIdParameter,
    clientSecretParameter,
  ].map((name) => parameters.get(name));
  if (tokenUrl === undefined) return unreadable(tokenUrlParameter);
  if (clientId === undefined) return unreadable(clientIdParameter);
  if (clientSecret === undefined) return unreadable(clientSecretParameter);
  for (const [parameter, target] of [[tokenUrlParameter, tokenUrl], receiver]) {
    if (!isSecureUrl(target)) {
      return {
        reason:
          `parameter ${parameter} is not an https URL; a receiver with OAuth sends its client secret and ` +
          "tokens over https only (http only to a loopback address)",
      };
    }
  }
  return { tokenUrl, clientId, clientSecret, ...settings };
}

/**
 * A URL segment that is empty, `.` or `..`, with its dots written as they are or as `%2e` (which WHATWG
 * URL parsing takes for a dot): a URL merges or drops it, or the segment before it.
 */
const DOT_SEGMENT = /^(?:\.|%2e){0,2}$/i;

/**
 * Why a path cannot be sent, when a placeholder's segment, with the values substituted, is a dot segment
 * or empty:
 * percent-encoding keeps `/` and `?` out of a value but leaves dots as they are, so a value `..` would
 * send the request one level up, and an empty one would add an empty segment.
 */
export function dotSegmentReason(path: string, values: Readonly<Record<string, string>>): string | undefined {
  const lost = path.split("/").flatMap((segment) => {
    const named = renderTemplate(segment, {}, "path").unknownNames;
    return named.length > 0 && DOT_SEGMENT.test(renderTemplate(segment, values, "path").body) ? named : [];
  });
  if (lost.length === 0) return undefined;
  return (
    `the path names ${[...new Set(lost)].map((name) => `$${name}`).join(", ")} with a value that leaves its ` +
    'segment empty, "." or "..", which would change the path'
  );
}
