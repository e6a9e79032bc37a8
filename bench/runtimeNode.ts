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
  /** Set when the binary is not of the runtime's major release (a `--node` of another). */
  warning?: string;
}

const majorOf = (version: string) => version.replace(/^v/, "").split(".")[0];

function versionOf(binary: string): string {
  return execFileSync(binary, ["--version"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  }).trim();
}

/** The binary unpacked in `dir`, when it is there whole and of `version`. */
function unpackedNode(dir: string, version: string): string | undefined {
  const binary = path.join(dir, "package", "bin", "node");
  try {
    return versionOf(binary) === `v${version}` ? binary : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The Node.js release's binary from the npm registry, as the `node` package installs it
 * (`node-<platform>-<arch>`), unpacked once into `cacheDir`. It is fetched into a folder of its own and
 * moved into place whole, so that a run stopped half-way leaves nothing that looks fetched, and two
 * first runs at once do not undo each other's work.
 */
function fetchNode(version: string, cacheDir: string): string {
  const name = `node-${process.platform}-${process.arch}`;
  const dir = path.join(cacheDir, `${name}-${version}`);
  const cached = unpackedNode(dir, version);
  if (cached) return cached;
  if (process.platform === "win32") {
    throw new Error(
      `Node.js ${version} is needed to run the function as Lambda does: pass --node <its node.exe>`,
    );
  }
  fs.mkdirSync(cacheDir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(cacheDir, `.${name}-${version}-`));
  try {
    const tarball = execFileSync(
      "npm",
      ["pack", `${name}@${version}`, "--pack-destination", staging, "--silent"],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      },
    ).trim();
    execFileSync("tar", ["-xzf", path.join(staging, tarball), "-C", staging]);
    fs.rmSync(path.join(staging, tarball));
    if (!unpackedNode(staging, version))
      throw new Error(`${name}@${version} holds no Node.js ${version} binary`);
    if (fs.existsSync(dir) && !unpackedNode(dir, version)) {
      // What an earlier run left broken (stopped before this way of fetching): set aside, then removed.
      const broken = `${staging}-broken`;
      fs.renameSync(dir, broken);
      fs.rmSync(broken, { recursive: true, force: true });
    }
    try {
      fs.renameSync(staging, dir);
    } catch (error) {
      // Another run moved its copy into place first: use that one.
      const theirs = unpackedNode(dir, version);
      if (!theirs) throw error;
      return theirs;
    }
    return path.join(dir, "package", "bin", "node");
  } catch (error) {
    throw new Error(
      `Could not fetch Node.js ${version} (${name}) from the npm registry to run the function as Lambda ` +
        `does: ${(error as Error).message.split("\n")[0]}. Pass --node <a Node.js ${majorOf(version)} binary>.`,
    );
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * The Node.js the bench's containers run on: `given` (`--node`) if any, with a warning when it is not of
 * the runtime's major release; else this process's when it is; else the runtime's pinned release,
 * fetched once from the npm registry into `cacheDir`.
 */
export function runtimeNode(runtime: string, given?: string, cacheDir = CACHE_DIR): RuntimeNode {
  const wanted = RUNTIME_NODE_VERSIONS[runtime];
  if (given) {
    const version = versionOf(given);
    const node: RuntimeNode = { path: path.resolve(given), version, source: "--node" };
    if (wanted && majorOf(version) === majorOf(wanted)) return node;
    return {
      ...node,
      warning:
        `the functions run on Node.js ${version} (--node), not on ${runtime}'s release ` +
        `${wanted ? `(Node.js ${majorOf(wanted)})` : ""}: CPU figures differ between releases`,
    };
  }
  if (!wanted) {
    throw new Error(
      `The bench knows no Node.js release for the runtime ${runtime}: add one to RUNTIME_NODE_VERSIONS ` +
        "in bench/runtimeNode.ts, or pass --node <binary>.",
    );
  }
  if (majorOf(process.version) === majorOf(wanted)) {
    return { path: process.execPath, version: process.version, source: "this process's" };
  }
  const binary = fetchNode(wanted, cacheDir);
  return {
    path: binary,
    version: `v${wanted}`,
    source: `the npm registry's node-${process.platform}-${process.arch}`,
  };
}
