import * as assert from "node:assert/strict";
import fc from "fast-check";
import { DEFAULT_TEMPLATE, renderTemplate } from "../src/notifier/renderTemplate";

/** Characters that break naive JSON building, mixed with any UTF-16 code unit (lone surrogates too). */
const valueCharacter = fc.oneof(
  fc.constantFrom(
    '"',
    "\\",
    "/",
    "\n",
    "\r",
    "\t",
    "\b",
    "\u0000",
    "\u001f",
    "\u007f",
    "\u2028",
    "\ud800",
    "\udfff",
  ),
  fc.constantFrom("$", "{", "}", "$$", "${"),
  fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
);
const anyValue = fc.string({ unit: valueCharacter, maxLength: 24 });
const placeholderName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,11}$/);

/** A piece of a template string: literal text, or a placeholder for a name with or without a value. */
type Part = { literal: string } | { name: string; braced: boolean };

/** A JSON document whose strings are made of parts. */
type Node =
  { scalar: null | boolean | number } | { parts: Part[] } | { items: Node[] } | { entries: [string, Node][] };

/** Values for some names, plus one name that has none. */
const namesAndValues = fc
  .uniqueArray(fc.record({ name: placeholderName, value: anyValue }), {
    selector: (entry) => entry.name,
    minLength: 2,
    maxLength: 6,
  })
  .map((entries) => ({
    values: Object.fromEntries(entries.slice(1).map(({ name, value }) => [name, value])),
    unknownName: entries[0].name,
  }));

function partsFor(names: string[]): fc.Arbitrary<Part[]> {
  return fc.array(
    fc.oneof(
      fc.record({ literal: fc.string({ unit: valueCharacter, maxLength: 8 }) }),
      fc.record({ name: fc.constantFrom(...names), braced: fc.boolean() }),
    ),
    { maxLength: 6 },
  );
}

function documentFor(names: string[]): fc.Arbitrary<Node> {
  const parts = partsFor(names);
  return fc.letrec<{ node: Node }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.record({ scalar: fc.oneof(fc.constant(null), fc.boolean(), fc.integer()) }),
      fc.record({ parts }),
      fc.record({ items: fc.array(tie("node"), { maxLength: 4 }) }),
      fc.record({
        // Keys are unique, as in a template a user writes: a repeated key would drop the first value.
        entries: fc.uniqueArray(fc.tuple(fc.string({ unit: valueCharacter, maxLength: 6 }), tie("node")), {
          maxLength: 4,
          selector: ([key]) => key,
        }),
      }),
    ),
  })).node;
}

function escapeDollars(text: string): string {
  // A function, because "$$" in a replacement string would itself mean one "$".
  return text.replaceAll("$", () => "$$");
}

/** How a part is written in a template: `$` in literal text doubled, a name braced when text follows it. */
function partTemplate(parts: Part[], index: number): string {
  const part = parts[index];
  if ("literal" in part) return escapeDollars(part.literal);
  // The literal text right after the name, across adjacent literal parts (an empty one joins nothing).
  let following = "";
  for (const next of parts.slice(index + 1)) {
    if (!("literal" in next)) break;
    following += next.literal;
  }
  const textExtendsName = /^[A-Za-z0-9_]/.test(following);
  return part.braced || textExtendsName ? `\${${part.name}}` : `$${part.name}`;
}

function templateText(parts: Part[]): string {
  return parts.map((_, index) => partTemplate(parts, index)).join("");
}

/** What parts should render to: values substituted, names without a value kept as written. */
function renderedText(parts: Part[], values: Record<string, string>): string {
  return parts
    .map((part, index) => {
      if ("literal" in part) return part.literal;
      return Object.hasOwn(values, part.name) ? values[part.name] : partTemplate(parts, index);
    })
    .join("");
}

function usesName(node: Node, name: string): boolean {
  if ("parts" in node) return node.parts.some((part) => "name" in part && part.name === name);
  if ("items" in node) return node.items.some((item) => usesName(item, name));
  if ("entries" in node) return node.entries.some(([, value]) => usesName(value, name));
  return false;
}

function toJson(node: Node, renderString: (parts: Part[]) => string): unknown {
  if ("scalar" in node) return node.scalar;
  if ("parts" in node) return renderString(node.parts);
  if ("items" in node) return node.items.map((item) => toJson(item, renderString));
  return Object.fromEntries(node.entries.map(([key, value]) => [key, toJson(value, renderString)]));
}

/** Keys are literal text, written into the template with `$` doubled. */
function templateJson(node: Node): unknown {
  if ("entries" in node) {
    return Object.fromEntries(node.entries.map(([key, value]) => [escapeDollars(key), templateJson(value)]));
  }
  if ("items" in node) return node.items.map(templateJson);
  return toJson(node, templateText);
}

