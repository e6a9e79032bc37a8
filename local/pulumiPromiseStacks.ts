import * as path from "node:path";

// Pulumi records a stack trace for every promise it makes (runtime/debuggable.js: several per resource
// property), to name where a leaked promise was made should the program exit with one pending. Under
// ts-node, source-map-support maps each frame of each of those traces back to TypeScript: a third of the
// CPU of a program run under mocks, for traces that are only ever read in that message. Those traces are
// left as V8 writes them (positions in the transpiled JavaScript); every other stack trace, an error's and
// a resource's source position alike, is mapped as before.

/** The module of Pulumi's that takes a trace for each promise. */
const PROMISE_TRACER = path.join("@pulumi", "pulumi", "runtime", "debuggable.js");

let installed = false;

/** V8's own format: the error's first line, then a line per frame. */
function unmapped(error: Error, frames: NodeJS.CallSite[]): string {
  return [String(error), ...frames.map((frame) => `    at ${frame.toString()}`)].join("\n");
}

/** Leaves the traces Pulumi takes for its promises unmapped, in this process, from now on. */
export function leavePulumiPromiseStacksUnmapped(): void {
  const mapped = Error.prepareStackTrace;
  if (installed || mapped === undefined) return;
  installed = true;
  Error.prepareStackTrace = (error, frames) =>
    frames[0]?.getFileName()?.endsWith(PROMISE_TRACER) ? unmapped(error, frames) : mapped(error, frames);
}
