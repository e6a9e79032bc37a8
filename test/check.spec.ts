import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { StackCheckJson as CheckJson } from "../local/stackCheck";
import { runProgramUnderMocks, type ProgramRun } from "../local/programUnderMocks";
import { PROJECT_ROOT } from "../local/stackConfig";
import { installFixtureStack, type FixtureStack } from "./support/fixtureStack";
import { runInShell, runNpm, runScript, type CommandRun } from "./support/npmCommand";
import { ofType } from "./support/programResources";
import { withWarnings } from "./support/programWarnings";
import { RECEIVER_SECRETS, RECEIVER_SECRET_KEYS, SHIPPED_RECEIVERS, SPEC_STACK } from "./support/specStack";
import {
  encryptedSecrets,
  namespacedConfig,
  PATH_SECRET_HEADERS,
  RENAMED_PROJECT,
  renameCloneProject,
  writeCloneStack,
} from "./support/userRepoStacks";

const FIXTURES = path.join(__dirname, "fixtures", "check");
const RECEIVERS = "test/fixtures/check/receivers";

/** `npm run -s check -- <args>`, its script line run as npm runs it (runScript). */
function runCheck(args: string[]): Promise<CommandRun> {
  return runScript("check", args);
}

/** The stack's receivers deployed under mocks, with values for its secrets: what preview would run. */
function previewOf(config: Record<string, string>, secretKeys: string[]): Promise<ProgramRun> {
  return runProgramUnderMocks({
    stack: SPEC_STACK,
    config: {
      receiversDir: RECEIVERS,
      parameterPath: "/webhooks/payments/",
      metricsNamespace: "CodeBuildWebhooks/payments",
      ...config,
    },
    secretKeys: secretKeys.map((key) => `codebuild-webhooks:${key}`),
  });
}

/** A line preview prints, with the `pulumi config set` command it suggests naming `stack`, as npm run check prints it. */
function onStack(stack: string) {
  return (line: string) => line.replace(/pulumi config set( --secret)? /, `$&--stack ${stack} `);
}

const WARNING = {
  file: `${RECEIVERS}/builds-chat.yaml`,
  files: [`${RECEIVERS}/builds-chat.yaml`],
  field: "template",
  line: 5,
  column: null,
};

