// The module object itself, not a namespace copy of it, so that every module reading files gets the guard.
import fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../local/stackConfig";

/** What the product keeps in receivers/, beside the user's receiver files: the presets and the schema. */
export const PRODUCT_RECEIVER_FILES = ["examples", "receiver.schema.json"];

/**
 * Whether a path is one of the user's own files in the project, which the specs never read: the receiver
 * files in receivers/ (and its folders but examples/), the stacks' settings files and the local secrets. The user replaces, adds and
 * deletes them; the specs deploy test/fixtures/shipped instead (docs/development.md).
 */
export function isUserFile(file: string): boolean {
  const parts = path.relative(PROJECT_ROOT, path.resolve(file)).split(path.sep);
  if (parts[0] === "receivers") {
    return !PRODUCT_RECEIVER_FILES.includes(parts[1]) && /\.ya?ml$/i.test(parts[parts.length - 1]);
  }
  if (parts.length !== 1) return false;
  const [name] = parts;
  return name === ".webhooks.local.env" || /^Pulumi\..+\.ya?ml$/.test(name);
}

const reads: string[] = [];

/** The user's files read since the last call, most recent last; the list starts afresh. */
export function takeUserFileReads(): string[] {
  return reads.splice(0);
}

type FsFunction = (target: fs.PathLike, ...rest: unknown[]) => unknown;

/**
 * Refuses, and records, every read of a user's file by the specs' own process: the functions that open,
 * read or copy a file (tools may look for files of their own beside it). A refusal a caller swallows is
 * still recorded, and fails the test.
 */
function guard(module: Record<string, unknown>, names: readonly string[]): void {
  for (const name of names) {
    const original = module[name] as FsFunction;
    module[name] = function guarded(this: unknown, target: fs.PathLike, ...rest: unknown[]) {
      if ((typeof target === "string" || target instanceof URL) && isUserFile(String(target))) {
        const file = path.relative(PROJECT_ROOT, path.resolve(String(target))) || ".";
        reads.push(file);
        throw new Error(
          `A spec read ${file}, which is the user's: specs deploy test/fixtures/shipped and fixtures of ` +
            "their own, never receivers/, Pulumi.<stack>.yaml or .webhooks.local.env (docs/development.md)",
        );
      }
      return original.call(this, target, ...rest);
    };
  }
}

guard(fs as unknown as Record<string, unknown>, [
  "readFileSync",
  "openSync",
  "copyFileSync",
  "cpSync",
  "readFile",
  "open",
  "copyFile",
  "cp",
]);
guard(fs.promises as unknown as Record<string, unknown>, ["readFile", "open", "copyFile", "cp"]);

/** Mocha's root hooks: a test during which a user's file was read fails, naming the file. */
export const mochaHooks = {
  afterEach(): void {
    const files = takeUserFileReads();
    if (files.length > 0) {
      throw new Error(
        `The test read the user's ${[...new Set(files)].join(", ")}; give it a fixture instead`,
      );
    }
  },
};
