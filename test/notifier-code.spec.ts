import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { buildScopesOnce } from "../stack/functionScopes";
import { NOTIFIER_HANDLER, notifierCode } from "../stack/notifierCode";

// Module-level state, as the serialized code captures it: a counter only `nextCall` writes, and helpers
// the handler calls through other helpers.
let calls = 0;
const GREETING = { word: "hello" };
function nextCall(): number {
  calls += 1;
  return calls;
}
function greet(name: string): string {
  return `${GREETING.word} ${name} #${nextCall()}`;
}
async function greetLater(name: string): Promise<string> {
  await Promise.resolve();
  return greet(name);
}

/** Writes the archive's handler module to a folder and loads it, as the Lambda runtime would. */
async function loadHandler(archive: pulumi.asset.AssetArchive): Promise<(name: string) => Promise<string>> {
  const assets = await archive.assets;
  const file = `${NOTIFIER_HANDLER.split(".")[0]}.js`;
  const text = await (assets[file] as pulumi.asset.StringAsset).text;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "notifier-code-"));
  fs.writeFileSync(path.join(dir, file), text);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(path.join(dir, file)) as Record<string, (name: string) => Promise<string>>;
  fs.rmSync(dir, { recursive: true, force: true });
  return loaded[NOTIFIER_HANDLER.split(".")[1]];
}

describe("the notifier's code archive", () => {
  it("refuses a callback that captures a secret: the archive is not encrypted", async () => {
    const clientSecret = pulumi.secret("captured-client-secret");
    const archive = notifierCode(() => {
      return async () => clientSecret.get();
    });
    await assert.rejects(archive.assets, /Secret outputs cannot be captured by a closure/);
  });

  it("builds each function's scope once per container: its captured module state lives as long", async () => {
    const handler = await loadHandler(notifierCode(() => (name: string) => greetLater(name)));
    assert.equal(await handler("ann"), "hello ann #1");
    assert.equal(await handler("bob"), "hello bob #2");
    assert.equal(await handler("cy"), "hello cy #3");
  });

  it("refuses a serialized handler whose function wrappers it does not recognise", () => {
    assert.throws(
      () => buildScopesOnce("exports.handler = function () { return 1; };\n"),
      /0 function wrappers but 0 wrapper ends: @pulumi\/pulumi's serializer writes them differently/,
    );
  });
});
