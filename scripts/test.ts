// `npm test`: the lint, the type-check and the specs, run at once. The specs spend much of their time
// waiting (for containers, deadlines, receivers), which the lint and type-check fill; one after the other,
// they added a minute of their own. The specs' report streams as it comes; the lint's and type-check's
// output follows it. Exit code: 0 when all three passed, else 1.
import { spawn } from "node:child_process";

interface Outcome {
  script: string;
  passed: boolean;
  /** What it printed, when not shown as it came. */
  output: string;
}

/** `npm run <script>`; with `live`, its output goes straight to the terminal. */
function run(script: string, live: boolean): Promise<Outcome> {
  const child = spawn("npm", ["run", "--silent", script], {
    stdio: live ? "inherit" : ["ignore", "pipe", "pipe"],
    // npm is a .cmd file on Windows, which only a shell starts.
    shell: process.platform === "win32",
  });
  const output: Buffer[] = [];
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk));
  return new Promise((resolve) => {
    child.on("error", (error) => resolve({ script, passed: false, output: error.message }));
    child.on("close", (code) =>
      resolve({ script, passed: code === 0, output: Buffer.concat(output).toString("utf8").trimEnd() }),
    );
  });
}

async function main(): Promise<void> {
  const outcomes = await Promise.all([
    run("test:specs", true),
    run("lint", false),
    run("build:check", false),
  ]);
  for (const { script, passed, output } of outcomes.slice(1)) {
    console.log(`npm run ${script}: ${passed ? "passed" : "failed"}`);
    if (output !== "") console.log(output);
  }
  const failed = outcomes.filter((outcome) => !outcome.passed).map((outcome) => `npm run ${outcome.script}`);
  if (failed.length > 0) {
    console.error(`npm test failed: ${failed.join(", ")}`);
    process.exitCode = 1;
  }
}

void main();
