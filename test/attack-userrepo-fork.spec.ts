import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../local/stackConfig";
import { runInShell } from "./support/npmCommand";
import { projectClone } from "./support/projectClone";

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

describe("attack: a fork's own files leave npm test passing", () => {
  it("a user's own CI workflow file (GitHub's starter style) does not fail npm test's lint", async () => {
    const clone = projectClone();
    // The clone leaves out the project's dot files; npm test's lint reads these two.
    const added = [".prettierignore", ".prettierrc.json", ".github"].map((name) => path.join(clone, name));
    for (const name of [".prettierignore", ".prettierrc.json"]) {
      fs.copyFileSync(path.join(PROJECT_ROOT, name), path.join(clone, name));
    }
    fs.mkdirSync(path.join(clone, ".github", "workflows"), { recursive: true });
    fs.writeFileSync(path.join(clone, ".github", "workflows", "node.js.yml"), USER_WORKFLOW);
    try {
      // The prettier half of `npm run lint`, as npm test runs it in the fork.
      const run = await runInShell("npx prettier --check .");
      assert.equal(run.code, 0, run.stdout + run.stderr);
    } finally {
      for (const file of added) fs.rmSync(file, { recursive: true, force: true });
    }
  });

  it("a fork whose Pulumi.yaml turns receiverFailureAlarms off by default passes the product's specs", async () => {
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
      // The product's own spec, run in the fork as its npm test runs it.
      const run = await runInShell("npx mocha test/program-metrics.spec.ts -g 'two projects'");
      assert.equal(run.code, 0, run.stdout + run.stderr);
    } finally {
      fs.writeFileSync(pulumiYaml, original);
      fs.rmSync(path.join(clone, ".mocharc.json"), { force: true });
    }
  });
});
