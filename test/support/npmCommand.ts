import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { projectClone } from "./projectClone";

export interface CommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Variables over the test's own environment; `undefined` removes one. Any `CODEBUILD_WEBHOOKS_*`
 * variable of the test's environment is left out, so a run sees only the local secrets given here.
 */
export type Variables = Record<string, string | undefined>;

/** Loads the test run's transpiled files and parsed functions into the command (transpileOnce.js, parseOnce.js). */
const TRANSPILE_ONCE = ["transpileOnce.js", "parseOnce.js"]
  .map((file) => `--require "${path.join(__dirname, file)}"`)
  .join(" ");

function run(
  command: string,
  args: string[],
  variables: Variables,
  cwd = projectClone(),
): Promise<CommandRun> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("CODEBUILD_WEBHOOKS_")),
  );
  const nodeOptions = [process.env.NODE_OPTIONS, TRANSPILE_ONCE].filter(Boolean).join(" ");
  const env = Object.fromEntries(
    Object.entries({ ...inherited, NODE_OPTIONS: nodeOptions, ...variables }).filter(
      ([, value]) => value !== undefined,
    ),
  );
  const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    // What a user reads: tools colour their output when the environment asks for it (FORCE_COLOR in CI).
    child.on("close", (code) =>
      resolve({ code, stdout: stripVTControlCharacters(stdout), stderr: stripVTControlCharacters(stderr) }),
    );
  });
}

/** Runs `npm <args>` in a fresh clone of the project (see projectClone), or in `folder`, as a user runs it. */
export function runNpm(args: string[], variables: Variables = {}, folder?: string): Promise<CommandRun> {
  return run("npm", args, variables, folder);
}

/** One argument for `sh`, quoted as npm quotes the arguments after `--`. */
const quoted = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;

/**
 * Runs `npm run <script> -- <args>` in the clone as npm runs it, without npm: the script's line from the
 * clone's package.json, through `sh`, with the clone's node_modules/.bin first on PATH and the arguments
 * quoted. npm's own start-up is a third of a second of CPU, and the specs run their commands some seventy
 * times; each command is run through npm itself by a spec of its own (runNpm).
 */
export function runScript(script: string, args: string[], variables: Variables = {}): Promise<CommandRun> {
  const clone = projectClone();
  const scripts = (
    JSON.parse(fs.readFileSync(path.join(clone, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    }
  ).scripts;
  const line = scripts[script];
  if (line === undefined) throw new Error(`package.json has no script ${script}`);
  const bin = path.join(clone, "node_modules", ".bin");
  const searchPath = [bin, variables.PATH ?? process.env.PATH].filter(Boolean).join(path.delimiter);
  return run("sh", ["-c", [line, ...args.map(quoted)].join(" ")], { ...variables, PATH: searchPath });
}

/** Runs a command line through `sh` in a fresh clone of the project, pipes and all, as a user types it. */
export function runInShell(commandLine: string, variables: Variables = {}): Promise<CommandRun> {
  return run("sh", ["-c", commandLine], variables);
}
