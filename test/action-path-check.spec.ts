import { strict as assert } from "node:assert";
import fc from "fast-check";
import { actionPathEscape } from "../src/actionPathCheck";

describe("actionPathEscape", () => {
  it("accepts only paths that stay below the URL's path, as URL parsing and decoding servers read them", () => {
    // Pieces of paths that climb out, in every spelling: dots, %2e, separators and their encodings,
    // Tomcat's ; parameter, and the tab and line break URL parsing drops.
    const piece = fc.constantFrom(
      ".",
      "..",
      "%2e",
      "%2E",
      "/",
      "\\",
      "%2f",
      "%5C",
      ";",
      "a",
      "\t",
      "\n",
      "x.y",
    );
    const base = "https://tenant.example/api/";
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const path = `/${pieces.join("")}`;
        if (actionPathEscape(path) !== undefined) return;
        accepted++;
        const url = new URL(base);
        url.pathname = `/api/${path.replace(/^\/+/, "")}`;
        assert.ok(url.pathname.startsWith("/api/"), JSON.stringify(path));
        // As a server that decodes %2F and %5C and drops ;-parameters before resolving dot segments.
        const segments = url.pathname.slice("/api/".length).split(/\/|%2f|%5c/i);
        for (const segment of segments) {
          assert.doesNotMatch(segment.split(";")[0], /^(?:\.|%2e){1,2}$/i, JSON.stringify(path));
        }
      }),
      { numRuns: 3000 },
    );
    assert.ok(accepted > 300, `only ${accepted} of the generated paths were accepted`);
  });

  it("never quotes the path in its reason", () => {
    for (const path of ["/secret-token/../x", "/secret-token\\x", "/.\t./secret-token"]) {
      const reason = actionPathEscape(path);
      assert.ok(reason !== undefined && !reason.includes("secret-token"), path);
    }
  });
});
