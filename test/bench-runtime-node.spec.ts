import * as assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runtimeNode } from "../bench/runtimeNode";
import { PROJECT_ROOT } from "../local/stackConfig";

const PINNED = "22.23.5";
const PACKAGE = `node-${process.platform}-${process.arch}`;

/**
 * The Node.js `npm run bench` runs the functions on (bench/runtimeNode.ts). The registry is not needed:
 * `npm` and `tar` are stand-ins on PATH; npm packs a "release" whose binary says the pinned version,
 * and tar waits `TAR_DELAY` seconds before unpacking, as a 30 MB download and unpack take time.
 */
describe("the bench's Node.js of the function's runtime", () => {
  let work: string;
  let cacheDir: string;
  let bin: string;

  before(function () {
    // Where the bench runs on Node.js 22 itself, it fetches nothing; Windows has no sh for the stand-ins.
    if (process.version.startsWith("v22.") || process.platform === "win32") this.skip();
    work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-runtime-node-"));
    const release = path.join(work, "release");
    fs.mkdirSync(path.join(release, "package", "bin"), { recursive: true });
    fs.writeFileSync(path.join(release, "package", "bin", "node"), `#!/bin/sh\necho v${PINNED}\n`, {
      mode: 0o755,
    });
    const realTar = execFileSync("sh", ["-c", "command -v tar"], { encoding: "utf8" }).trim();
    bin = path.join(work, "bin");
    fs.mkdirSync(bin);
    fs.writeFileSync(
      path.join(bin, "npm"),
      `#!/bin/sh\n# npm pack NAME --pack-destination DIR --silent\n` +
        `echo "$2" >> "${work}/packed"\n` +
        `"${realTar}" -czf "$4/${PACKAGE}-${PINNED}.tgz" -C "${release}" package && echo "${PACKAGE}-${PINNED}.tgz"\n`,
      { mode: 0o755 },
    );
    fs.writeFileSync(path.join(bin, "tar"), `#!/bin/sh\nsleep "\${TAR_DELAY:-0}"\nexec "${realTar}" "$@"\n`, {
      mode: 0o755,
    });
  });

  beforeEach(() => {
    if (!work) return;
    cacheDir = fs.mkdtempSync(path.join(work, "cache-"));
    fs.rmSync(path.join(work, "packed"), { force: true });
  });

  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** Runs `run` with `folder`'s commands first on PATH. */
  const withCommandsOf = <T>(folder: string, run: () => T): T => {
    const pathBefore = process.env.PATH;
    process.env.PATH = `${folder}${path.delimiter}${pathBefore}`;
    try {
      return run();
    } finally {
      process.env.PATH = pathBefore;
    }
  };
  const withStandIns = <T>(run: () => T): T => withCommandsOf(bin, run);
  const packed = () =>
    fs.existsSync(path.join(work, "packed")) ? fs.readFileSync(path.join(work, "packed"), "utf8") : "";

  it("fetches the runtime's pinned release once, then runs it from the cache", () => {
    const first = withStandIns(() => runtimeNode("nodejs22.x", undefined, cacheDir));
    const second = withStandIns(() => runtimeNode("nodejs22.x", undefined, cacheDir));
    assert.equal(first.version, `v${PINNED}`);
    assert.equal(second.path, first.path);
    assert.equal(packed(), `${PACKAGE}@${PINNED}\n`);
    assert.equal(execFileSync(first.path, ["--version"], { encoding: "utf8" }).trim(), `v${PINNED}`);
  });

  it("fetches again over a cached binary of another release, or one a stopped run left half-written", () => {
    const binary = path.join(cacheDir, `${PACKAGE}-${PINNED}`, "package", "bin", "node");
    for (const left of [fs.readFileSync(process.execPath), Buffer.from("\x7fELF")]) {
      fs.mkdirSync(path.dirname(binary), { recursive: true });
      fs.writeFileSync(binary, left, { mode: 0o755 });
      const node = withStandIns(() => runtimeNode("nodejs22.x", undefined, cacheDir));
      assert.equal(node.version, `v${PINNED}`);
      assert.equal(execFileSync(node.path, ["--version"], { encoding: "utf8" }).trim(), `v${PINNED}`);
    }
  });

  it("runs on a --node binary of another release, saying so", () => {
    const node = runtimeNode("nodejs22.x", process.execPath, cacheDir);
    assert.equal(node.version, process.version);
    assert.match(
      node.warning ?? "",
      new RegExp(`Node.js ${process.version} \\(--node\\), not on nodejs22.x's release \\(Node.js 22\\)`),
    );
    assert.equal(packed(), "");
  });

  it("names --node when the release cannot be fetched", () => {
    const failingBin = path.join(work, "failing-bin");
    fs.mkdirSync(failingBin, { recursive: true });
    fs.writeFileSync(
      path.join(failingBin, "npm"),
      "#!/bin/sh\necho 'npm error 404 Not Found' >&2\nexit 1\n",
      { mode: 0o755 },
    );
    withCommandsOf(failingBin, () =>
      assert.throws(
        () => runtimeNode("nodejs22.x", undefined, cacheDir),
        /Could not fetch Node.js 22\.23\.5 .*Pass --node <a Node.js 22 binary>/,
      ),
    );
    assert.deepEqual(fs.readdirSync(cacheDir), []);
  });

  it("gives two first runs at once a working binary each", async function () {
    this.timeout(60_000);
    /** One bench run's fetch, starting at `startAt`, then running the binary 1.5 s later, as containers do. */
    const benchRun = (startAt: number): Promise<string> => {
      const script =
        `const { runtimeNode } = require(${JSON.stringify(path.join(PROJECT_ROOT, "bench", "runtimeNode.ts"))});` +
        `const { execFileSync } = require("node:child_process");` +
        `setTimeout(() => {` +
        `  try { const node = runtimeNode("nodejs22.x", undefined, ${JSON.stringify(cacheDir)});` +
        `    setTimeout(() => { try { console.log("ran " + execFileSync(node.path, ["--version"], { encoding: "utf8" }).trim()); }` +
        `      catch (error) { console.log("containers failed: " + error.message.split("\\n")[0]); } }, 1500);` +
        `  } catch (error) { console.log("fetch failed: " + error.message.split("\\n")[0]); }` +
        `}, ${startAt} - Date.now());`;
      const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}`, TAR_DELAY: "1" },
        stdio: ["ignore", "pipe", "inherit"],
      });
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      return new Promise((resolve) => child.on("close", () => resolve(out.trim())));
    };
    const startAt = Date.now() + 3000;
    const runs = await Promise.all([benchRun(startAt), benchRun(startAt + 500)]);
    assert.deepEqual(runs, [`ran v${PINNED}`, `ran v${PINNED}`]);
  });
});