describe("npm run check", () => {
  const stacks: Record<string, FixtureStack> = {};

  before(() => {
    for (const name of ["good", "bad", "badsettings", "perbuild"]) {
      stacks[name] = installFixtureStack(path.join(FIXTURES, `Pulumi.${name}.yaml`));
    }
  });

  after(() => {
    for (const stack of Object.values(stacks)) stack.remove();
  });

  it("accepts a stack whose every receiver secret is set with --secret, exit code 0, and says what it left to preview", async () => {
    // Through npm itself, as a CI step runs it.
    const run = await runNpm(["run", "--silent", "check", "--", "--stack", "good"]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const lines = run.stdout.trimEnd().split("\n");
    assert.match(
      lines[0],
      /^warning: test\/fixtures\/check\/receivers\/builds-chat\.yaml: template \(line 5\): \$PROJCT /,
    );
    assert.deepEqual(lines.slice(-5), [
      "Left to pulumi preview, which reads what Pulumi.good.yaml holds encrypted (and that each key serves " +
        "receivers of one origin):",
      `  ${RECEIVERS}/builds-chat.yaml: url.secret (line 4): codebuild-webhooks:buildsChatUrl: an absolute ` +
        "http(s) URL (https for a receiver with oauth)",
      `  ${RECEIVERS}/team-jira.yaml: url.secret (line 4): codebuild-webhooks:teamJiraUrl: an absolute ` +
        "http(s) URL (https for a receiver with oauth)",
      `  ${RECEIVERS}/team-jira.yaml: headers.secret (line 5): codebuild-webhooks:teamJiraHeaders: a JSON ` +
        "object of header names to string values HTTP allows, without line breaks; its Content-Type says " +
        "whether the template must be JSON",
      "pulumi preview would accept stack good, with 1 warning.",
    ]);
    assert.equal(run.stderr, "");
  });

  it("refuses a receiver secret not set, or set without --secret, naming the key and the command, exit code 1", async () => {
    const run = await runCheck(["--stack", "bad"]);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const problems = [
      `${RECEIVERS}/builds-chat.yaml: url.secret (line 4): config "codebuild-webhooks:buildsChatUrl" is set ` +
        "without --secret, so its value is stored in plain text in the stack's Pulumi.<stack>.yaml; set it " +
        "again as a secret: pulumi config set --secret codebuild-webhooks:buildsChatUrl <value>",
      `${RECEIVERS}/team-jira.yaml: headers.secret (line 5): config "codebuild-webhooks:teamJiraHeaders" is ` +
        "not set; run: pulumi config set --secret codebuild-webhooks:teamJiraHeaders <value>",
    ];
    // Preview's lines, the commands naming the stack checked: they set the key on it, whichever is selected.
    assert.deepEqual(run.stdout.split("\n").slice(0, 2), problems.map(onStack("bad")));
    assert.match(run.stdout, /\npulumi preview would refuse stack bad: 2 problems\.\n$/);

    // Preview's own messages: the program refuses the same stack with the same lines.
    await assert.rejects(
      previewOf(
        {
          teamJiraUrl: "https://jira.example.com/rest/api/2/issue",
          buildsChatUrl: "https://chat.example.com/hooks/builds",
        },
        ["teamJiraUrl"],
      ),
      (error: Error & { problems?: string[] }) => {
        assert.deepEqual(error.problems, problems);
        return true;
      },
    );
  });

  it("prints JSON alone on stdout for the --json command line docs/receivers.md gives, typed as it is there", async () => {
    const page = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "receivers.md"), "utf8");
    const line = page.split("\n").find((text) => text.startsWith("npm ") && text.includes("--json"));
    assert.ok(line, "docs/receivers.md gives a --json command line");
    const run = await runInShell(line.replace("--stack prod", "--stack good"));
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal((JSON.parse(run.stdout) as CheckJson).accepted, true);
  });

  it("--json prints problems, warnings and the checks left to preview with file, field, line and message", async () => {
    const bad = await runCheck(["--stack", "bad", "--json"]);
    assert.equal(bad.code, 1, bad.stderr);
    const result = JSON.parse(bad.stdout) as CheckJson;
    assert.deepEqual(Object.keys(result), [
      "stack",
      "stackFile",
      "accepted",
      "problems",
      "warnings",
      "leftToPreview",
    ]);
    assert.equal(result.stack, "bad");
    assert.equal(result.stackFile, "Pulumi.bad.yaml");
    assert.equal(result.accepted, false);
    assert.deepEqual(
      result.problems.map((problem) => ({ ...problem, text: undefined })),
      [
        {
          file: `${RECEIVERS}/builds-chat.yaml`,
          files: [`${RECEIVERS}/builds-chat.yaml`],
          field: "url.secret",
          line: 4,
          column: null,
          message:
            'config "codebuild-webhooks:buildsChatUrl" is set without --secret, so its value is stored in plain ' +
            "text in the stack's Pulumi.<stack>.yaml; set it again as a secret: pulumi config set --secret " +
            "--stack bad codebuild-webhooks:buildsChatUrl <value>",
          text: undefined,
        },
        {
          file: `${RECEIVERS}/team-jira.yaml`,
          files: [`${RECEIVERS}/team-jira.yaml`],
          field: "headers.secret",
          line: 5,
          column: null,
          message:
            'config "codebuild-webhooks:teamJiraHeaders" is not set; run: pulumi config set --secret ' +
            "--stack bad codebuild-webhooks:teamJiraHeaders <value>",
          text: undefined,
        },
      ],
    );
    // A refused stack has no warnings: preview stops at its problems.
    assert.deepEqual(result.warnings, []);
    assert.deepEqual(result.leftToPreview, [
      {
        file: `${RECEIVERS}/team-jira.yaml`,
        field: "url.secret",
        line: 4,
        key: "codebuild-webhooks:teamJiraUrl",
        checks: "an absolute http(s) URL (https for a receiver with oauth)",
      },
    ]);

    const good = JSON.parse((await runCheck(["--stack", "good", "--json"])).stdout) as CheckJson;
    assert.equal(good.accepted, true);
    assert.deepEqual(good.problems, []);
    assert.equal(good.warnings.length, 1);
    const { message, text, ...where } = good.warnings[0];
    assert.deepEqual(where, WARNING);
    assert.match(
      message,
      /^\$PROJCT at line 1 of the template is not a built-in placeholder \(did you mean \$PROJECT/,
    );
    assert.equal(text, `${WARNING.file}: template (line 5): ${message}`);
    assert.deepEqual(
      good.leftToPreview.map((entry) => entry.key),
      [
        "codebuild-webhooks:buildsChatUrl",
        "codebuild-webhooks:teamJiraUrl",
        "codebuild-webhooks:teamJiraHeaders",
      ],
    );
  });

  it("refuses a per-build receiver as preview does: a post naming what its answer gives, an answer value of no JSON type", async () => {
    const run = await runCheck(["--stack", "perbuild"]);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const file = "test/fixtures/check/per-build-receivers/build-messages.yaml";
    assert.deepEqual(run.stdout.split("\n").slice(0, 2), [
      `${file}: answer.ok (line 4): expected the value the field must hold, a string, number or boolean (e.g. ok: true), got a list`,
      `${file}: perBuild.post.template (line 8): $MESSAGE_TS at line 1 of the template is a value perBuild.post ` +
        "remembers from an answer, and post is the build's first request: nothing is remembered when it is sent, " +
        "so it could never be filled here",
    ]);
    assert.match(run.stdout, /\npulumi preview would refuse stack perbuild: 2 problems\.\n$/);
  });

  it("refuses a stack setting as preview does, naming the key and its line in the stack file", async () => {
    const run = await runCheck(["--stack", "badsettings", "--json"]);
    assert.equal(run.code, 1, run.stderr);
    const [problem] = (JSON.parse(run.stdout) as CheckJson).problems;
    assert.deepEqual(
      { file: problem.file, field: problem.field, line: problem.line },
      { file: "Pulumi.badsettings.yaml", field: "codebuild-webhooks:parameterPath", line: 5 },
    );
    assert.match(
      problem.message,
      /^codebuild-webhooks:parameterPath "\/hooks\/payments\/" cannot name the receivers' parameters:\n/,
    );
  });

  it("names the stack file it cannot find, exit code 1", async () => {
    const run = await runCheck(["--stack", "prod"]);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /^--stack prod: Pulumi\.prod\.yaml does not exist; the stacks with a settings file here are: /,
    );
    assert.equal(run.stdout, "");
  });

  describe("--import", () => {
    it("prints the pulumi import commands for a receiver's parameters and items, named as the program names them", async () => {
      const run = await runCheck(["--stack", "good", "--import", "team-jira"]);
      assert.equal(run.code, 0, run.stderr);
      const [heading, ...commands] = run.stdout.trimEnd().split("\n");
      assert.match(heading, /^# test\/fixtures\/check\/receivers\/team-jira\.yaml: /);
      const imports = commands.map((command) => {
        const match =
          /^pulumi import --stack good --protect=false --generate-code=false --yes (\S+) (\S+) (.+)$/.exec(
            command,
          );
        assert.ok(match, command);
        return { type: match[1], name: match[2], id: match[3] };
      });

      // The program, under mocks, with the stack's receivers and parameterPath: the resources it declares
      // for the receiver are exactly those the commands import, under the same type and name.
      // Its warning (builds-chat's $PROJCT) is the one npm run check gives; it is not the point here.
      const { result: preview } = await withWarnings(() =>
        previewOf(
          {
            teamJiraUrl: "https://jira.example.com/rest/api/2/issue",
            teamJiraHeaders: '{"Authorization": "Basic dGVhbTpqaXJh"}',
            buildsChatUrl: "https://chat.example.com/hooks/builds",
          },
          ["teamJiraUrl", "teamJiraHeaders", "buildsChatUrl"],
        ),
      );
      const declared = [
        ...ofType(preview, "aws:ssm/parameter:Parameter"),
        ...ofType(preview, "aws:dynamodb/tableItem:TableItem"),
      ].filter((resource) => resource.name.startsWith("team-jira/"));
      assert.deepEqual(
        imports.map(({ type, name }) => `${type}::${name}`).sort(),
        declared.map(({ type, name }) => `${type}::${name}`).sort(),
      );
      for (const { type, name, id } of imports) {
        const resource = declared.find((candidate) => candidate.type === type && candidate.name === name);
        if (type === "aws:ssm/parameter:Parameter") {
          assert.equal(id, resource?.inputs.name, name);
        } else {
          // <table name>,<hash key value>,<range key value>; the table's name is the stack output.
          const item = JSON.parse(resource?.inputs.item as string) as Record<string, { S: string }>;
          assert.equal(resource?.inputs.tableName, preview.outputs.tableName);
          assert.equal(
            id,
            `"$(pulumi stack output --stack good tableName),${item.project.S},${item.hook_url_param_name.S}"`,
          );
        }
      }
      assert.deepEqual(
        imports.map(({ id }) => id),
        [
          "/webhooks/payments/team-jira/url",
          "/webhooks/payments/team-jira/headers",
          '"$(pulumi stack output --stack good tableName),payments-api,/webhooks/payments/team-jira/url"',
          '"$(pulumi stack output --stack good tableName),billing,/webhooks/payments/team-jira/url"',
        ],
      );
    });

    it("names the receivers there are when asked for another, exit code 1", async () => {
      const run = await runCheck(["--stack", "good", "--import", "team-jria"]);
      assert.equal(run.code, 1);
      assert.equal(
        run.stderr,
        "--import team-jria: no receiver file of stack good names it; the receivers are: builds-chat, team-jira\n",
      );
    });
  });

  describe("reads a stack as the Pulumi CLI does", () => {
    it("accepts a headers secret set with `pulumi config set --path --secret`, which preview accepts", async () => {
      const remove = writeCloneStack("pathsecret", PATH_SECRET_HEADERS);
      try {
        // What preview runs: the same receivers, the headers key a secret holding the decrypted object.
        await runProgramUnderMocks({
          stack: SPEC_STACK,
          config: {
            receiversDir: SHIPPED_RECEIVERS,
            ...RECEIVER_SECRETS,
            jiraAuthHeaders: JSON.stringify({ Authorization: "Basic amlyYS1oZWFkZXItc2VjcmV0" }),
          },
          secretKeys: RECEIVER_SECRET_KEYS,
        });
        const run = await runCheck(["--stack", "pathsecret"]);
        assert.doesNotMatch(run.stdout, /jiraAuthHeaders" is set without --secret/);
        assert.equal(run.code, 0, run.stdout + run.stderr);
      } finally {
        remove();
      }
    });

    it("checks a project renamed in Pulumi.yaml (a second copy in one account) in its own namespace, as preview does", async () => {
      const restore = renameCloneProject(RENAMED_PROJECT);
      const remove = writeCloneStack("renamed", encryptedSecrets(RENAMED_PROJECT));
      try {
        // Preview of the renamed project reads its keys in its own namespace, and accepts them.
        await runProgramUnderMocks({
          stack: SPEC_STACK,
          project: RENAMED_PROJECT,
          ...namespacedConfig(RENAMED_PROJECT),
        });
        const run = await runCheck(["--stack", "renamed"]);
        assert.doesNotMatch(run.stdout, /codebuild-webhooks:/);
        assert.equal(run.code, 0, run.stdout + run.stderr);

        // A secret it lacks is named in its namespace, with the command that sets it on the stack checked.
        writeCloneStack("renamed", encryptedSecrets(RENAMED_PROJECT).slice(0, 4));
        const lacking = await runCheck(["--stack", "renamed"]);
        assert.equal(lacking.code, 1, lacking.stdout + lacking.stderr);
        assert.equal(
          lacking.stdout.split("\n")[0],
          `receivers/slack-builds.yaml: url.secret (line 7): config "${RENAMED_PROJECT}:slackWebhookUrl" is not ` +
            `set; run: pulumi config set --secret --stack renamed ${RENAMED_PROJECT}:slackWebhookUrl <value>`,
        );
      } finally {
        restore();
        remove();
      }
    });

    it("names the stack file and line of a YAML error in it, without a stack trace, and --json still prints JSON", async () => {
      const remove = writeCloneStack("badyaml", [
        "  codebuild-webhooks:slackWebhookUrl:",
        "    secure: v1:eeee:ffff",
        "   codebuild-webhooks:jiraIssuesUrl: misindented",
      ]);
      try {
        const text = await runCheck(["--stack", "badyaml"]);
        assert.equal(text.code, 1);
        assert.match(text.stdout, /^Pulumi\.badyaml\.yaml: line 5, column 1: not YAML: /);
        assert.doesNotMatch(text.stderr, /\n\s+at /, "a stack trace, as for a bug");
        const json = await runCheck(["--stack", "badyaml", "--json"]);
        assert.equal(json.code, 1);
        const parsed = JSON.parse(json.stdout) as CheckJson;
        assert.equal(parsed.accepted, false);
        assert.deepEqual(
          parsed.problems.map(({ file, line }) => ({ file, line })),
          [{ file: "Pulumi.badyaml.yaml", line: 5 }],
        );
      } finally {
        remove();
      }
    });

    it("names Pulumi.yaml and the line of a YAML error in it, exit code 1", async () => {
      const restore = renameCloneProject("codebuild-webhooks\nname: twice");
      try {
        const run = await runCheck(["--stack", "dev", "--json"]);
        assert.equal(run.code, 1, run.stdout + run.stderr);
        const [problem] = (JSON.parse(run.stdout) as CheckJson).problems;
        assert.deepEqual({ file: problem.file, line: problem.line }, { file: "Pulumi.yaml", line: 2 });
      } finally {
        restore();
      }
    });
  });
});
