import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { posix } from "node:path";
import { actionPathEscape, appendActionPath } from "../src/notifier/actionPath";
import { numberedBuild } from "./support/buildEvents";
import { deployForSuite } from "./support/suiteNotifier";

/** One tenant's URL on a host that serves others below `/hooks/`; its query is a secret of the receiver. */
const RECEIVER_URL = "https://tenants.example.com/hooks/team-a?token=team-a-secret";

/** Every way of writing a dot: as it is, or percent-encoded in either case. */
const dot = fc.constantFrom(".", "%2e", "%2E");
/** What URL parsing drops wherever it stands. */
const dropped = fc.constantFrom("", "", "\t", "\n", "\r");
/** What a URL parser or a server may take for `/`. */
const separator = fc.constantFrom("/", "\\", "%2f", "%2F", "%5c", "%5C");
const segment = fc.stringMatching(/^[A-Za-z0-9_~-]{1,8}$/);

/** A `.` or `..` segment, in any of its encodings, with tabs or newlines between its characters. */
const dotSegment = fc
  .tuple(
    fc.array(fc.tuple(dropped, dot), { minLength: 1, maxLength: 2 }),
    dropped,
    fc.constantFrom("", ";", ";jsessionid=0"),
  )
  .map(
    ([dots, after, parameter]) => `${dots.map(([before, one]) => before + one).join("")}${after}${parameter}`,
  );

/** A path of ordinary segments with a dot segment among them, each joined by any separator. */
const climbingPath = fc
  .tuple(
    fc.array(segment, { maxLength: 3 }),
    dotSegment,
    fc.array(segment, { maxLength: 3 }),
    separator,
    separator,
  )
  .map(
    ([before, climb, after, left, right]) => `/${[...before, climb].join(left)}${right}${after.join("/")}`,
  );

