"use strict";
// Transpiles each TypeScript file once per test run. Every program run under mocks evaluates index.ts and
// the modules it loads afresh (local/programUnderMocks.ts), and every command the specs run as a user does
// (`npm start`, `npm run render`, ...) starts a ts-node of its own: each would transpile the same files
// again, most of their time. The same source at the same path in its project (the product, or a clone of
// it the specs made) gives the same JavaScript, so ts-node's
// output is kept in a folder for the run, shared by the specs' processes and the commands they start
// (test/support/npmCommand.ts loads this file into them), and given back for a file whose text is
// unchanged. Plain CommonJS: it is loaded before ts-node, and waits for ts-node to register.

const { Buffer } = require("node:buffer");
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

/** Where ts-node keeps the service it registered (ts-node's REGISTER_INSTANCE). */
const TS_NODE_INSTANCE = Symbol.for("ts-node.register.instance");
/** The run's folder of transpiled files, made by the first process of the run that loads this file. */
const FOLDER_VARIABLE = "SPECS_TRANSPILED_DIR";

if (!process.env[FOLDER_VARIABLE]) {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "codebuild-webhooks-transpiled-"));
  process.env[FOLDER_VARIABLE] = folder;
  process.once("exit", () => fs.rmSync(folder, { recursive: true, force: true }));
}
const folder = process.env[FOLDER_VARIABLE];

/** Project roots (a folder with Pulumi.yaml) by folder: the product's, or a clone's the specs made. */
const roots = new Map();
function projectRootOf(folder) {
  if (!roots.has(folder)) {
    const parent = path.dirname(folder);
    roots.set(
      folder,
      fs.existsSync(path.join(folder, "Pulumi.yaml"))
        ? folder
        : parent === folder
          ? undefined
          : projectRootOf(parent),
    );
  }
  return roots.get(folder);
}

/** The source map ts-node puts at the end of its output, naming `fileName`. */
const SOURCE_MAP = /\/\/# sourceMappingURL=data:application\/json;charset=utf-8;base64,([A-Za-z0-9+/=]+)\s*$/;
function naming(text, fileName) {
  const match = SOURCE_MAP.exec(text);
  if (!match) return text;
  const map = JSON.parse(Buffer.from(match[1], "base64").toString("utf8"));
  if (map.file === fileName) return text;
  map.file = fileName;
  map.sources = [fileName];
  const encoded = Buffer.from(JSON.stringify(map), "utf8").toString("base64");
  return `${text.slice(0, match.index)}//# sourceMappingURL=data:application/json;charset=utf-8;base64,${encoded}`;
}

/** Reads a kept output, or undefined. */
function kept(file) {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Keeps an output: written whole, then renamed, so a process reading it at once sees all or nothing. */
function keep(file, text) {
  const partial = `${file}.${process.pid}`;
  fs.writeFileSync(partial, text);
  fs.renameSync(partial, file);
}

const keyOf = (name, code) =>
  crypto.createHash("sha256").update(name).update("\0").update(code).digest("hex");

function transpileOnce(service) {
  const transpile = service.compile.bind(service);
  service.compile = (code, fileName, lineOffset = 0) => {
    if (lineOffset !== 0) return transpile(code, fileName, lineOffset);
    const output = path.join(folder, `${keyOf(fileName, code)}.js`);
    const same = kept(output);
    if (same !== undefined) return same;
    // Else by the file's path within its project, so that the project clones of a run (one per spec
    // process) share what the product's files transpiled to; the source map is made to name this file.
    const root = projectRootOf(path.dirname(fileName));
    const shared = root ? path.join(folder, `${keyOf(path.relative(root, fileName), code)}.js`) : undefined;
    const other = shared && kept(shared);
    const text = other !== undefined ? naming(other, fileName) : transpile(code, fileName);
    keep(output, text);
    if (shared && other === undefined) keep(shared, text);
    return text;
  };
}

if (process[TS_NODE_INSTANCE]) transpileOnce(process[TS_NODE_INSTANCE]);
else {
  let registered;
  Object.defineProperty(process, TS_NODE_INSTANCE, {
    configurable: true,
    get: () => registered,
    set: (service) => {
      registered = service;
      transpileOnce(service);
    },
  });
}
