import { configName, setCommand } from "./configKeys";

/** A command that sets a new secret of 64 random bytes; openssl wraps base64 at 64 characters, tr unwraps it. */
export const NEW_SIGNING_SECRET = `"whsec_$(openssl rand -base64 64 | tr -d '\\n')"`;

/** Standard Webhooks secrets: "whsec_" and padded standard base64, which every verifier library decodes. */
const SIGNING_SECRET = /^whsec_((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)$/;
/** The Standard Webhooks specification asks for secrets of 24 to 64 bytes. */
const MIN_SIGNING_KEY_BYTES = 24;

/**
 * One secret, or several separated by whitespace while a secret is rotated (the notifier signs with
 * each). The message says which one is wrong by its position, never by its value.
 */
export function signingSecretProblem(key: string, value: string): string | undefined {
  const config = configName(key);
  const setAgain = `set it again: ${setCommand(key, NEW_SIGNING_SECRET)}`;
  // [secret, separator, secret, ...]: a line break followed by anything but another secret is a wrapped one.
  const parts = value.trim().split(/(\s+)/);
  const wrapped = parts.some(
    (part, index) =>
      index % 2 === 0 && index > 0 && /[\r\n]/.test(parts[index - 1]) && !part.startsWith("whsec_"),
  );
  if (wrapped) {
    return (
      `${config} has a line break inside a secret (openssl rand -base64 writes lines of 64 characters; ` +
      `tr -d '\\n' joins them); ${setAgain}`
    );
  }
  const secrets = parts.filter((_, index) => index % 2 === 0);
  for (const [index, secret] of secrets.entries()) {
    const which =
      secrets.length === 1
        ? `${config} is`
        : `${config} holds ${secrets.length} secrets; secret ${index + 1} is`;
    const base64 = SIGNING_SECRET.exec(secret)?.[1];
    if (!base64) {
      return `${which} not a Standard Webhooks signing secret ("whsec_" followed by standard, padded base64); ${setAgain}`;
    }
    if (Buffer.from(base64, "base64").length < MIN_SIGNING_KEY_BYTES) {
      return `${which} a signing secret of fewer than ${MIN_SIGNING_KEY_BYTES} bytes; Standard Webhooks secrets are 24 to 64 random bytes; ${setAgain}`;
    }
  }
  return undefined;
}
