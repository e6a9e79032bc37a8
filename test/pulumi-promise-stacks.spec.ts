import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as debuggable from "@pulumi/pulumi/runtime/debuggable";
import { leavePulumiPromiseStacksUnmapped } from "../local/pulumiPromiseStacks";

/** Pulumi's own wrapper of the promises it makes, which its type declarations leave out (@internal). */
const { debuggablePromise } = debuggable as unknown as {
  debuggablePromise(promise: Promise<unknown>, context: string): Promise<unknown>;
};

/** The line of this file the trace names. */
function lineIn(stack: string): number {
  const match = /pulumi-promise-stacks\.spec\.ts:(\d+):\d+/.exec(stack);
  assert.ok(match, stack);
  return Number(match[1]);
}

/** The line of this file's TypeScript that holds `text`. */
function sourceLine(text: string): number {
  return (
    fs
      .readFileSync(__filename, "utf8")
      .split("\n")
      .findIndex((line) => line.includes(text)) + 1
  );
}

describe("the traces Pulumi takes for its promises", () => {
  before(() => leavePulumiPromiseStacksUnmapped());

  it("are left in the transpiled JavaScript's lines, while an error's trace still names the TypeScript line", () => {
    const made = Promise.resolve() as Promise<void> & { _debugStackTrace?: string };
    void debuggablePromise(made, "a spec's promise");
    const trace = made._debugStackTrace ?? "";
    assert.match(trace, /^Error\n {4}at debuggablePromise \(.*debuggable\.js:\d+:\d+\)\n/);
    assert.notEqual(lineIn(trace), sourceLine("void debuggablePromise(made"));

    const thrown = new Error("a spec's error");
    assert.equal(lineIn(thrown.stack ?? ""), sourceLine(`new Error("a spec's error")`));
  });
});
