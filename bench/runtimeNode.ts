import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../local/stackConfig";

/**
 * The Node.js release the bench runs a function on, by the function's Lambda runtime: the runtime's
 * major release, pinned so that runs compare. CPU per delivery differs between Node.js releases by more
 * than the budget's margins (a warm event at 50 receivers took about a third more CPU on Node.js 20 than
 * on 22), so the figures are taken on the runtime's.
 */
const RUNTIME_NODE_VERSIONS: Record<string, string> = { "nodejs22.x": "22.23.5" };
/** Where a fetched Node.js release is kept between runs. */
const CACHE_DIR = path.join(PROJECT_ROOT, "node_modules", ".cache", "codebuild-webhooks-bench");

export interface RuntimeNode {
  /** The binary. */
  path: string;
  /** What it reports, such as `v22.23.5`. */
  version: string;
  /** Where it came from, for the report. */
  source: string;
}

const majorOf = (version: string) => version.replace(/^v/, "").split(".")[0];

function versionOf(binary: string): string {
  return execFileSync(binary, ["--version"], { encoding: "utf8" }).trim();
}

/**
 * The Node.js release's binary from the npm registry, as the `node` package installs it
 * (`node-<platform>-<arch>`), unpacked once into the project's package cache.
 */
function fetchNode(version: string): string {
  const name = `node-${process.platform}-${process.arch}`;
  const dir = path.join(CACHE_DIR, `${name}-${version}`);
  const binary = path.join(dir, "package", "bin", "node");
  if (fs.existsSync(binary)) return binary;
  if (process.platform === "win32") {
    throw new Error(
      `Node.js ${version} is needed to run the function as Lambda does: pass --node <its node.exe>`,
    );
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  try {
    const tarball = execFileSync(
      "npm",
      ["pack", `${name}@${version}`, "--pack-destination", dir, "--silent"],
      { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
    ).trim();
    execFileSync("tar", ["-xzf", path.join(dir, tarball), "-C", dir]);
    fs.rmSync(path.join(dir, tarball));
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `Could not fetch Node.js ${version} (${name}) from the npm registry to run the function as Lambda ` +
        `does: ${(error as Error).message.split("\n")[0]}. Pass --node <a Node.js ${majorOf(version)} binary>.`,
    );
  }
  return binary;
}

/**
 * The Node.js the bench's containers run on: `given` (`--node`) if any; else this process's when it is
 * of the runtime's major; else the runtime's pinned release, fetched once from the npm registry.
 */
export function runtimeNode(runtime: string, given?: string): RuntimeNode {
  if (given) return { path: path.resolve(given), version: versionOf(given), source: "--node" };
  const wanted = RUNTIME_NODE_VERSIONS[runtime];
  if (!wanted) {
    throw new Error(
      `The bench knows no Node.js release for the runtime ${runtime}: add one to RUNTIME_NODE_VERSIONS ` +
        "in bench/runtimeNode.ts, or pass --node <binary>.",
    );
  }
  if (majorOf(process.version) === majorOf(wanted)) {
    return { path: process.execPath, version: process.version, source: "this process's" };
  }
  const binary = fetchNode(wanted);
  return {
    path: binary,
    version: versionOf(binary),
    source: `the npm registry's node-${process.platform}-${process.arch}`,
  };
}