describe("action paths stay below the receiver's URL", () => {
  describe("appendActionPath (used at run time and at preview)", () => {
    it("refuses a dot segment in every encoding, wherever it stands", () => {
      fc.assert(
        fc.property(climbingPath, (path) => {
          assert.ok(actionPathEscape(path), JSON.stringify(path));
          assert.ok("reason" in appendActionPath(RECEIVER_URL, path), JSON.stringify(path));
        }),
        { numRuns: 2000 },
      );
    });

    it("sends any path it accepts below the URL's path, on its origin, with its query", () => {
      const tricky = fc.constantFrom(
        ..."./\\%2eEfF5c;?#@: \t\nab~".split(""),
        "%2e",
        "%2f",
        "%5c",
        "..",
        "%00",
        "%25",
        "%252e",
        "%252f",
      );
      fc.assert(
        fc.property(fc.array(tricky, { maxLength: 16 }), (parts) => {
          const path = parts.join("");
          const appended = appendActionPath(RECEIVER_URL, path);
          if ("reason" in appended) return;
          // Parsed as the HTTP client parses the URL it is handed.
          const sent = new URL(appended.url);
          assert.equal(sent.origin, "https://tenants.example.com", JSON.stringify(path));
          assert.ok(
            sent.pathname.startsWith("/hooks/team-a/"),
            `${JSON.stringify(path)} went to ${sent.pathname}`,
          );
          assert.equal(sent.search, "?token=team-a-secret", JSON.stringify(path));
          // Nor does a server that decodes the path once, or twice behind a decoding proxy, find a
          // segment to climb out of.
          for (const decoded of [decodedOnce(sent.pathname), decodedOnce(decodedOnce(sent.pathname))]) {
            const segments = decoded.split(/[/\\]/);
            assert.ok(
              !segments.some((one) => /^\.{1,2}(?:;.*)?$/.test(one)),
              `${JSON.stringify(path)}: ${sent.pathname}`,
            );
          }
        }),
        { numRuns: 5000 },
      );
    });

    it("refuses an encoded %, which a proxy and the server behind it would decode into a dot segment", () => {
      const receiverPath = "/tenant-a/rest/api/2/issue";
      const twiceEncoded = `/${"%252e%252e/".repeat(5)}tenant-b/rest/api/2/issue`;
      // One decoding hop after URL parsing keeps it below; a second one reaches another tenant.
      const url = new URL(`https://jira.example${receiverPath}`);
      url.pathname = `${receiverPath}${twiceEncoded}`;
      const hop = (path: string) => posix.normalize(decodedOnce(path));
      assert.ok(hop(url.pathname).startsWith(`${receiverPath}/`));
      assert.equal(hop(hop(url.pathname)), "/tenant-b/rest/api/2/issue");
      for (const path of [twiceEncoded, "/issue/%252F..%252Fadmin", "/issue/50%25", "/issue/%25"]) {
        assert.equal(
          actionPathEscape(path),
          'the path holds %25, an encoded "%", which a server decoding the path a second time (behind a ' +
            "proxy that decoded it once) reads as another escape: %252e%252e climbs above the receiver URL's " +
            'path as .. does; write each character as it is or encoded once, and no "%" in a value',
          path,
        );
        assert.ok("reason" in appendActionPath(RECEIVER_URL, path), path);
      }
    });

    it("never quotes the path in its reason", () => {
      for (const path of [
        "/secret-token/../x",
        "/secret-token\\..",
        "/.\t./secret-token",
        "/secret-token%25",
      ]) {
        const reason = actionPathEscape(path);
        assert.ok(reason !== undefined && !reason.includes("secret-token"), path);
      }
    });

    it("takes every path of ordinary segments as it is", () => {
      fc.assert(
        fc.property(
          fc.array(fc.stringMatching(/^[A-Za-z0-9_~.-]*[A-Za-z0-9_~-][A-Za-z0-9_~.-]*$/), {
            minLength: 1,
            maxLength: 5,
          }),
          (segments) => {
            const appended = appendActionPath(RECEIVER_URL, `/${segments.join("/")}`);
            assert.deepEqual(appended, {
              url: `https://tenants.example.com/hooks/team-a/${segments.join("/")}?token=team-a-secret`,
            });
          },
        ),
      );
    });
  });

  describe("the deployed notifier", () => {
    const suite = deployForSuite();

    it("sends no action whose written path climbs out of the receiver's URL, naming the path, never the URL", async () => {
      const host = await suite.receiver([{ status: 201, body: '{"key": "OPS-1"}' }]);
      const climbs = [
        "/../team-b/issue",
        "/%2e%2e/team-b/issue",
        "/.%2E/team-b/issue",
        "/%2E./team-b/issue",
        "\\..\\team-b\\issue",
        "/..;/team-b/issue",
        "/.\t./team-b/issue",
        "/issue/..%2f..%2fteam-b%2fissue",
        "/./issue",
      ];
      for (const [at, path] of climbs.entries()) {
        const name = `tenant-${at}`;
        await suite.stack.register(
          name,
          `${host.url}/team-a?token=team-a-secret`,
          `${name}-app`,
          ["FAILED"],
          {
            actions: {
              M: { broken: { M: { path: { S: path }, template: { S: '{"summary": "$PROJECT"}' } } } },
            },
          },
        );
        const invocation = await suite.stack.lambda.invoke(numberedBuild(`${name}-app`, 1, "FAILED"));
        assert.equal(
          invocation.error?.message,
          `1 of 1 receivers not delivered: /webhooks/${name}/url (the path holds a "." or ".." segment ` +
            "(written, percent-encoded, or between backslashes or encoded slashes), which would send the " +
            "request above the receiver URL's path)",
          JSON.stringify(path),
        );
        assert.ok(
          !invocation.logs.some((line) => line.includes("team-a-secret") || line.includes("127.0.0.1")),
        );
      }
      assert.deepEqual(host.requests, [], "nothing was sent, to either tenant");
    });
  });
});

/** The path as a server that decodes it once reads it (an escape of no character left as it is). */
function decodedOnce(path: string): string {
  return path.replace(/%[0-9a-f]{2}/gi, (escape) => {
    try {
      return decodeURIComponent(escape);
    } catch {
      return escape;
    }
  });
}
