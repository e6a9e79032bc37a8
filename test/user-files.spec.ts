import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { PROJECT_ROOT, readStackFile } from "../local/stackConfig";
import { runInShell, runNpm } from "./support/npmCommand";
import { projectClone } from "./support/projectClone";
import { SHIPPED, SHIPPED_RECEIVERS } from "./support/specStack";
import { PRODUCT_RECEIVER_FILES, takeUserFileReads } from "./support/userFiles";

// A user forks the project to hold their own receivers and stacks, and keeps `npm test` in their CI: no
// spec may depend on the files they replace (docs/development.md).
describe("the user's own files", () => {
  it("are never read by a spec: a read fails the test, naming the file", () => {
    const userFiles = [
      "receivers/team-jira.yaml",
      "receivers/prod/slack-builds.yml",
      "Pulumi.dev.yaml",
      "Pulumi.prod.yaml",
      ".webhooks.local.env",
    ];
    for (const file of userFiles) {
      assert.throws(
        () => fs.readFileSync(path.join(PROJECT_ROOT, file)),
        new RegExp(`^Error: A spec read ${file.replace(/\./g, "\\.")}, which is the user's`),
      );
    }
    assert.deepEqual(takeUserFileReads(), userFiles, "each read is recorded, for the test to fail on");

    // The product's own files beside them stay readable.
    for (const file of ["receivers/examples/slack.yaml", "receivers/receiver.schema.json", "Pulumi.yaml"]) {
      assert.ok(fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8").length > 0, file);
    }
    assert.deepEqual(takeUserFileReads(), []);
  });

  it("are not in the clone the specs run commands in: it holds the product's files and what the product ships", () => {
    const clone = projectClone();
    const receiverFiles = fs.readdirSync(path.join(clone, "receivers")).sort();
    assert.deepEqual(receiverFiles, [
      "examples",
      "jira-failures.yaml",
      "receiver.schema.json",
      "slack-builds.yaml",
    ]);
    for (const file of ["jira-failures.yaml", "slack-builds.yaml"]) {
      assert.equal(
        fs.readFileSync(path.join(clone, "receivers", file), "utf8"),
        fs.readFileSync(path.join(SHIPPED_RECEIVERS, file), "utf8"),
        `receivers/${file} is the one the product ships`,
      );
    }
    const stackFiles = fs.readdirSync(clone).filter((name) => /^Pulumi\..+\.yaml$/.test(name));
    assert.deepEqual(
      stackFiles.filter((name) => name !== "Pulumi.fixture.yaml"),
      ["Pulumi.dev.yaml"],
    );
    assert.equal(
      fs.readFileSync(path.join(clone, "Pulumi.dev.yaml"), "utf8"),
      fs.readFileSync(path.join(SHIPPED, "Pulumi.dev.yaml"), "utf8"),
    );
    assert.ok(!fs.existsSync(path.join(clone, ".webhooks.local.env")), "no local secrets");
    for (const file of ["index.ts", "src/receivers/loadReceivers.ts", "Pulumi.yaml", "package.json"]) {
      assert.equal(
        fs.readFileSync(path.join(clone, file), "utf8"),
        fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8"),
        `${file} is the product's`,
      );
    }
  });

  it("leave the specs' stack as the product ships it: every setting of Pulumi.yaml at the default the manual gives", () => {
    // Pulumi.yaml's defaults are the user's to change too; the specs' stack writes each setting out.
    const declared = Object.keys(
      (parse(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as { config: object }).config,
    );
    const settings = readStackFile(path.join(SHIPPED, "Pulumi.dev.yaml"));
    const manual = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "settings.md"), "utf8");
    const documented = new Map(
      [...manual.matchAll(/^\| `(\w+)` +\| ([^|]+?) +\|/gm)].map(([, key, value]) => [key, value]),
    );
    for (const key of declared) {
      const setting = settings.get(`codebuild-webhooks:${key}`);
      assert.ok(setting && !setting.encrypted, `test/fixtures/shipped/Pulumi.dev.yaml sets ${key}`);
      const value = setting.value === "" || setting.value === "-1" ? "(none)" : `\`${setting.value}\``;
      assert.equal(documented.get(key)?.replace(/^`-1` \(none\)$/, "(none)"), value, key);
    }
  });
});

/** A CI workflow in the style of GitHub's own "Node.js CI" starter, as a user adds it to their fork. */
const USER_WORKFLOW = `name: Node.js CI

on:
  push:
    branches: [ "main" ]
  pull_request:
    branches: [ "main" ]

jobs:
  build:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        node-version: [ 20.x, 22.x, 24.x ]
    steps:
    - uses: actions/checkout@v4
    - uses: actions/setup-node@v4
      with:
        node-version: \${{ matrix.node-version }}
        cache: 'npm'
    - run: npm ci
    - run: npm run check -- --stack prod
    - run: npm test
`;

