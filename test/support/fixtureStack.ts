import * as fs from "node:fs";
import * as path from "node:path";
import { stackFile } from "../../local/stackConfig";

const FIXTURE = path.join(__dirname, "..", "fixtures", "stacks", "Pulumi.fixture.yaml");

export interface FixtureStack {
  /** The stack's name, for `--stack`. */
  name: string;
  /** The stack's settings file beside Pulumi.yaml, relative to the project. */
  file: string;
  remove(): void;
}

/**
 * A stack of its own for a spec: test/fixtures/stacks/Pulumi.fixture.yaml copied beside Pulumi.yaml,
 * where `pulumi -s <name>` (and `--stack`) reads a stack's settings, under a name no other run uses.
 */
export function installFixtureStack(): FixtureStack {
  const name = `fixture-${process.pid}`;
  const file = stackFile(name);
  fs.copyFileSync(FIXTURE, file);
  return { name, file: path.basename(file), remove: () => fs.rmSync(file, { force: true }) };
}
