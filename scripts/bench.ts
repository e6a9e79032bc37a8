// `npm run bench [-- --repeats N] [--quick] [--archive DIR] [--node PATH]`: runs the notifier's code
// archive, as the stack deploys it, against local DynamoDB, Parameter Store and receivers, side by side
// with the AWS sample's algorithm; prints the figures and the budget's verdicts as Markdown, writes them
// as JSON (bench/results.json), and exits with status 1 when a budget line fails.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as prettier from "prettier";
import { PROJECT_ROOT } from "../local/stackConfig";
import { MAX_CONCURRENT_DELIVERIES } from "../src/notifier/deliverRequests";
import { parseBenchOptions } from "../bench/benchOptions";
import { startBenchStand } from "../bench/benchStand";
import { evaluateBudget } from "../bench/budget";
import { buildBaseline, buildNotifier } from "../bench/functionsUnderTest";
import { describeMachine } from "../bench/machine";
import { runtimeNode } from "../bench/runtimeNode";
import { profileWarmEvent } from "../bench/profileEvent";
import { renderMarkdown, type BenchResults } from "../bench/report";
import { runScenarios } from "../bench/runScenarios";
import { callsRows, coldStart, fanOutRows, memoryRows } from "../bench/summarize";

const RESULTS_FILE = path.join(PROJECT_ROOT, "bench", "results.json");
const QUICK_RESULTS_FILE = path.join(os.tmpdir(), "codebuild-webhooks-bench-quick.json");

function progress(line: string): void {
  console.error(`[bench] ${line}`);
}

/** The project's devDependencies: what deploy time needs and the archive must not carry. */
function deployTimePackages(): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
    devDependencies?: Record<string, string>;
  };
  return Object.keys(manifest.devDependencies ?? {});
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const options = parseBenchOptions(args);
  // The SDK's notice about this machine's Node version says nothing about the function, which runs on 22.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const started = Date.now();
  const machine = describeMachine();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "codebuild-webhooks-bench-"));
  try {
    progress("building the notifier's archive as `npm run package` does");
    const built = await buildNotifier(path.join(workDir, "notifier"), options.archive);
    const node = runtimeNode(built.runtime, options.node);
    progress(
      node.warning
        ? `warning: ${node.warning}`
        : `running the functions on Node.js ${node.version} (${node.source}), as ${built.runtime} does`,
    );
    const notifier = { ...built, node: node.path };
    const baseline = { ...buildBaseline(path.join(workDir, "baseline"), notifier), node: node.path };
    progress(`registering ${options.receiverCounts.join(", ")} receivers on projects of their own`);
    const stand = await startBenchStand(options.receiverCounts);
    const profiled = { receivers: 50, delayMs: 200 };
    const { scenarios, profile } = await (async () => {
      const measured = await runScenarios(options, stand, { notifier, baseline }, progress);
      progress(`profiling a warm event at ${profiled.receivers} receivers`);
      return { scenarios: measured, profile: await profileWarmEvent(notifier, stand, profiled) };
    })().finally(() => stand.close());

    const fanOut = fanOutRows(scenarios);
    const calls = callsRows(scenarios);
    const memory = memoryRows(scenarios);
    const cold = { notifier: coldStart(scenarios, "notifier"), baseline: coldStart(scenarios, "baseline") };
    const results: BenchResults = {
      command: `npm run bench${args.length > 0 ? ` -- ${args.join(" ")}` : ""}`,
      date: new Date(started).toISOString(),
      machine: {
        ...machine,
        functionsNode: `${node.version} (${node.source}${node.warning ? "; not the release of the function's runtime" : ""})`,
      },
      options: {
        ...options,
        baselineInvocations: Object.fromEntries(
          options.receiverCounts.map((receivers) => [receivers, options.baselineInvocations(receivers)]),
        ),
      },
      durationS: (Date.now() - started) / 1000,
      notifier: { label: notifier.label, memoryMb: notifier.memoryMb, archive: notifier.archive },
      baseline: { label: baseline.label, memoryMb: baseline.memoryMb, archive: baseline.archive },
      fanOut,
      calls,
      coldStart: cold,
      memory,
      budget: evaluateBudget({
        fanOut,
        calls,
        memory,
        coldStart: cold,
        archive: notifier.archive,
        configuredMemoryMb: notifier.memoryMb,
        deliveryConcurrency: MAX_CONCURRENT_DELIVERIES,
        deployTimePackages: deployTimePackages(),
      }),
      profile: { ...profiled, summary: profile },
      samples: scenarios.map((scenario) => ({
        receivers: scenario.receivers,
        delayMs: scenario.delayMs,
        notifier: scenario.notifier.map((container) =>
          [container.cold, ...container.warm].map((invocation) => Math.round(invocation.durationMs)),
        ),
        baseline: scenario.baseline.map((container) =>
          [container.cold, ...container.warm].map((invocation) => Math.round(invocation.durationMs)),
        ),
      })),
    };

    console.log(renderMarkdown(results));
    // Only a full run of today's notifier replaces the committed results.
    const resultsFile = options.quick || options.archive ? QUICK_RESULTS_FILE : RESULTS_FILE;
    // Formatted as the project's files are, so the committed results pass `npm run lint`.
    const json = await prettier.format(JSON.stringify(results), {
      ...(await prettier.resolveConfig(RESULTS_FILE)),
      filepath: RESULTS_FILE,
    });
    fs.writeFileSync(resultsFile, json);
    progress(`results written to ${resultsFile}`);
    if (results.budget.some((line) => line.verdict === "FAIL")) process.exitCode = 1;
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exitCode = 1;
});