describe("a fork's own files leave npm test passing", () => {
  it("npm test's lint checks the product's files only: not a user's CI workflow, editor settings, receiver notes or scripts", async () => {
    // The fork holds what decides the lint's reach and verdict: its configuration, the files at the top
    // (TypeScript, Markdown, JSON and YAML among them) and receivers/ with the product's presets, beside
    // the user's files. The product's other folders are those `npm run lint` checks in this same npm
    // test; the installed packages are the project's.
    const fork = fs.mkdtempSync(path.join(os.tmpdir(), "codebuild-webhooks-fork-"));
    const productFiles = [
      "index.ts",
      "README.md",
      "package.json",
      "Pulumi.yaml",
      "eslint.config.mjs",
      ".prettierignore",
      ".prettierrc.json",
      ...PRODUCT_RECEIVER_FILES.map((name) => path.join("receivers", name)),
    ];
    const userFiles = {
      // An editor setting of the user's own, which Prettier reads: it must not change the product's format.
      ".editorconfig":
        "root = true\n\n[*]\nindent_style = tab\nindent_size = 8\nmax_line_length = 60\n" +
        "end_of_line = crlf\nquote_type = single\n",
      ".github/workflows/node.js.yml": USER_WORKFLOW,
      ".github/scripts/notify.js": "var unused = 1\n",
      // Tool settings and scripts of the user's own at the top, as commitlint's and lint-staged's guides
      // write them.
      "commitlint.config.js": 'module.exports = { extends: ["@commitlint/config-conventional"] };\n',
      ".lintstagedrc.js": 'module.exports = { "*.ts": "eslint --fix" };\n',
      "tools/notify.js": "const url = process.env.HOOK;\n",
      "receivers/README.md": "#  Our receivers\n*   jira-failures:   the ops board\n",
      "receivers/team-jira.yaml": "projects:   [web-api]\n",
      "receivers/prod/team-chat.yaml": "projects:   [web-api]\n",
    };
    try {
      for (const file of productFiles) {
        fs.cpSync(path.join(PROJECT_ROOT, file), path.join(fork, file), { recursive: true });
      }
      fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(fork, "node_modules"));
      for (const [file, text] of Object.entries(userFiles)) {
        fs.mkdirSync(path.dirname(path.join(fork, file)), { recursive: true });
        fs.writeFileSync(path.join(fork, file), text);
      }
      const lint = await runNpm(["run", "lint"], {}, fork);
      assert.equal(lint.code, 0, lint.stdout + lint.stderr);
      assert.match(lint.stdout, /All matched files use Prettier code style!/);

      // The product's files stay checked: a misformatted one fails.
      const preset = path.join(fork, "receivers", "examples", "slack.yaml");
      fs.writeFileSync(preset, fs.readFileSync(preset, "utf8").replace(/^projects: /m, "projects:    "));
      const misformatted = await runNpm(["run", "lint"], {}, fork);
      assert.equal(misformatted.code, 1);
      assert.match(misformatted.stdout + misformatted.stderr, /\[warn\] receivers\/examples\/slack\.yaml/);
      assert.doesNotMatch(
        misformatted.stdout + misformatted.stderr,
        /team-jira|team-chat|receivers\/README|\.github|commitlint|lintstagedrc|notify/,
      );
    } finally {
      fs.rmSync(fork, { recursive: true, force: true });
    }
  });

  it("a fork whose Pulumi.yaml turns receiverFailureAlarms off by default passes the product's specs", async function () {
    // A mocha run of its own, deploying two stacks.
    this.timeout(180_000);
    const clone = projectClone();
    const pulumiYaml = path.join(clone, "Pulumi.yaml");
    const original = fs.readFileSync(pulumiYaml, "utf8");
    // docs/development.md: Pulumi.yaml's defaults are the user's, "which a user may change".
    const changed = original.replace(
      /(targets as the other alarms\. false for none\.\n\s+default: )true/,
      "$1false",
    );
    assert.notEqual(changed, original);
    fs.writeFileSync(pulumiYaml, changed);
    fs.copyFileSync(path.join(PROJECT_ROOT, ".mocharc.json"), path.join(clone, ".mocharc.json"));
    try {
      // The product's own specs of two projects' stacks, run in the fork as its npm test runs them.
      const run = await runInShell("npx mocha test/program-metrics.spec.ts -g 'two projects'");
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /2 passing/);
    } finally {
      fs.writeFileSync(pulumiYaml, original);
      fs.rmSync(path.join(clone, ".mocharc.json"), { force: true });
    }
  });
});
