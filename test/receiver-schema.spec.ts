import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv from "ajv";
import fc from "fast-check";
import { parse } from "yaml";
import { BUILD_STATUSES } from "../src/shared/buildStatuses";
import { receiverFileSchema } from "../src/receivers/receiverSchema";
import { RECEIVER_SCHEMA_FILE, receiverSchemaText } from "../scripts/receiver-schema";
import { SHIPPED_RECEIVERS } from "./support/specStack";

const RECEIVERS = path.resolve(__dirname, "..", "receivers");
const SCHEMA_LINE = /^# yaml-language-server: \$schema=(\S+)\n/;

/** The JSON Schema as an editor reads it: the committed file. */
function committedSchema(): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(RECEIVER_SCHEMA_FILE, "utf8"));
}

/** A draft-07 validator, the draft the YAML language server implements. */
function editorValidator() {
  return new Ajv({ allErrors: true }).compile(committedSchema());
}

/** The receiver files the product ships, each with the folder it ships in: the presets, and receivers/. */
function shippedReceiverFiles(): { file: string; shippedIn: string }[] {
  const inFolder = (dir: string, shippedIn: string) =>
    fs
      .readdirSync(dir)
      .filter((name) => /\.ya?ml$/.test(name))
      .map((name) => ({ file: path.join(dir, name), shippedIn }));
  return [
    ...inFolder(SHIPPED_RECEIVERS, RECEIVERS),
    ...inFolder(path.join(RECEIVERS, "examples"), path.join(RECEIVERS, "examples")),
  ];
}