describe("renderTemplate", () => {
  const values = { PROJECT: "my-app", STATUS: "FAILED", BUILD_NUMBER: "43", PROJECT_x: "px" };

  it("renders the default template to the default body", () => {
    const { body, unknownNames } = renderTemplate(DEFAULT_TEMPLATE, values, "json");
    assert.equal(body, '{"text": "Build of *my-app* reached status *FAILED*"}');
    assert.deepEqual(unknownNames, []);
  });

  it("substitutes $NAME and ${NAME}, taking the longest name after a bare $", () => {
    const { body } = renderTemplate("$PROJECT/${PROJECT}_x/$PROJECT_x/${STATUS}ED", values, "text");
    assert.equal(body, "my-app/my-app_x/px/FAILEDED");
  });

  it("writes $$ as a single $ and does not read a name after it", () => {
    const { body, unknownNames } = renderTemplate("$$ $$PROJECT $$$PROJECT $${STATUS}", values, "text");
    assert.equal(body, "$ $PROJECT $my-app ${STATUS}");
    assert.deepEqual(unknownNames, []);
  });

  it("leaves a $ that starts no placeholder as written", () => {
    const template = "costs $5, ${1x} ${PROJECT ${} $-$ end$";
    const { body, unknownNames } = renderTemplate(template, values, "text");
    assert.equal(body, template);
    assert.deepEqual(unknownNames, []);
  });

  it("keeps unknown names as written and reports each once, in order", () => {
    const { body, unknownNames } = renderTemplate("$FOO ${FOO} ${BAR} $PROJECT $toString", values, "text");
    assert.equal(body, "$FOO ${FOO} ${BAR} my-app $toString");
    assert.deepEqual(unknownNames, ["FOO", "BAR", "toString"]);
  });

  it("treats names of object members as unknown unless they have a value", () => {
    const { body, unknownNames } = renderTemplate("$constructor ${__proto__}", {}, "text");
    assert.equal(body, "$constructor ${__proto__}");
    assert.deepEqual(unknownNames, ["constructor", "__proto__"]);
    assert.equal(renderTemplate("$constructor", { constructor: "c" }, "text").body, "c");
  });

  it("inserts values as they are in text mode", () => {
    const { body } = renderTemplate(
      'Build "$PROJECT": $STATUS',
      { PROJECT: 'a"b\\c\nd', STATUS: "{}" },
      "text",
    );
    assert.equal(body, 'Build "a"b\\c\nd": {}');
  });

  it("percent-encodes values in form bodies, so a value adds no field", () => {
    const { body } = renderTemplate(
      "channel=%23builds&text=$PROJECT+is+$STATUS&branch=$BRANCH",
      { PROJECT: "my app", STATUS: "FAILED", BRANCH: "main&channel=%23elsewhere" },
      "form",
    );
    assert.equal(body, "channel=%23builds&text=my%20app+is+FAILED&branch=main%26channel%3D%2523elsewhere");
    assert.deepEqual(new URLSearchParams(body).getAll("channel"), ["#builds"]);
    assert.equal(new URLSearchParams(body).get("branch"), "main&channel=%23elsewhere");
  });

  it("escapes values inside JSON strings and keeps the template's own layout", () => {
    const template =
      '{\n\t"text" :  "Build \\"$PROJECT\\"",\n  "path": "C:\\\\$STATUS",   "n": [ 1 , "$$x" ]\n}';
    const { body } = renderTemplate(template, { PROJECT: 'say "hi"\n', STATUS: "\\\u0001\ud800" }, "json");
    assert.equal(
      body,
      '{\n\t"text" :  "Build \\"say \\"hi\\"\\n\\"",\n  "path": "C:\\\\\\\\\\u0001\\ud800",   "n": [ 1 , "$x" ]\n}',
    );
    assert.deepEqual(JSON.parse(body), {
      text: 'Build "say "hi"\n"',
      path: "C:\\\\\u0001\ud800",
      n: [1, "$x"],
    });
  });

  it("inserts values as they are outside JSON strings", () => {
    const { body } = renderTemplate('{"build": $BUILD_NUMBER, "status": "$STATUS"}', values, "json");
    assert.deepEqual(JSON.parse(body), { build: 43, status: "FAILED" });
  });

  it("renders the default template to JSON holding any project and status exactly", () => {
    fc.assert(
      fc.property(anyValue, anyValue, (project, status) => {
        const { body } = renderTemplate(DEFAULT_TEMPLATE, { PROJECT: project, STATUS: status }, "json");
        assert.deepEqual(JSON.parse(body), { text: `Build of *${project}* reached status *${status}*` });
      }),
    );
  });

  it("renders any JSON template to JSON whose strings hold the values exactly", () => {
    const cases = namesAndValues.chain(({ values, unknownName }) =>
      fc.record({
        values: fc.constant(values),
        unknownName: fc.constant(unknownName),
        document: documentFor([...Object.keys(values), unknownName]),
        indent: fc.constantFrom(undefined, 2, "\t"),
      }),
    );
    fc.assert(
      fc.property(cases, ({ values, unknownName, document, indent }) => {
        const template = JSON.stringify(templateJson(document), null, indent);
        const { body, unknownNames } = renderTemplate(template, values, "json");
        assert.deepEqual(
          JSON.parse(body),
          toJson(document, (parts) => renderedText(parts, values)),
        );
        assert.deepEqual(unknownNames, usesName(document, unknownName) ? [unknownName] : []);
      }),
    );
  });

  it("renders any text template with the values inserted as they are", () => {
    const cases = namesAndValues.chain(({ values, unknownName }) =>
      fc.record({ values: fc.constant(values), parts: partsFor([...Object.keys(values), unknownName]) }),
    );
    fc.assert(
      fc.property(cases, ({ values, parts }) => {
        const { body } = renderTemplate(templateText(parts), values, "text");
        assert.equal(body, renderedText(parts, values));
      }),
    );
  });
});
