/** What stands where a secret was. */
export const REDACTED = "<redacted>";

/**
 * Shorter values are left alone: redacting every "1" or "/" would garble the text and hide nothing a
 * secret of the receiver could be (tokens, keys and URLs are far longer).
 */
const MIN_SECRET_LENGTH = 4;
/** A path segment of a URL this long is taken for a token (Slack's last segment, a signature). */
const TOKEN_SEGMENT_LENGTH = 16;
/** As is a shorter one, of at least this length, that holds a digit. */
const NUMBERED_SEGMENT_LENGTH = 8;
/**
 * Layers of escapes undone before matching: a JSON escape of a percent-encoding of a URL's own
 * percent-encoded query is three.
 */
const DECODED_LAYERS = 3;

/**
 * One escape a receiver may write a character as: JSON's `\uXXXX` (Go writes `&` so) and short escapes
 * (PHP writes `/` as `\/`), percent-encoding (a run of bytes, UTF-8), and HTML character references.
 */
const ESCAPE =
  /\\u([0-9a-fA-F]{4})|\\([/\\"'bfnrt])|((?:%[0-9a-fA-F]{2})+)|&#([0-9]{1,7});|&#[xX]([0-9a-fA-F]{1,6});|&(amp|lt|gt|quot|apos);/g;
const SHORT_ESCAPES: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
const NAMED_REFERENCES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Text with, for each of its characters, the span of the original text it was decoded from. */
interface View {
  text: string;
  from: number[];
  to: number[];
}

function identity(text: string): View {
  const offsets = [...Array(text.length).keys()];
  return { text, from: offsets, to: offsets.map((at) => at + 1) };
}

/** `text` percent-decoded, or as it is when it is no valid percent-encoding. */
function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** What one escape stands for, one string per character of the view it spans (joined: the decoding). */
function decodedEscape(match: RegExpExecArray): string[] {
  const [, unicode, short, percent, decimal, hex, named] = match;
  if (unicode) return [String.fromCharCode(parseInt(unicode, 16))];
  if (short) return [SHORT_ESCAPES[short] ?? short];
  if (named) return [NAMED_REFERENCES[named]];
  const codePoint = parseInt(decimal ?? hex ?? "", decimal ? 10 : 16);
  if (!percent) return codePoint <= 0x10ffff ? [String.fromCodePoint(codePoint)] : [match[0]];
  const bytes = Buffer.from(percent.replace(/%/g, ""), "hex");
  // ASCII bytes one by one, so that each keeps its own span; other runs decoded together as UTF-8.
  return bytes.every((byte) => byte < 0x80)
    ? [...bytes].map((byte) => String.fromCharCode(byte))
    : [new TextDecoder().decode(bytes)];
}

/** `view` with one layer of escapes decoded, each decoded character spanning the escape it came from. */
function decodeLayer(view: View): View {
  const decoded: View = { text: "", from: [], to: [] };
  const keep = (text: string, start: number, end: number) => {
    for (const unit of text.split("")) {
      decoded.text += unit;
      decoded.from.push(view.from[start]);
      decoded.to.push(view.to[end - 1]);
    }
  };
  let at = 0;
  for (const match of view.text.matchAll(ESCAPE)) {
    for (; at < match.index; at += 1) keep(view.text[at], at, at + 1);
    const parts = decodedEscape(match);
    // Each part stands for an equal share of the escape: one %XX of a run of ASCII bytes, or all of it.
    const width = match[0].length / parts.length;
    parts.forEach((part, index) =>
      keep(part, match.index + index * width, match.index + (index + 1) * width),
    );
    at = match.index + match[0].length;
  }
  for (; at < view.text.length; at += 1) keep(view.text[at], at, at + 1);
  return decoded;
}

/** `text` seen through no layer of escapes, one, and up to DECODED_LAYERS layers. */
function views(text: string): View[] {
  const all = [identity(text)];
  for (let layer = 0; layer < DECODED_LAYERS; layer += 1) {
    const next = decodeLayer(all[all.length - 1]);
    if (next.text === all[all.length - 1].text) break;
    all.push(next);
  }
  return all;
}

/** `text` with `layers` layers of escapes decoded. */
function decoded(text: string, layers: number): string {
  let view = identity(text);
  for (let layer = 0; layer < layers; layer += 1) view = decodeLayer(view);
  return view.text;
}

/** The parts of a URL a receiver may echo, and the host whose URLs are redacted whole. */
function urlForms(secret: string): { forms: string[]; host?: string } {
  let url: URL;
  try {
    url = new URL(secret.trim());
  } catch {
    return { forms: [] };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { forms: [] };
  const target = `${url.pathname}${url.search}`;
  const segments = url.pathname.split("/").map(percentDecoded);
  return {
    host: url.host,
    forms: [
      url.href,
      url.href.replace(/\/$/, ""),
      `${url.origin}${url.pathname}`,
      target === "/" ? "" : target,
      url.pathname === "/" ? "" : url.pathname,
      url.search,
      url.search.slice(1),
      percentDecoded(url.username),
      percentDecoded(url.password),
      ...[...url.searchParams.values()],
      ...segments.filter(
        (segment) =>
          segment.length >= TOKEN_SEGMENT_LENGTH ||
          (segment.length >= NUMBERED_SEGMENT_LENGTH && /\d/.test(segment)),
      ),
    ],
  };
}

/** A header value carrying HTTP Basic credentials: the scheme, then `base64(user:password)`. */
const BASIC_CREDENTIALS = /^\s*basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i;

/**
 * What a receiver that decoded Basic credentials may echo of them: `user:password` whole, and the
 * password (the user, an e-mail address as often as not, is no secret). None for any other value.
 */
function basicCredentialForms(secret: string): string[] {
  const encoded = BASIC_CREDENTIALS.exec(secret)?.[1];
  if (!encoded) return [];
  const credentials = Buffer.from(encoded, "base64").toString("utf8");
  const colon = credentials.indexOf(":");
  return colon < 0 ? [] : [credentials, credentials.slice(colon + 1)];
}

/**
 * `text` with every secret of the receiver replaced by `<redacted>`: for a receiver's answer, which may
 * echo the request it refused (its URL, headers or body) in any encoding. The text is decoded before it
 * is matched (JSON escapes of any character, percent-encoding, HTML character references, and one such
 * layer within another), and what matched is redacted where it stands in the text. Each secret is
 * matched as it is and trimmed (a parameter value may end with a newline the request did not carry); a
 * URL also as the HTTP client sends it, by its path and query, its query, its credentials, its query
 * values and its token-shaped path segments, and any URL on its host is redacted whole; a Basic header
 * value also as the server decoded it (`user:password`, and the password).
 */
export function scrubSecrets(text: string, secrets: Iterable<string>): string {
  const needles = new Set<string>();
  const hosts = new Set<string>();
  for (const secret of secrets) {
    const { forms, host } = urlForms(secret);
    if (host) hosts.add(host.toLowerCase());
    for (const form of [secret, secret.trim(), ...forms, ...basicCredentialForms(secret)]) {
      needles.add(form);
      needles.add(form.replace(/ /g, "+"));
    }
  }
  const hostUrls = [...hosts].map(
    (host) =>
      new RegExp(
        `https?://(?:[^\\s"'<>/@]*@)?${host.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w.-])[^\\s"'<>\\\\]*`,
        "gi",
      ),
  );
  const spans: [number, number][] = [];
  views(text).forEach((view, layers) => {
    const mark = (start: number, length: number) =>
      spans.push([view.from[start], view.to[start + length - 1]]);
    // Each needle as it is and decoded as deep as the view at most: a secret may hold escapes itself
    // (a URL's percent-encoded query), which the view decoded or left, depending on the echo's layers.
    const sought = new Set(
      [...needles].flatMap((needle) =>
        Array.from({ length: layers + 1 }, (_, depth) => decoded(needle, depth)),
      ),
    );
    for (const needle of sought) {
      if (needle.length < MIN_SECRET_LENGTH) continue;
      for (let at = view.text.indexOf(needle); at >= 0; at = view.text.indexOf(needle, at + 1)) {
        mark(at, needle.length);
      }
    }
    for (const pattern of hostUrls) {
      for (const match of view.text.matchAll(pattern)) mark(match.index, match[0].length);
    }
  });
  // Each run of overlapping matches becomes one <redacted>.
  spans.sort((a, b) => a[0] - b[0]);
  let scrubbed = "";
  let at = 0;
  let redactedTo = -1;
  for (const [start, end] of spans) {
    if (start > redactedTo) scrubbed += `${text.slice(at, start)}${REDACTED}`;
    at = Math.max(at, end);
    redactedTo = at;
  }
  return scrubbed + text.slice(at);
}
