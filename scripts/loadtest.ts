// `npm run loadtest [-- options]`: a burst of build events through the notifier's archive in local Lambda
// containers, with throttled AWS APIs and failing receivers; then a replay of the dead-letter queue and
// a check that every notice arrived once. Prints the figures; exits 1 when an invariant fails.
import { LoadTestUsageError, parseLoadTestOptions, USAGE } from "../loadtest/options";
import { renderReport } from "../loadtest/report";
import { runLoadTest } from "../loadtest/runLoadTest";

async function main(): Promise<number> {
  const options = parseLoadTestOptions(process.argv.slice(2));
  if (!options) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // The SDK's notice about this machine's Node version says nothing about the function, which runs on 22.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const result = await runLoadTest(options, (line) => process.stderr.write(`[loadtest] ${line}\n`));
  process.stdout.write(renderReport(result));
  return result.passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(error instanceof LoadTestUsageError ? 2 : 1);
  },
);
