import { isJsonBody } from "../notifier/requestHeaders";
import { isSecureUrl } from "../notifier/secureUrl";
import { CONFIG_KEY, configName, setCommand } from "./configKeys";
import { parseHeaders } from "./headersConfig";
import { isRecord } from "./readReceiverFile";
import type { Report } from "./receiverFinding";
import { looksLikeSecret, PASTED_SECRET } from "./secretLikeText";
import { NEW_SIGNING_SECRET, signingSecretProblem } from "./signingSecretConfig";

/**
 * A stack config value, and whether it was set with `pulumi config set --secret` (stored encrypted).
 * Without `value`, the value is set but cannot be read here: an encrypted value, which only the Pulumi CLI
 * decrypts. The checks of a value then do not run (npm run check says which).
 */
export type ConfigValue = { value: string; secret: boolean } | { value?: undefined; secret: true };

/** Reads the stack config value of `codebuild-webhooks:<key>`; undefined when it is not set. */
export type ReadConfig = (key: string) => ConfigValue | undefined;

/** The config key a well-formed `{ secret: <key> }` at `fieldPath` names. */
export function referencedKey(
  fields: Record<string, unknown>,
  fieldPath: readonly string[],
): string | undefined {
  let reference: unknown = fields;
  for (const key of fieldPath) reference = isRecord(reference) ? reference[key] : undefined;
  const key = isRecord(reference) ? reference.secret : undefined;
  return typeof key === "string" && CONFIG_KEY.test(key) ? key : undefined;
}

/**
 * Checks the config each secret field names: set, set as a secret, and a value the notifier can use.
 * The checks run on whatever references are well formed, so that one pass reports everything. Returns
 * whether the body is JSON, as the notifier will judge it; undefined when the headers cannot tell.
 */
export function checkSecretConfig(
  fields: Record<string, unknown>,
  readConfig: ReadConfig,
  report: Report,
): boolean | undefined {
  /** The config a `{ secret: <key> }` at `fieldPath` names, when it is well formed, set and readable. */
  const configOf = (fieldPath: readonly string[]): { key: string; value: string } | undefined => {
    const key = referencedKey(fields, fieldPath);
    if (key === undefined) return undefined;
    const config = readConfig(key);
    if (config === undefined) {
      report([...fieldPath, "secret"], notSetProblem(fieldPath.join("."), key));
      return undefined;
    }
    if (!config.secret) report([...fieldPath, "secret"], plainTextProblem(key));
    return config.value === undefined ? undefined : { key, value: config.value };
  };
  const check = (
    fieldPath: readonly string[],
    problem: (key: string, value: string) => string | undefined,
  ) => {
    const config = configOf(fieldPath);
    const issue = config && problem(config.key, config.value);
    if (issue) report([...fieldPath, "secret"], issue);
  };

  const oauth = isRecord(fields.oauth);
  check(
    ["url"],
    (key, value) => urlProblem(key, value) ?? (oauth ? oauthUrlProblem(key, value, "url") : undefined),
  );
  check(["signingSecret"], signingSecretProblem);
  if (oauth) {
    check(
      ["oauth", "tokenUrl"],
      (key, value) => urlProblem(key, value) ?? oauthUrlProblem(key, value, "tokenUrl"),
    );
    check(["oauth", "clientId"], plainSecretProblem);
    check(["oauth", "clientSecret"], plainSecretProblem);
  }
  for (const name of Object.keys(isRecord(fields.secrets) ? fields.secrets : {})) {
    check(["secrets", name], plainSecretProblem);
  }
  if (fields.headers === undefined) return true;
  const headersConfig = configOf(["headers"]);
  if (headersConfig === undefined) return undefined;
  const headers = parseHeaders(headersConfig.key, headersConfig.value);
  if (typeof headers === "string") {
    report(["headers", "secret"], headers);
    return undefined;
  }
  // The notifier's own rule decides whether the body is JSON.
  return isJsonBody(headers);
}

/** What preview says of a secret a receiver names at `field` that the stack does not set. */
export function notSetProblem(field: string, key: string): string {
  // A value pasted where the key belongs can pass for a key name, and must not be repeated.
  if (looksLikeSecret(key)) return `the config key named here is not set; ${PASTED_SECRET}`;
  return `${configName(key)} is not set; run: ${setCommand(key, field === "signingSecret" ? NEW_SIGNING_SECRET : undefined)}`;
}

/** What preview says of a secret a receiver names that the stack sets without --secret. */
export function plainTextProblem(key: string): string {
  return (
    `${configName(key)} is set without --secret, so its value is stored in plain text in the stack's ` +
    `Pulumi.<stack>.yaml; set it again as a secret: ${setCommand(key)}`
  );
}

function urlProblem(key: string, value: string): string | undefined {
  if (!URL.canParse(value) || !["http:", "https:"].includes(new URL(value).protocol)) {
    return `${configName(key)} is not an absolute http(s) URL; set it again: ${setCommand(key)}`;
  }
  return undefined;
}

/**
 * The token URL gets the client secret, the receiver's URL the bearer token: both https, as the notifier
 * requires (http only to a loopback address, which never leaves the machine).
 */
function oauthUrlProblem(key: string, value: string, field: "url" | "tokenUrl"): string | undefined {
  if (isSecureUrl(value)) return undefined;
  const carries =
    field === "tokenUrl"
      ? "the client secret goes to the token endpoint"
      : "the bearer token goes to the receiver";
  return (
    `${configName(key)} is an http URL; ${carries}, so a receiver with oauth takes https only (RFC 6749 ` +
    `requires TLS; http only to a loopback address): set it again: ${setCommand(key)}`
  );
}

/** A client ID, client secret or body secret: a value on one line. */
function plainSecretProblem(key: string, value: string): string | undefined {
  if (value === "") return `${configName(key)} is empty; set it again: ${setCommand(key)}`;
  if (/[\r\n]/.test(value)) {
    return `${configName(key)} has a line break inside; set it again, on one line: ${setCommand(key)}`;
  }
  return undefined;
}
