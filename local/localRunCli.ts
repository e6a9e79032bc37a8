import { RunError } from "@pulumi/pulumi/errors";
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalRunInputError } from "./localRunInputError";
import { LOCAL_SECRETS_FILE } from "./localRunSecrets";
import { PROJECT_ROOT, projectStack, type Stack } from "./stackConfig";

/** Exit code for bad input: a receiver file, a flag, an event file, a missing secret or stack file. */
export const BAD_INPUT = 2;

/** A message naming a config key of the project, `config "<project>:<key>"`. */
const CONFIG_MENTION = /config "([\w.-]+):/;

/** The stack a local run reads its settings from when `--stack` does not name one. */
export const DEFAULT_STACK = "dev";

/** A stack name as Pulumi allows it, optionally qualified as `org/project/stack` or `org/stack`. */
const STACK_NAME = /^(?:[\w.-]+\/){0,2}([\w.-]+)$/;

/**
 * The stack named by `--stack` (the default stack without it), as its settings file names it: like
 * `pulumi -s org/project/prod`, a qualified name reads `Pulumi.prod.yaml`. Its file must exist, so a
 * misspelt stack is an error rather than a run on the project's defaults.
 */
export function chooseStack(name: string | undefined): Required<Stack> {
  const given = name === undefined ? `The default stack, ${DEFAULT_STACK}` : `--stack ${name}`;
  const stack = STACK_NAME.exec(name ?? DEFAULT_STACK)?.[1];
  if (stack === undefined) {
    throw new LocalRunInputError(`${given}: not a stack name (letters, digits, "-", "_" and ".")`);
  }
  const { file } = projectStack(stack);
  if (!fs.existsSync(file)) {
    const stacks = fs
      .readdirSync(PROJECT_ROOT)
      .map((entry) => /^Pulumi\.(.+)\.yaml$/.exec(entry)?.[1])
      .filter((entry): entry is string => entry !== undefined);
    throw new LocalRunInputError(
      `${given}: ${path.relative(process.cwd(), file)} does not exist; the stacks with a settings file ` +
        `here are: ${stacks.join(", ") || "none"}`,
    );
  }
  return projectStack(stack);
}

/**
 * Runs a local-run command and exits with its code. Bad input (including the program's own receiver
 * validation, a RunError as `pulumi preview` prints it) is reported as its message alone.
 */
export function runCommand(command: () => Promise<number>): void {
  command().then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof LocalRunInputError || RunError.isInstance(error)) {
        process.stderr.write(`${error.message}\n`);
        const namespace = CONFIG_MENTION.exec(error.message)?.[1];
        if (namespace !== undefined) {
          process.stderr.write(
            `Locally, config "${namespace}:<key>" comes from the variable CODEBUILD_WEBHOOKS_<key>, ` +
              `in the environment or in ${LOCAL_SECRETS_FILE}.\n`,
          );
        }
        process.exit(BAD_INPUT);
      }
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
