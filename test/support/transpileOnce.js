"use strict";
// Transpiles each TypeScript file once per test run. Every program run under mocks evaluates index.ts and
// the modules it loads afresh (local/programUnderMocks.ts), and every command the specs run as a user does
// (`npm start`, `npm run render`, ...) starts a ts-node of its own: each would transpile the same files
// again, most of their time. The same source at the same path gives the same JavaScript, so ts-node's
// output is kept in a folder for the run, shared by the specs' processes and the commands they start
// (test/support/npmCommand.ts loads this file into them), and given back for a file whose text is
// unchanged. Plain CommonJS: it is loaded before ts-node, and waits for ts-node to register.

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

function transpileOnce(service) {
  const transpile = service.compile.bind(service);
  service.compile = (code, fileName, lineOffset = 0) => {
    if (lineOffset !== 0) return transpile(code, fileName, lineOffset);
    const key = crypto.createHash("sha256").update(fileName).update("\0").update(code).digest("hex");
    const output = path.join(folder, `${key}.js`);
    try {
      return fs.readFileSync(output, "utf8");
    } catch {
      const text = transpile(code, fileName);
      // Written whole, then renamed: a process reading it at the same time sees all of it or nothing.
      const partial = `${output}.${process.pid}`;
      fs.writeFileSync(partial, text);
      fs.renameSync(partial, output);
      return text;
    }
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
