import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadReceivers, ReceiverConfigError } from "../src/loadReceivers";

// Breaks docs/receivers.md, "Messages never show a secret": "never text from a file that may be a secret
// pasted where it does not belong ... A placeholder whose name looks like a secret is 'a placeholder (its
// name looks like a secret, so it is not shown)'" (and docs/security.md, "Never echoed").
//
// The JSON syntax check of a template (src/jsonSyntaxError.ts) quotes an unquoted placeholder back, twice,
// whatever its name: a token pasted after the `$` of a placeholder (`{"token": $ghp_...}`, where
// `"$GITHUB_TOKEN"` was meant) is printed in full by pulumi preview, into the terminal and CI log. The same
// name inside quotes gets the "not shown" wording; only this message misses the rule.

const TOKEN = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";

describe("red team: a token pasted as an unquoted placeholder of a JSON template", () => {
  let root: string;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "receivers-"));
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  for (const [row, template] of [
    ["in template", `template: '{"text": "build failed", "token": $${TOKEN}}'\n`],
    ["in an action's template, braced", `on:\n  broken:\n    template: '{"token": \${${TOKEN}}}'\n`],
  ] as const) {
    it(`is not repeated in preview's message (${row})`, () => {
      const dir = path.join(root, "receivers");
      fs.mkdirSync(dir);
      const statuses = row === "in template" ? "statuses: [FAILED]\n" : "";
      fs.writeFileSync(
        path.join(dir, "github.yaml"),
        `projects: [my-app]\n${statuses}url: { secret: hookUrl }\nheaders: { secret: hookHeaders }\n${template}`,
      );
      const config: Record<string, string> = {
        hookUrl: "https://api.example.com/hooks",
        hookHeaders: '{"Content-Type": "application/json"}',
      };
      let message = "";
      try {
        loadReceivers(dir, (key) => (key in config ? { value: config[key], secret: true } : undefined), {
          relativeTo: root,
        });
      } catch (error) {
        assert.ok(error instanceof ReceiverConfigError, String(error));
        message = error.message;
      }
      assert.ok(message !== "", "the template is not JSON, so preview refuses it");
      assert.ok(!message.includes(TOKEN.slice(4)), `preview repeated the token: ${message}`);
    });
  }
});
