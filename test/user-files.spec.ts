import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PROJECT_ROOT, readStackFile } from "../local/stackConfig";
import { runInShell } from "./support/npmCommand";
import { projectClone } from "./support/projectClone";
import { SHIPPED, SHIPPED_RECEIVERS } from "./support/specStack";
import { takeUserFileReads } from "./support/userFiles";

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
  it("npm test's lint checks the product's files only: not a user's CI workflow, receiver notes or scripts", async function () {
    // Three runs of the linters over the whole clone.
    this.timeout(180_000);
    const clone = projectClone();
    // The clone leaves out the project's dot files; npm test's lint reads these.
    const lintConfig = [".prettierignore", ".prettierrc.json"];
    const userFiles = {
      ".github/workflows/node.js.yml": USER_WORKFLOW,
      ".github/scripts/notify.js": "var unused = 1\n",
      "receivers/README.md": "#  Our receivers\n*   jira-failures:   the ops board\n",
      "receivers/prod/team-chat.yaml": "projects:   [web-api]\n",
    };
    for (const name of lintConfig) fs.copyFileSync(path.join(PROJECT_ROOT, name), path.join(clone, name));
    for (const [file, text] of Object.entries(userFiles)) {
      fs.mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
      fs.writeFileSync(path.join(clone, file), text);
    }
    try {
      // The prettier half of `npm run lint`, as npm test runs it in the fork; then ESLint on the user's files.
      const prettier = await runInShell("npx prettier --check .");
      assert.equal(prettier.code, 0, prettier.stdout + prettier.stderr);
      const eslint = await runInShell("npx eslint .github/scripts/notify.js");
      assert.equal(eslint.code, 0, eslint.stdout + eslint.stderr);
      // The product's files stay checked: a misformatted one fails.
      const preset = path.join(clone, "receivers", "examples", "slack.yaml");
      const shipped = fs.readFileSync(preset, "utf8");
      fs.writeFileSync(preset, shipped.replace(/^projects: /m, "projects:    "));
      try {
        const misformatted = await runInShell("npx prettier --check receivers");
        assert.equal(misformatted.code, 1);
        assert.match(misformatted.stdout + misformatted.stderr, /receivers\/examples\/slack\.yaml/);
      } finally {
        fs.writeFileSync(preset, shipped);
      }
    } finally {
      for (const name of [...lintConfig, ".github", "receivers/README.md", "receivers/prod"]) {
        fs.rmSync(path.join(clone, name), { recursive: true, force: true });
      }
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
