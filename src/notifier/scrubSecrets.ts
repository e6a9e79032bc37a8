/** What stands where a secret was. */
export const REDACTED = "<redacted>";

/**
 * Shorter values are left alone: redacting every "1" or "/" would garble the text and hide nothing a
 * secret of the receiver could be (tokens, keys and URLs are far longer).
 */
const MIN_SECRET_LENGTH = 4;

/**
 * The forms a secret takes in a request, which a receiver may echo back: as it is, escaped in a JSON
 * string, percent-encoded (a form body or a URL), and form-encoded (spaces as `+`).
 */
function forms(secret: string): string[] {
  return [
    secret,
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    new URLSearchParams([["", secret]]).toString().slice(1),
  ];
}

/**
 * `text` with every occurrence of each secret, in each of its forms, replaced by `<redacted>`: for a
 * receiver's answer, which may echo the request it refused (its URL, headers or body).
 */
export function scrubSecrets(text: string, secrets: Iterable<string>): string {
  const needles = [...new Set([...secrets].flatMap(forms))]
    .filter((needle) => needle.length >= MIN_SECRET_LENGTH)
    // The longest first, so that a secret holding another is replaced whole.
    .sort((a, b) => b.length - a.length);
  return needles.reduce((scrubbed, needle) => scrubbed.split(needle).join(REDACTED), text);
}
