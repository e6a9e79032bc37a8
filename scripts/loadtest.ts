// `npm run loadtest [-- options]`: a burst of build events through the notifier's archive in local Lambda
// containers, with throttled AWS APIs and failing receivers; then a replay of the dead-letter queue and
// a check that every notice arrived once. Then the streak run: builds with failure streaks for receivers
// with actions, checked against a model of what each must see. Prints the figures; exits 1 when an
// invariant fails.
import {
  commandFor,
  LoadTestUsageError,
  parseLoadTestOptions,
  STREAK_RUN_PROJECTS,
  USAGE,
} from "../loadtest/options";
import { renderReport } from "../loadtest/report";
import { runLoadTest } from "../loadtest/runLoadTest";
import { runStreakRun } from "../loadtest/runStreakRun";
import { renderStreakReport } from "../loadtest/streakReport";

async function main(): Promise<number> {
  const options = parseLoadTestOptions(process.argv.slice(2));
  if (!options) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // The SDK's notice about this machine's Node version says nothing about the function, which runs on 22.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const progress = (line: string) => process.stderr.write(`[loadtest] ${line}\n`);
  let passed = true;
  if (options.only !== "streaks") {
    const result = await runLoadTest(options, progress);
    process.stdout.write(renderReport(result));
    passed &&= result.passed;
  }
  if (options.only !== "burst") {
    const { seed, containers, builds } = options;
    const result = await runStreakRun({ seed, containers, builds, projects: STREAK_RUN_PROJECTS }, progress);
    if (options.only !== "streaks") process.stdout.write("\n");
    process.stdout.write(renderStreakReport(result, commandFor({ ...options, only: "streaks" })));
    passed &&= result.passed;
  }
  return passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(error instanceof LoadTestUsageError ? 2 : 1);
  },
);
