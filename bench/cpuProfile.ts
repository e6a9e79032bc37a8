import type { CpuProfile } from "../local/lambdaProcess";

/** Where a profile's CPU time went: self time by where the code comes from. */
export interface ProfileSummary {
  /** CPU time the profile saw, idle excluded, in ms. */
  totalMs: number;
  /** Self time by source (a package, Node.js itself, the notifier's own code, GC), most first. */
  bySource: { source: string; ms: number }[];
  /** Self time by what the work was for (see CATEGORIES), in their order. */
  byCategory: { category: Category; ms: number }[];
  /** The functions with the most self time. */
  topFunctions: { name: string; source: string; ms: number }[];
}

/** What a warm delivery's CPU time is spent on, as the per-delivery breakdown names it. */
export const CATEGORIES = [
  "got (and the packages it uses)",
  "Node.js: HTTP, streams, sockets, timers",
  "log lines (Powertools logger)",
  "metrics (Powertools metrics)",
  "rendering and signing",
  "table calls: registry queries and the ledger (AWS SDK)",
  "the notifier's own code (deciding, limiting, outcomes)",
  "garbage collection on the JavaScript thread",
  "other (V8's compiler, the invocation's IPC)",
] as const;
export type Category = (typeof CATEGORIES)[number];
const [GOT, NODE, LOGS, METRICS, RENDERING, TABLE, NOTIFIER, GC, OTHER] = CATEGORIES;

/** got and its dependencies, as the archive packs them. */
const GOT_PACKAGES = new Set([
  "got",
  "@sindresorhus/is",
  "@sec-ant/readable-stream",
  "@keyv/serialize",
  "byte-counter",
  "cacheable-lookup",
  "cacheable-request",
  "decompress-response",
  "form-data-encoder",
  "get-stream",
  "http-cache-semantics",
  "http2-wrapper",
  "is-stream",
  "keyv",
  "lowercase-keys",
  "mimic-response",
  "normalize-url",
  "p-cancelable",
  "quick-lru",
  "resolve-alpn",
  "responselike",
]);
/** The notifier's functions (as the serialized handler names them) by the work they do. */
const NOTIFIER_FUNCTIONS: Record<string, Category> = {
  buildNotice: RENDERING,
  renderTemplate: RENDERING,
  signatureHeaders: RENDERING,
  webhookId: RENDERING,
  requestHeaders: RENDERING,
  bodyFormat: RENDERING,
  parseHeadersParameter: RENDERING,
  buildEventValues: RENDERING,
  eventValues: RENDERING,
  createDeliveryLedger: TABLE,
  readDelivery: TABLE,
  recordOutcomes: TABLE,
  findRegistryEntries: TABLE,
  parseRegistryItem: TABLE,
  createDeliveryMetrics: METRICS,
  countsByReceiver: METRICS,
  receiverDimension: METRICS,
};
/** Work whose callees count as it: a log line's JSON.stringify and its write to stdout are the log line's. */
const ENCLOSING = new Set<Category>([LOGS, METRICS, RENDERING, TABLE]);

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
 * The serialized handler's functions by line: Pulumi writes each function the handler uses as a
 * top-level `function __<name>(…)` whose body is an anonymous function, so a profile names none of them.
 */
export function serializedFunctionAt(handlerSource: string): (line: number) => string | undefined {
  const starts: { line: number; name: string }[] = [];
  handlerSource.split("\n").forEach((text, line) => {
    const name = /^function __(?:\d+_)?(\w+)\(/.exec(text)?.[1];
    if (name) starts.push({ line, name });
  });
  return (line) => {
    let name: string | undefined;
    for (const start of starts) {
      if (start.line > line) break;
      name = start.name;
    }
    return name;
  };
}

/**
 * Sums self time per frame from the sample intervals, then groups it by source and by category. Idle
 * time is left out, and so is the profiler's own work (what runs under `node:inspector`, such as
 * stopping it and writing the profile). `handlerSource`, the serialized handler, names its functions.
 */
export function summarizeProfile(profile: CpuProfile, handlerSource = "", top = 12): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const functionAt = serializedFunctionAt(handlerSource);
  const categories = new Map<number, Category>();
  const categoryOf = (id: number): Category => {
    const known = categories.get(id);
    if (known) return known;
    const parentId = parents.get(id);
    const parent = parentId === undefined ? OTHER : categoryOf(parentId);
    const frame = nodes.get(id)?.callFrame;
    const source = frame ? sourceOf(frame.url, frame.functionName) : "";
    let category: Category;
    if (ENCLOSING.has(parent)) category = parent;
    else if (source === "@aws-lambda-powertools/logger" || source === "@aws-lambda-powertools/commons")
      category = LOGS;
    else if (source === "@aws-lambda-powertools/metrics") category = METRICS;
    else if (/^@smithy\/|^@aws-sdk\//.test(source)) category = TABLE;
    else if (GOT_PACKAGES.has(source)) category = GOT;
    else if (source === "Node.js") category = NODE;
    else if (source === "(garbage collector)") category = GC;
    else if (source === "(native)") category = parent;
    else if (source === "the notifier (serialized handler)" || /^p-limit$|^yocto-queue$/.test(source))
      category = NOTIFIER_FUNCTIONS[functionAt(frame?.lineNumber ?? -1) ?? ""] ?? NOTIFIER;
    else category = OTHER;
    categories.set(id, category);
    return category;
  };
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
  const byCategory = new Map<Category, number>(CATEGORIES.map((category) => [category, 0]));
  const byFunction = new Map<string, { name: string; source: string; micros: number }>();
  let total = 0;
  for (const [id, micros] of selfMicros) {
    const frame = nodes.get(id)?.callFrame;
    if (!frame || frame.functionName === "(idle)" || isProfiler(id)) continue;
    const source = sourceOf(frame.url, frame.functionName);
    total += micros;
    bySource.set(source, (bySource.get(source) ?? 0) + micros);
    const category = categoryOf(id);
    byCategory.set(category, (byCategory.get(category) ?? 0) + micros);
    const serialized =
      source === "the notifier (serialized handler)" ? functionAt(frame.lineNumber) : undefined;
    const name = frame.functionName || (serialized ? `${serialized} (or a function in it)` : "(anonymous)");
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
    byCategory: [...byCategory].map(([category, micros]) => ({ category, ms: micros / 1000 })),
    topFunctions: [...byFunction.values()]
      .sort((a, b) => b.micros - a.micros)
      .slice(0, top)
      .map(({ name, source, micros }) => ({ name, source, ms: micros / 1000 })),
  };
}