describe("the receiver file JSON Schema (receivers/receiver.schema.json)", () => {
  it("is what npm run receiver-schema writes from the deploy's schema", async () => {
    assert.equal(
      fs.readFileSync(RECEIVER_SCHEMA_FILE, "utf8"),
      await receiverSchemaText(),
      "receivers/receiver.schema.json is out of date: run npm run receiver-schema",
    );
  });

  it("is named on the first line of every shipped and example receiver file, and accepts each", () => {
    const validate = editorValidator();
    const files = shippedReceiverFiles();
    assert.ok(files.length >= 6, `only ${files.length} receiver files found`);
    for (const { file, shippedIn } of files) {
      const text = fs.readFileSync(file, "utf8");
      const schemaPath = SCHEMA_LINE.exec(text)?.[1];
      assert.ok(schemaPath, `${file} does not start with the yaml-language-server schema line`);
      assert.equal(path.resolve(shippedIn, schemaPath), RECEIVER_SCHEMA_FILE, file);
      assert.ok(validate(parse(text)), `${file}: ${JSON.stringify(validate.errors)}`);
    }
  });

  it("accepts every receiver the deploy accepts, so editors never flag a sound file", () => {
    const validate = editorValidator();
    /** Mostly a sound value, sometimes a near miss, so that both kinds of file come up. */
    const mostly = <T, U>(sound: fc.Arbitrary<T>, unsound: fc.Arbitrary<U>) =>
      fc.oneof({ arbitrary: sound, weight: 5 }, { arbitrary: unsound, weight: 1 });
    const secretReference = fc.record({
      secret: mostly(fc.constantFrom("hookUrl", "team-chat_1"), fc.constantFrom("", "1key", "ns:key")),
    });
    const action = fc.record(
      {
        template: mostly(fc.string(), fc.constant(null)),
        path: mostly(
          fc.constantFrom("/rest/api/2/issue", "/$KEY/comment", "/"),
          fc.constantFrom("issue", "/a?b=1", "/a#top", ""),
        ),
        method: mostly(fc.constantFrom("POST", "put"), fc.constant("GET")),
        remember: mostly(
          fc.dictionary(
            fc.constantFrom("KEY", "ALERT_ID", "_x1"),
            fc.constantFrom("key", "data.id", "items.0.key"),
          ),
          fc.dictionary(fc.constantFrom("PROJECT", "1st", "KEY"), fc.constantFrom("a..b", "", "key")),
        ),
      },
      { requiredKeys: ["template"] },
    );
    const common = fc.record(
      {
        projects: mostly(
          fc.oneof(
            fc.constant(["*"]),
            fc.uniqueArray(fc.constantFrom("my-app", "api_2", "A1"), { minLength: 1 }),
          ),
          fc.array(fc.constantFrom("my-app", "*", "a", "my app"), { maxLength: 3 }),
        ),
        url: mostly(secretReference, fc.constant("https://receiver.example/hook")),
        headers: secretReference,
        signingSecret: mostly(secretReference, fc.constant("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")),
        method: mostly(fc.constantFrom("POST", "put", "Patch"), fc.constantFrom("GET", "POSTS", "")),
        colour: fc.constant("red"),
      },
      { requiredKeys: ["projects", "url"] },
    );
    /** Told of statuses, with a template. */
    const statusesForm = fc.record(
      {
        statuses: mostly(
          fc.uniqueArray(fc.constantFrom(...BUILD_STATUSES), { minLength: 1 }),
          fc.array(fc.constantFrom("FAILED", "failed", "DONE"), { maxLength: 2 }),
        ),
        onlyOnChange: mostly(fc.boolean(), fc.constantFrom("true", 1)),
        template: mostly(fc.string(), fc.constant(null)),
      },
      { requiredKeys: [] },
    );
    /** Acting on transitions. */
    const actionsForm = fc.record({
      on: mostly(
        fc.record({ broken: action, "still-failing": action, fixed: action }, { requiredKeys: [] }),
        fc.constantFrom(null, "broken", { reopened: { template: "{}" } }),
      ),
    });
    const receiverLike = fc
      .tuple(
        common,
        fc.oneof(
          { arbitrary: statusesForm, weight: 4 },
          { arbitrary: actionsForm, weight: 4 },
          { arbitrary: fc.tuple(statusesForm, actionsForm).map(([a, b]) => ({ ...a, ...b })), weight: 1 },
        ),
      )
      .map(([fields, form]) => ({ ...fields, ...form }) as Record<string, unknown>);
    let sound = 0;
    let withActions = 0;
    fc.assert(
      fc.property(receiverLike, (file) => {
        if (!receiverFileSchema.safeParse(file).success) return;
        sound++;
        if (file.on !== undefined) withActions++;
        assert.ok(validate(file), JSON.stringify(validate.errors));
      }),
      { numRuns: 6000 },
    );
    assert.ok(sound > 30, `only ${sound} of the generated files were sound`);
    assert.ok(withActions > 10, `only ${withActions} of the sound files had actions`);
  });

  it("flags the mistakes an editor can see: unknown fields, statuses, secrets written in, methods, actions", () => {
    const validate = editorValidator();
    const minimal = { projects: ["my-app"], statuses: ["FAILED"], url: { secret: "hookUrl" } };
    assert.ok(validate(minimal), JSON.stringify(validate.errors));
    const withActions = {
      projects: ["my-app"],
      url: { secret: "hookUrl" },
      on: {
        broken: { template: "{}", remember: { KEY: "items.0.key" } },
        fixed: { template: "{}", path: "/$KEY" },
      },
    };
    assert.ok(validate(withActions), JSON.stringify(validate.errors));
    const mistakes: Record<string, unknown>[] = [
      { ...minimal, colour: "red" },
      { ...minimal, statuses: ["FAIL"] },
      { ...minimal, url: "https://hooks.slack.com/services/T000/B000/XXXX" },
      { ...minimal, signingSecret: { secret: "codebuild-webhooks:key" } },
      { ...minimal, onlyOnChange: "yes" },
      { ...minimal, method: "GET" },
      { ...minimal, projects: ["my app"] },
      { statuses: ["FAILED"], url: { secret: "hookUrl" } },
      { projects: ["my-app"], url: { secret: "hookUrl" } },
      { ...minimal, on: { broken: { template: "{}" } } },
      { projects: ["my-app"], url: { secret: "hookUrl" }, on: {} },
      { projects: ["my-app"], url: { secret: "hookUrl" }, on: { reopened: { template: "{}" } } },
      { projects: ["my-app"], url: { secret: "hookUrl" }, on: { broken: { path: "/issue" } } },
      { projects: ["my-app"], url: { secret: "hookUrl" }, on: { fixed: { template: "{}", path: "issue" } } },
      { projects: ["my-app"], url: { secret: "hookUrl" }, on: { fixed: { template: "{}", path: "/a?b=1" } } },
      {
        projects: ["my-app"],
        url: { secret: "hookUrl" },
        on: { broken: { template: "{}", remember: { PROJECT: "key" } } },
      },
      {
        projects: ["my-app"],
        url: { secret: "hookUrl" },
        on: { broken: { template: "{}", remember: { KEY: "a..b" } } },
      },
    ];
    for (const mistake of mistakes) {
      assert.equal(validate(mistake), false, JSON.stringify(mistake));
      assert.equal(receiverFileSchema.safeParse(mistake).success, false, JSON.stringify(mistake));
    }
  });

  it("describes every field, for editors to show on hover", () => {
    const undescribed: string[] = [];
    const visit = (schema: Record<string, unknown>, at: string): void => {
      if (typeof schema.description !== "string" || schema.description === "") undescribed.push(at);
      const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
      for (const [name, property] of Object.entries(properties)) visit(property, at ? `${at}.${name}` : name);
      if (schema.items) visit(schema.items as Record<string, unknown>, `${at}[]`);
    };
    visit(committedSchema(), "");
    assert.deepEqual(undescribed, []);
  });
});
