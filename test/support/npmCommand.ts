import { spawn } from "node:child_process";
import { PROJECT_ROOT } from "../../local/stackConfig";

export interface CommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `npm <args>` from the project root, as a user runs it, with only the given local secrets: any
 * `CODEBUILD_WEBHOOKS_*` variable of the test's own environment is left out.
 */
export function runNpm(args: string[], secrets: Record<string, string> = {}): Promise<CommandRun> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("CODEBUILD_WEBHOOKS_")),
  );
  const child = spawn("npm", args, {
    cwd: PROJECT_ROOT,
    env: { ...env, ...secrets },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
