"use strict";
// Parses each function's text once per test run. Pulumi serializes the notifier's handler for every run of
// the program, and for it parses the text of each function the handler captures with the TypeScript
// compiler: a second and a half of each `npm start` or `npm run package` a spec runs, the same functions
// every time. The parse depends on the text alone, so it is kept in the run's folder (the one
// transpileOnce.js makes, which loads first) and given back to the commands and spec processes that ask
// again. The archive they build is the same. Plain CommonJS, loaded with transpileOnce.js.

const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

/** Pulumi's parser, wherever the command's node_modules (the project's, or a clone's) has it. */
const PARSER = path.join("@pulumi", "pulumi", "runtime", "closure", "parseFunction.js");
const folder = process.env.SPECS_TRANSPILED_DIR;

/** The parse as JSON: its captured variables are Maps. */
const toJson = (result) =>
  JSON.stringify(result, (_key, value) => (value instanceof Map ? { map: [...value] } : value));
const fromJson = (text) =>
  JSON.parse(text, (_key, value) =>
    value && typeof value === "object" && Array.isArray(value.map) && Object.keys(value).length === 1
      ? new Map(value.map)
      : value,
  );

/** Each parse this process asked for, by the function's text; read, never changed, by the serializer. */
const parsed = new Map();

function parseOnce(parser) {
  const parseFunction = parser.parseFunction;
  const readOrParse = (text) => {
    const file = path.join(folder, `parse-${crypto.createHash("sha256").update(text).digest("hex")}.json`);
    try {
      return fromJson(fs.readFileSync(file, "utf8"));
    } catch {
      const result = parseFunction(text);
      const partial = `${file}.${process.pid}`;
      fs.writeFileSync(partial, toJson(result));
      fs.renameSync(partial, file);
      return result;
    }
  };
  parser.parseFunction = (text) => {
    if (!parsed.has(text)) parsed.set(text, readOrParse(text));
    return parsed.get(text);
  };
}

if (folder) {
  const loadJs = Module._extensions[".js"];
  Module._extensions[".js"] = function (module, filename) {
    loadJs.call(this, module, filename);
    if (filename.endsWith(PARSER)) parseOnce(module.exports);
  };
}
