/**
 * An action's path is appended to the receiver's URL, whose credentials go with it: the request must stay
 * below the URL's path. WHATWG URL parsing (what `new URL` and the notifier use) resolves `.` and `..`
 * segments, written with dots or as `%2e`, reads a backslash as `/` and drops tabs and line breaks; many
 * servers also decode `%2F` and `%5C` before resolving dot segments, and Tomcat drops a `;` parameter
 * from a segment (`..;x` climbs there). So a path with such a segment, in any of these forms, is refused.
 */

/** A segment's separators: `/`, and a backslash or either encoded, which some servers take for one. */
const SEPARATOR = /\/|\\|%2f|%5c/i;

/** `.` or `..`, each dot written as it is or as `%2e`. */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/**
 * Why `path` (as appended to a receiver's URL: every value substituted into it already percent-encoded)
 * could take a request out of the URL's path, or undefined when it stays below it. The reason never
 * quotes the path.
 */
export function actionPathEscape(path: string): string | undefined {
  // URL parsing drops tabs and line breaks before anything else, which can join ". ." into "..".
  const parsed = path.replace(/[\t\n\r]/g, "");
  if (parsed.includes("\\")) {
    return 'holds a backslash, which URL parsing reads as "/"; write "/" between segments, or %5C in one';
  }
  const dotSegment = parsed.split(SEPARATOR).some((segment) => DOT_SEGMENT.test(segment.split(";")[0]));
  if (dotSegment) {
    return (
      'holds a "." or ".." segment (written with dots or as %2e, between "/" or its encodings %2F and ' +
      "%5C, or before a ;), which would take the request out of the receiver URL's path, where its " +
      "credentials go; write the path without it"
    );
  }
  return undefined;
}
