import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { numberedBuild } from "./support/buildEvents";
import { deadLetterOf } from "./support/deadLetters";
import type { RecordedRequest } from "./support/receivers";
import { deployForSuite } from "./support/suiteNotifier";

/** The receivers' secrets, each of which no kept text may hold in any spelling. */
const SECRETS = {
  token: "XoXbT0kenAbc123Secret",
  signature: "S1g+nature/Val==",
  bearer: "eyJhbGciOi.Bearer-Token_987",
  apiKey: "ApiKey-5fd3-Secret",
  routingKey: "R0uting-Key-Secret-42",
  alertsKey: "0psGenieKey77Secret",
  basicToken: "ATATT3xB4sicApiT0ken88",
};
/** Jira's Basic credentials: an account's e-mail address and its API token. */
const BASIC_USER = "you@example.com";

/** How one character may be written: each is a way a receiver's framework escapes text it echoes. */
const CHARACTER_ENCODINGS: Record<string, (character: string) => string> = {
  as: (character) => character,
  jsonUpper: (character) => `\\u${hex4(character).toUpperCase()}`,
  jsonLower: (character) => `\\u${hex4(character)}`,
  phpSlash: (character) => (character === "/" ? "\\/" : character),
  goJson: (character) => (/[<>&]/.test(character) ? `\\u${hex4(character)}` : character),
  percentUpper: (character) => percent(character).toUpperCase(),
  percentLower: (character) => percent(character).toLowerCase(),
  htmlDecimal: (character) => `&#${character.codePointAt(0)};`,
  htmlHex: (character) => `&#x${(character.codePointAt(0) ?? 0).toString(16)};`,
  htmlNamed: (character) => ({ "&": "&amp;", '"': "&quot;", "<": "&lt;" })[character] ?? character,
  jsonOfPercent: (character) => percent(character).replace("%", "\\u0025"),
};

function hex4(character: string): string {
  return (character.codePointAt(0) ?? 0).toString(16).padStart(4, "0");
}

function percent(character: string): string {
  return [...Buffer.from(character, "utf8")].map((byte) => `%${byte.toString(16).padStart(2, "0")}`).join("");
}

/** What a refusing receiver may echo of the request it got, given the request and its URL. */
const ECHOED: Record<string, (request: RecordedRequest, origin: string) => string> = {
  sentUrl: (request, origin) => `${origin}${request.path}`,
  target: (request) => request.path,
  query: (request) => request.path.slice(request.path.indexOf("?")),
  path: (request) => request.path.slice(0, request.path.indexOf("?")),
  authorization: (request) => request.headers.authorization ?? "",
  apiKey: (request) => request.headers["x-api-key"] ?? "",
  body: (request) => request.body,
  lastSegment: (request) => request.path.split("?")[0].split("/").pop() ?? "",
  queryValues: (request) => [...new URLSearchParams(request.path.split("?")[1]).values()].join(" "),
  // A server checking Basic credentials decodes them, and may say which it got.
  basicCredentials: (request) => basicDecoded(request),
  basicPassword: (request) => basicDecoded(request).split(":").slice(1).join(":"),
};

function basicDecoded(request: RecordedRequest): string {
  const credentials = /^Basic (.*)$/.exec(request.headers.authorization ?? "")?.[1] ?? "";
  return Buffer.from(credentials, "base64").toString("utf8");
}

/** An echo: a form of the request, written character by character in a cycle of encodings. */
const echo = fc.record({
  form: fc.constantFrom(...Object.keys(ECHOED)),
  encodings: fc.array(fc.constantFrom(...Object.keys(CHARACTER_ENCODINGS)), { minLength: 1, maxLength: 4 }),
  frame: fc.constantFrom("json", "html", "text"),
});

type Echo = { form: string; encodings: string[]; frame: string };

function written(text: string, encodings: string[]): string {
  return [...text]
    .map((character, at) => CHARACTER_ENCODINGS[encodings[at % encodings.length]](character))
    .join("");
}

function answer(plan: Echo[], request: RecordedRequest, origin: string): string {
  return plan
    .map(({ form, encodings, frame }) => {
      const text = written(ECHOED[form](request, origin), encodings);
      if (frame === "json") return `{"error": "refused: ${text}"}`;
      if (frame === "html") return `<p>refused: <a href="${text}">here</a></p>`;
      return `refused: ${text} (see docs)`;
    })
    .join("\n");
}

