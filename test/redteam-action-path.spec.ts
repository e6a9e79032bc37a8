import * as assert from "node:assert/strict";
import * as path from "node:path";
import { actionPathEscape } from "../src/actionPathCheck";

// Breaks docs/security.md, "Paths stay below the URL": "preview refuses a . or .. segment in any
// spelling".
//
// A conditional find: it depends on what stands in front of the receiver. src/actionPathCheck.ts models a
// server that decodes once (%2e, %2F, %5C) before resolving dot segments, and that model holds. A request
// that passes through two decoders is the classic double-encoding case (OWASP: "Double Encoding"): a
// reverse proxy that decodes and normalizes the path, then forwards it decoded (nginx's proxy_pass with
// $uri, a gateway rewriting the path), in front of an application server that decodes and normalizes it
// again. `%252e%252e` passes preview and WHATWG URL parsing unchanged, the proxy turns it into `%2e%2e`
// (no dot segment for it), and the application server climbs out of the receiver URL's path with it,
// the receiver's Authorization header attached.

/** One hop: decode %XX once, then resolve dot segments, as servers normalize a request path. */
function decodeAndNormalize(requestPath: string): string {
  return path.posix.normalize(decodeURIComponent(requestPath));
}

describe("red team: an action path encoded twice", () => {
  const receiverPath = "/tenant-a/rest/api/2/issue";

  it("is refused at preview when two decoding hops would take the request above the URL's path", () => {
    const actionPath = `/${"%252e%252e/".repeat(5)}tenant-b/rest/api/2/issue`;
    const url = new URL(`https://jira.example${receiverPath}`);
    // As the notifier appends a path (src/notifier/buildNotice.ts, withPath).
    url.pathname = `${url.pathname.replace(/\/+$/, "")}/${actionPath.replace(/^\/+/, "")}`;
    assert.ok(url.pathname.startsWith(`${receiverPath}/`), "WHATWG URL parsing keeps it below (control)");
    const atProxy = decodeAndNormalize(url.pathname);
    assert.ok(atProxy.startsWith(`${receiverPath}/`), "one decoding hop keeps it below (control)");
    const atApplication = decodeAndNormalize(atProxy);
    assert.equal(atApplication, "/tenant-b/rest/api/2/issue", "two decoding hops reach another tenant");
    assert.notEqual(
      actionPathEscape(actionPath),
      undefined,
      "preview accepted a path that two decoding hops resolve to /tenant-b/rest/api/2/issue",
    );
  });
});
