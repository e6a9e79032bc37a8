import { strict as assert } from "node:assert";
import type { CpuProfile } from "../local/lambdaProcess";
import { summarizeProfile } from "../bench/cpuProfile";

/** A profile of frames given as paths from the root, each sampled for the given microseconds. */
function profileOf(
  samples: { path: { name: string; url: string; line?: number }[]; micros: number }[],
): CpuProfile {
  const nodes: CpuProfile["nodes"] = [
    { id: 1, callFrame: { functionName: "(root)", url: "", lineNumber: -1, columnNumber: -1 }, children: [] },
  ];
  const profile: CpuProfile = { nodes, startTime: 0, endTime: 0, samples: [], timeDeltas: [] };
  for (const sample of samples) {
    let parent = nodes[0];
    for (const frame of sample.path) {
      const child = {
        id: nodes.length + 1,
        callFrame: { functionName: frame.name, url: frame.url, lineNumber: frame.line ?? 0, columnNumber: 0 },
        children: [],
      };
      nodes.push(child);
      parent.children = [...(parent.children ?? []), child.id];
      parent = child;
    }
    profile.samples.push(parent.id);
    profile.timeDeltas.push(sample.micros);
  }
  return profile;
}

const HANDLER = "file:///var/task/__index.js";
const LOGGER = "file:///var/task/node_modules/@aws-lambda-powertools/logger/lib/cjs/Logger.js";
const GOT = "file:///var/task/node_modules/got/dist/source/core/index.js";
/** Pulumi's serialized handler: each function a top-level `function __<name>` around an anonymous one. */
const HANDLER_SOURCE = [
  "",
  "function __renderTemplate(__0) {",
  "  return 1;",
  "}",
  "function __notify(__0) {",
  "}",
].join("\n");

/** Milliseconds by category of the breakdown, from the samples. */
function msByCategory(samples: Parameters<typeof profileOf>[0]): Record<string, number> {
  const summary = summarizeProfile(profileOf(samples), HANDLER_SOURCE);
  return Object.fromEntries(summary.byCategory.map((entry) => [entry.category, entry.ms]));
}

/** A sample of `micros` at the end of a path of frames: `[function name, url, line]`. */
function sampled(micros: number, ...path: [string, string, number?][]) {
  return { path: path.map(([name, url, line]) => ({ name, url, line })), micros };
}

describe("the bench's CPU profile breakdown", () => {
  it("counts a log line's JSON and its write to stdout as the log line's, not as Node.js's", () => {
    const ms = msByCategory([
      sampled(300, ["info", LOGGER], ["stringify", ""]),
      sampled(200, ["info", LOGGER], ["log", "node:internal/console/constructor"], ["writeUtf8String", ""]),
    ]);
    assert.equal(ms["log lines (Powertools logger)"], 0.5);
    assert.equal(ms["Node.js: HTTP, streams, sockets, timers"], 0);
  });

  it("counts Node.js's HTTP under got as Node.js's, and got's builtins as got's", () => {
    const ms = msByCategory([
      sampled(400, ["_makeRequest", GOT], ["ClientRequest", "node:_http_client"]),
      sampled(100, ["_makeRequest", GOT], ["assign", ""]),
    ]);
    assert.equal(ms["Node.js: HTTP, streams, sockets, timers"], 0.4);
    assert.equal(ms["got (and the packages it uses)"], 0.1);
  });

  it("names the serialized handler's anonymous functions by the function Pulumi wrote them in", () => {
    const summary = summarizeProfile(
      profileOf([
        sampled(200, ["", HANDLER, 2]),
        sampled(50, ["", HANDLER, 2], ["replace", ""]),
        sampled(80, ["", HANDLER, 5]),
      ]),
      HANDLER_SOURCE,
    );
    const ms = Object.fromEntries(summary.byCategory.map((entry) => [entry.category, entry.ms]));
    assert.equal(ms["rendering and signing"], 0.25);
    assert.equal(ms["the notifier's own code (deciding, limiting, outcomes)"], 0.08);
    assert.deepEqual(
      summary.topFunctions.map((entry) => entry.name),
      ["renderTemplate (or a function in it)", "notify (or a function in it)", "replace"],
    );
  });
});