/**
 * Every way `text` reads once decoded, up to three layers, each layer undoing JSON escapes,
 * percent-encoding or HTML references (written apart from the notifier's decoder, as a receiver's
 * reader would decode).
 */
function readings(text: string): Set<string> {
  const decoders = [
    (value: string) =>
      value
        .replace(/\\u([0-9a-fA-F]{4})/g, (_, code: string) => String.fromCharCode(parseInt(code, 16)))
        .replace(/\\(.)/g, "$1"),
    (value: string) => {
      try {
        return decodeURIComponent(value);
      } catch {
        return value.replace(/%([0-9a-fA-F]{2})/g, (_, code: string) =>
          String.fromCharCode(parseInt(code, 16)),
        );
      }
    },
    (value: string) =>
      value
        .replace(/&#x([0-9a-fA-F]+);/g, (_, code: string) => String.fromCodePoint(parseInt(code, 16)))
        .replace(/&#([0-9]+);/g, (_, code: string) => String.fromCodePoint(parseInt(code, 10)))
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&amp;/g, "&"),
  ];
  let layer = new Set([text]);
  const all = new Set(layer);
  for (let depth = 0; depth < 3; depth += 1) {
    layer = new Set([...layer].flatMap((value) => decoders.map((decode) => decode(value))));
    for (const value of layer) all.add(value);
  }
  return all;
}

/** The secrets a kept text shows, in any reading of it. */
function shownSecrets(text: string): string[] {
  const texts = [...readings(text)];
  return Object.entries(SECRETS)
    .filter(([, secret]) => texts.some((reading) => reading.includes(secret)))
    .map(([name]) => name);
}

// A refusing receiver's answer is kept (log line, outcome, error and so the dead letter) with every secret
// of the receiver removed, however the receiver wrote the request back: run in the packaged notifier.
describe("scrubbed answers of refusing receivers", () => {
  const suite = deployForSuite();
  let plan: Echo[] = [];
  let origin = "";
  let builds = 0;

  before(async () => {
    const receiver = await suite.receiver((request) => ({
      status: 400,
      body: answer(plan, request, origin),
    }));
    origin = new URL(receiver.url).origin;
    const { parameterStore } = suite.stack;
    // The URL as a person pastes it, with the newline the request does not carry.
    parameterStore.put(
      "/webhooks/echo-chat/url",
      `${receiver.url}/services/T000/B000/${SECRETS.token}?sig=${encodeURIComponent(SECRETS.signature)}\n`,
      "SecureString",
    );
    parameterStore.put(
      "/webhooks/echo-chat/headers",
      JSON.stringify({ Authorization: `Bearer ${SECRETS.bearer}`, "X-Api-Key": SECRETS.apiKey }),
      "SecureString",
    );
    parameterStore.put("/webhooks/echo-chat/secrets/ROUTING_KEY", SECRETS.routingKey, "SecureString");
    // The action's path goes before the URL's query, as the Opsgenie preset sends it.
    parameterStore.put(
      "/webhooks/echo-alerts/url",
      `${receiver.url}/v2/alerts?identifierType=alias&apiKey=${SECRETS.alertsKey}`,
      "SecureString",
    );
    const basic = Buffer.from(`${BASIC_USER}:${SECRETS.basicToken}`).toString("base64");
    parameterStore.put(
      "/webhooks/echo-alerts/headers",
      JSON.stringify({ Authorization: `Basic ${basic}` }),
      "SecureString",
    );
  });

  /** A FAILED build of a project of its own, both receivers registered for it; answers the invocation. */
  async function refusedBuild(container = suite.stack.lambda) {
    builds += 1;
    const project = `echo-${builds}`;
    await suite.stack.registerByHand({
      project: { S: project },
      hook_url_param_name: { S: "/webhooks/echo-chat/url" },
      hook_headers_param_name: { S: "/webhooks/echo-chat/headers" },
      secret_param_names: { M: { ROUTING_KEY: { S: "/webhooks/echo-chat/secrets/ROUTING_KEY" } } },
      statuses: { L: [{ S: "FAILED" }] },
      template: { S: '{"text": "$PROJECT failed", "routing_key": "$ROUTING_KEY"}' },
    });
    await suite.stack.registerByHand({
      project: { S: project },
      hook_url_param_name: { S: "/webhooks/echo-alerts/url" },
      hook_headers_param_name: { S: "/webhooks/echo-alerts/headers" },
      actions: {
        M: { broken: { M: { path: { S: "/$PROJECT/close" }, template: { S: '{"note": "$PROJECT"}' } } } },
      },
    });
    return { container, event: numberedBuild(project, 1, "FAILED") };
  }

  it("keeps no secret in the log lines or the error, whatever encodings the answer echoes the request in", async function () {
    this.timeout(120_000);
    await fc.assert(
      fc.asyncProperty(fc.array(echo, { minLength: 1, maxLength: 3 }), async (echoes) => {
        plan = echoes;
        const { container, event } = await refusedBuild();
        const invocation = await container.invoke(event);
        const kept = [invocation.error?.message ?? "", ...invocation.logs];
        assert.match(
          invocation.error?.message ?? "",
          /^2 of 2 receivers not delivered: .*answered 400: .*refused/,
        );
        assert.deepEqual(
          kept.flatMap((text) => shownSecrets(text)),
          [],
          `kept: ${JSON.stringify(kept.filter((text) => shownSecrets(text).length > 0))}`,
        );
      }),
      { numRuns: 120 },
    );
  });

  it("keeps the API token of Basic credentials out of the log lines and the dead letter when the receiver echoes the credentials it decoded", async function () {
    this.timeout(30_000);
    // The Jira headers secret as docs/build-health.md has users make it:
    // {"Authorization": "Basic $(printf '%s' 'you@example.com:<api token>' | base64 -w0)"}
    const apiToken = "ATATT3xFfGF0T9sEcReTjIrAtOkEn4711";
    const credentials = Buffer.from(`${BASIC_USER}:${apiToken}`).toString("base64");
    const receiver = await suite.receiver((request) => ({
      status: 401,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ errorMessages: [`Invalid credentials: ${basicDecoded(request)}`] }),
    }));
    suite.stack.parameterStore.put(
      "/webhooks/basic-jira/headers",
      JSON.stringify({ Authorization: `Basic ${credentials}` }),
      "SecureString",
    );
    await suite.stack.register("basic-jira", receiver.url, "basic-app", ["FAILED"], {
      hook_headers_param_name: { S: "/webhooks/basic-jira/headers" },
    });
    const container = await suite.stack.startContainer();
    const event = numberedBuild("basic-app", 1, "FAILED");
    const deadLetter = await deadLetterOf(container, event);

    assert.ok(receiver.requests.length >= 1);
    assert.match(deadLetter ?? "", /answered 401: .*Invalid credentials: <redacted>/);
    assert.deepEqual(
      [deadLetter ?? "", ...container.logs].filter((text) => text.includes(apiToken)),
      [],
      "the API token inside the Basic credentials reaches no log line nor the dead letter",
    );
  });

  it("keeps no secret in the dead letter, for an answer that echoes the request in mixed encodings", async function () {
    this.timeout(120_000);
    // Within the first KiB, which is what is kept of an answer.
    plan = [
      { form: "sentUrl", encodings: ["jsonOfPercent", "phpSlash", "htmlHex"], frame: "json" },
      { form: "target", encodings: ["goJson", "percentLower", "jsonUpper"], frame: "json" },
      { form: "authorization", encodings: ["htmlDecimal", "as"], frame: "html" },
      { form: "queryValues", encodings: ["percentUpper", "jsonLower"], frame: "text" },
    ];
    const container = await suite.stack.startContainer();
    const { event } = await refusedBuild(container);
    const deadLetter = await deadLetterOf(container, event);
    assert.match(deadLetter ?? "", /2 of 2 receivers not delivered: .*answered 400: .*refused/);
    assert.deepEqual(shownSecrets(deadLetter ?? ""), []);
    assert.deepEqual(
      container.logs.flatMap((line) => shownSecrets(line)),
      [],
    );
  });
});
