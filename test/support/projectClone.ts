import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../local/stackConfig";
import { isUserFile, PRODUCT_RECEIVER_FILES } from "./userFiles";
import { SHIPPED } from "./specStack";

/** Folders that are no part of a clone: git's, build output, and the installed packages (linked apart). */
const NOT_CLONED = new Set([".git", "dist", "node_modules"]);

let clone: string | undefined;

/**
 * A clone of the project in a folder of its own, as a fresh clone of a user's fork is after `npm ci`:
 * the product's files without the user's own (receivers/*.yaml, Pulumi.<stack>.yaml,
 * .webhooks.local.env), with the receivers and dev stack the product ships (test/fixtures/shipped) in
 * their place. The commands the specs run as a user runs them (`npm start`, `npm run render`, ...) run
 * there, so that the user's receivers, stacks and local secrets never change what they do. Made at first
 * use, once per test run, and removed when the run ends.
 */
export function projectClone(): string {
  if (clone !== undefined) return clone;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "codebuild-webhooks-clone-"));
  process.once("exit", () => fs.rmSync(root, { recursive: true, force: true }));
  copyProduct(PROJECT_ROOT, root);
  fs.cpSync(SHIPPED, root, { recursive: true });
  clone = root;
  return root;
}

function copyProduct(from: string, to: string): void {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.name === "node_modules") linkTree(source, target);
    else if (source === path.join(PROJECT_ROOT, "receivers")) {
      // The receiver folder is the user's but for what the product keeps there.
      for (const name of PRODUCT_RECEIVER_FILES) {
        fs.cpSync(path.join(source, name), path.join(target, name), { recursive: true });
      }
    } else if (isUserFile(source)) continue;
    else if (entry.isDirectory()) {
      if (NOT_CLONED.has(entry.name) || (from === PROJECT_ROOT && entry.name.startsWith("."))) continue;
      fs.mkdirSync(target);
      copyProduct(source, target);
    } else {
      fs.cpSync(source, target, { verbatimSymlinks: true });
    }
  }
}

/**
 * The installed packages, linked file by file. Not a link to the folder: Pulumi packs the notifier's
 * packages by their real paths, which a linked folder puts outside the clone. Hard links are as quick;
 * where the temporary folder is on another file system, the files are copied.
 */
function linkTree(from: string, to: string): void {
  fs.mkdirSync(to);
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(source), target);
    else if (entry.isDirectory()) linkTree(source, target);
    else {
      try {
        fs.linkSync(source, target);
      } catch {
        fs.copyFileSync(source, target);
      }
    }
  }
}
