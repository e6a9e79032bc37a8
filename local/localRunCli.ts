import { RunError } from "@pulumi/pulumi";
import { LocalRunInputError } from "./localRunInputError";
import { LOCAL_SECRETS_FILE } from "./localRunSecrets";

/** Exit code for bad input: a receiver file, a flag, an event file or a missing secret. */
export const BAD_INPUT = 2;

const CONFIG_MENTION = /config "codebuild-webhooks:/;

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
        if (CONFIG_MENTION.test(error.message)) {
          process.stderr.write(
            `Locally, config "codebuild-webhooks:<key>" comes from the variable CODEBUILD_WEBHOOKS_<key>, ` +
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
