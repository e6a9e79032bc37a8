import type { CpuProfile } from "../local/lambdaProcess";

/** Where a profile's CPU time went: self time by where the code comes from. */
export interface ProfileSummary {
  /** CPU time the profile saw, idle excluded, in ms. */
  totalMs: number;
  /** Self time by source (a package, Node.js itself, the notifier's own code, GC), most first. */
  bySource: { source: string; ms: number }[];
  /** The functions with the most self time. */
  topFunctions: { name: string; source: string; ms: number }[];
}

/** What a frame's URL says of where its code comes from. */
function sourceOf(url: string, functionName: string): string {
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)";
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inPackage) return inPackage[1];
  if (url.startsWith("node:")) return "Node.js";
  if (/__index\.js$/.test(url)) return "the notifier (serialized handler)";
  return url;
}

/**
 * Sums self time per frame from the sample intervals, then groups it. Idle time is left out, and so is
 * the profiler's own work (what runs under `node:inspector`, such as stopping it and writing the profile).
 */
export function summarizeProfile(profile: CpuProfile, top = 12): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const isProfiler = (id: number): boolean => {
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      if (nodes.get(at)?.callFrame.url === "node:inspector") return true;
    }
    return false;
  };
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const bySource = new Map<string, number>();
  const byFunction = new Map<string, { name: string; source: string; micros: number }>();
  let total = 0;
  for (const [id, micros] of selfMicros) {
    const frame = nodes.get(id)?.callFrame;
    if (!frame || frame.functionName === "(idle)" || isProfiler(id)) continue;
    const source = sourceOf(frame.url, frame.functionName);
    total += micros;
    bySource.set(source, (bySource.get(source) ?? 0) + micros);
    const name = frame.functionName || "(anonymous)";
    const key = `${name} ${frame.url}:${frame.lineNumber}`;
    const entry = byFunction.get(key) ?? { name, source, micros: 0 };
    entry.micros += micros;
    byFunction.set(key, entry);
  }
  return {
    totalMs: total / 1000,
    bySource: [...bySource]
      .map(([source, micros]) => ({ source, ms: micros / 1000 }))
      .sort((a, b) => b.ms - a.ms),
    topFunctions: [...byFunction.values()]
      .sort((a, b) => b.micros - a.micros)
      .slice(0, top)
      .map(({ name, source, micros }) => ({ name, source, ms: micros / 1000 })),
  };
}
