/**
 * Preview output lands in terminals and CI logs, so a message about a receiver file repeats text from it
 * only when that text cannot be a secret someone pasted where a config key or a plain value belongs.
 * Text is judged by its look: a URL or path, a well-known token prefix, or a long random-looking string.
 */

/** What a message says where it would otherwise have quoted a pasted secret. */
export const PASTED_SECRET =
  "this looks like the secret itself; store it with pulumi config set --secret and name the key here";

/**
 * Prefixes of well-known credentials: Slack (xoxb-, xapp-), GitHub (ghp_, github_pat_ ...), GitLab,
 * Standard Webhooks, Stripe, AWS access key ids, Atlassian API tokens, npm, a JWT's encoded header
 * (eyJ), and HTTP authorization schemes.
 */
const TOKEN_PREFIX =
  /^(?:xox[a-z]-|xapp-|gh[pousr]_|github_pat_|glpat-|whsec_|[spr]k_(?:live|test)_|AKIA|ASIA|ATATT|npm_|eyJ|Bearer\s|Basic\s)/;

/** The characters of base64, base64url and hex encodings, in which generated secrets are written. */
const ENCODED = /^[A-Za-z0-9+/=_.-]+$/;

/** Longer quoted values crowd a one-line message, and most long values are generated. */
const MAX_QUOTED_LENGTH = 40;

export function looksLikeSecret(text: string): boolean {
  return text.includes("/") || TOKEN_PREFIX.test(text) || looksGenerated(text);
}

/**
 * Names people write are words: mostly lower case with a capital or a digit at word starts, and about a
 * third vowels. Random encodings switch between lower case, upper case and digits at almost every other
 * character and have few vowels (one character in six of base64, one in eight of hex).
 */
function looksGenerated(text: string): boolean {
  if (!ENCODED.test(text)) return false;
  const alphanumerics = text.replace(/[^A-Za-z0-9]/g, "");
  if (alphanumerics.length < 14) return false;
  const kind = (char: string) => (/[a-z]/.test(char) ? 0 : /[A-Z]/.test(char) ? 1 : 2);
  let switches = 0;
  for (let i = 1; i < alphanumerics.length; i++) {
    if (kind(alphanumerics[i]) !== kind(alphanumerics[i - 1])) switches++;
  }
  const vowels = alphanumerics.replace(/[^aeiouAEIOU]/g, "").length;
  return switches / (alphanumerics.length - 1) >= 0.4 || vowels / alphanumerics.length < 0.2;
}

/**
 * The value in double quotes, for a message about a field that never holds a secret (a status, a project
 * name, a method), or undefined when it is long or looks like a secret anyway: a message then says
 * `VALUE_NOT_SHOWN` where the value would be.
 */
export function quoteIfHarmless(value: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- control characters would garble the message
  if (value.length > MAX_QUOTED_LENGTH || /[\u0000-\u001f\u007f]/.test(value) || looksLikeSecret(value)) {
    return undefined;
  }
  return JSON.stringify(value);
}

export const VALUE_NOT_SHOWN = "this value (not shown: it is long or looks like a secret)";

/** What a message says where it would otherwise have quoted a name that may be a pasted secret. */
export const NAME_NOT_SHOWN = "a name (not shown: it is long or looks like a secret)";

/** `$NAME` for a message, unless the name looks like a secret someone pasted. */
export function shownPlaceholder(name: string): string {
  return looksLikeSecret(name)
    ? "a placeholder (its name looks like a secret, so it is not shown)"
    : `$${name}`;
}
