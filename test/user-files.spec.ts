import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PROJECT_ROOT, readStackFile } from "../local/stackConfig";
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
