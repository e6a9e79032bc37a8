/**
 * What a server may take for a segment separator in a path: `/`, `\` (WHATWG URL parsing reads it as `/`
 * in http and https URLs), and both once percent-decoded (some servers decode before they normalize).
 */
const SEPARATOR = /[/\\]/;
/** ASCII tab and newline: WHATWG URL parsing drops them wherever they are, `.\t.` reads `..`. */
const TAB_OR_NEWLINE = /[\t\n\r]/g;
/** A segment a URL drops (`.`) or climbs out of (`..`). */
const DOT_SEGMENT = /^\.{1,2}$/;

/** `text` with every `%XX` decoded to the byte it stands for (one pass, as a server decodes a path once). */
function percentDecoded(text: string): string {
  return text.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** `%25`, an encoded `%`: what a second decoding turns into another escape. */
const ENCODED_PERCENT = /%25/i;

/**
 * Why an action's path, its placeholders filled, would not stay below the URL it is appended to, or
 * undefined when it stays: it holds a `.` or `..` segment, written as dots, percent-encoded (`%2e`),
 * joined by tabs or newlines (which URL parsing drops), between backslashes or percent-encoded slashes,
 * or with a `;` parameter after it (`..;`, which Java servers read as `..`). Such a segment would send the
 * request, and the receiver's credentials, above the URL's path: to another tenant of the same host. Or
 * it holds `%25`, an encoded `%`: behind a proxy that decodes the path before passing it on, the server
 * decodes it a second time, and `%252e%252e` climbs there as `..` does. The one check for preview and
 * run time; the reason names the path, never the URL.
 */
export function actionPathEscape(path: string): string | undefined {
  if (ENCODED_PERCENT.test(path)) {
    return (
      'the path holds %25, an encoded "%", which a server decoding the path a second time (behind a proxy ' +
      "that decoded it once) reads as another escape: %252e%252e climbs above the receiver URL's path as " +
      '.. does; write each character as it is or encoded once, and no "%" in a value'
    );
  }
  const segments = percentDecoded(path.replace(TAB_OR_NEWLINE, "")).split(SEPARATOR);
  const climbs = segments.some((segment) => DOT_SEGMENT.test(segment.split(";")[0]));
  return climbs
    ? 'the path holds a "." or ".." segment (written, percent-encoded, or between backslashes or encoded ' +
        "slashes), which would send the request above the receiver URL's path"
    : undefined;
}

/**
 * The URL an action sends to: `receiverUrl` with `path` appended to its path (before its query, which it
 * keeps), or the reason it is not sent when the request would not lie below the URL's path.
 */
export function appendActionPath(receiverUrl: string, path: string): { url: string } | { reason: string } {
  const escape = actionPathEscape(path);
  if (escape) return { reason: escape };
  const url = new URL(receiverUrl);
  const base = url.pathname.replace(/\/+$/, "");
  url.pathname = `${base}/${path.replace(/^\/+/, "")}`;
  // What the request's path is once parsed, as the HTTP client parses it: below the URL's, or not sent.
  const sent = new URL(url.toString());
  if (sent.origin !== new URL(receiverUrl).origin || !sent.pathname.startsWith(`${base}/`)) {
    return { reason: "the path leaves the receiver URL's path" };
  }
  return { url: url.toString() };
}
