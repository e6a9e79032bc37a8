import * as fs from "node:fs";
import * as path from "node:path";
import { projectClone } from "./projectClone";

const FIXTURE = path.join(__dirname, "..", "fixtures", "stacks", "Pulumi.fixture.yaml");

export interface FixtureStack {
  /** The stack's name, for `--stack`. */
  name: string;
  /** The stack's settings file beside Pulumi.yaml, relative to the project. */
  file: string;
  remove(): void;
}

/**
 * A stack of its own for a spec: a settings file of test/fixtures (`Pulumi.<name>.yaml`, by default
 * test/fixtures/stacks/Pulumi.fixture.yaml) copied beside Pulumi.yaml in the project clone the commands
 * run in, where `pulumi -s <name>` (and `--stack`) reads a stack's settings.
 */
export function installFixtureStack(fixture = FIXTURE): FixtureStack {
  const file = path.basename(fixture);
  const name = /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1] ?? file;
  const target = path.join(projectClone(), file);
  fs.copyFileSync(fixture, target);
  return { name, file, remove: () => fs.rmSync(target, { force: true }) };
}
