import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { loadReceivers } from "../src/receivers/loadReceivers";

const ROOT = path.join(__dirname, "..");
const DOCS = path.join(ROOT, "docs");

/** The README, BENCHMARKS.md and every page of the manual. */
function pages(): string[] {
  return [
    path.join(ROOT, "README.md"),
    path.join(ROOT, "BENCHMARKS.md"),
    ...fs
      .readdirSync(DOCS)
      .filter((name) => name.endsWith(".md"))
      .map((name) => path.join(DOCS, name)),
  ];
}

/** The text outside fenced code blocks, where Markdown links live. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

function anchorsIn(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of prose(fs.readFileSync(file, "utf8")).matchAll(/^#{1,6} (.+)$/gm)) {
    const anchor = anchorOf(heading);
    const count = seen.get(anchor) ?? 0;
    seen.set(anchor, count + 1);
    anchors.add(count === 0 ? anchor : `${anchor}-${count}`);
  }
  return anchors;
}

/** The fenced YAML blocks of a page that are receiver files (they name `projects`). */
function receiverExamples(file: string): { name: string; text: string }[] {
  const blocks = [...fs.readFileSync(file, "utf8").matchAll(/^```yaml\n([\s\S]*?)^```$/gm)];
  return blocks
    .map(([, text], index) => ({
      name: /^# receivers\/([\w.-]+)\.ya?ml$/m.exec(text)?.[1] ?? `example-${index}`,
      text,
    }))
    .filter(({ text }) => /^projects:/m.test(text));
}

/** Values a stack would hold for the config keys a receiver file names, judged by the field naming them. */
function stackConfigFor(receiverFile: string): Map<string, string> {
  const values = new Map<string, string>();
  type Reference = { secret?: unknown } | undefined;
  const fields = (parse(receiverFile) ?? {}) as Record<string, Reference> & {
    oauth?: Record<string, Reference>;
    secrets?: Record<string, Reference>;
  };
  const set = (reference: Reference, value: string) => {
    const key = reference?.secret;
    if (typeof key === "string") values.set(key, value);
  };
  set(fields.url, "https://receiver.example.com/hooks/build");
  set(fields.headers, JSON.stringify({ Authorization: "Bearer example" }));
  set(fields.signingSecret, `whsec_${Buffer.alloc(32, 7).toString("base64")}`);
  set(fields.oauth?.tokenUrl, "https://login.example.com/oauth2/token");
  set(fields.oauth?.clientId, "example-client-id");
  set(fields.oauth?.clientSecret, "example-client-secret");
  for (const reference of Object.values(fields.secrets ?? {})) set(reference, "example-secret-value");
  return values;
}

describe("the manual", () => {
  it("links only to files and headings that exist", () => {
    const broken: string[] = [];
    for (const page of pages()) {
      for (const [, target] of prose(fs.readFileSync(page, "utf8")).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target)) continue;
        const [file, anchor] = target.split("#");
        const linked = file === "" ? page : path.resolve(path.dirname(page), file);
        const where = `${path.relative(ROOT, page)} → ${target}`;
        if (!fs.existsSync(linked)) broken.push(`${where}: no such file`);
        else if (anchor !== undefined && linked.endsWith(".md") && !anchorsIn(linked).has(anchor)) {
          broken.push(`${where}: no such heading`);
        }
      }
    }
    assert.deepEqual(broken, []);
  });

  it("links every page of the manual from the README", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const unlinked = fs
      .readdirSync(DOCS)
      .filter((name) => name.endsWith(".md") && !readme.includes(`](docs/${name})`));
    assert.deepEqual(unlinked, []);
  });

  it("shows receiver files that pass the validation preview runs", () => {
    const examples = pages().flatMap((page) =>
      receiverExamples(page).map((example) => ({ ...example, page: path.relative(ROOT, page) })),
    );
    assert.ok(examples.length >= 3, `found ${examples.length} receiver examples`);
    for (const example of examples) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "docs-receiver-"));
      try {
        fs.writeFileSync(path.join(dir, `${example.name}.yaml`), example.text);
        const config = stackConfigFor(example.text);
        assert.doesNotThrow(
          () =>
            loadReceivers(dir, (key) =>
              config.has(key) ? { value: config.get(key) ?? "", secret: true } : undefined,
            ),
          `${example.page}: the example ${example.name} fails validation`,
        );
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
