// `npm run check`: checks a stack's settings and receiver files as `pulumi preview` does, offline, without
// the Pulumi CLI or its passphrase (docs/receivers.md#checking-a-stack-in-ci); with --import, prints the
// `pulumi import` commands that take a receiver registered by hand under the stack
// (docs/registering-by-hand.md).
import { parseArgs } from "node:util";
import { chooseStack, DEFAULT_STACK } from "../local/localRunCli";
import { LocalRunInputError } from "../local/localRunInputError";
import { receiverImports } from "../local/receiverImports";
import { checkStack, unreadableStack, type StackCheck, type StackCheckJson } from "../local/stackCheck";
import { StackFileError } from "../local/stackConfig";

const USAGE = `Usage: npm run check -- [--stack NAME] [--json]
       npm run check -- --import RECEIVER [--stack NAME]

Checks the settings of a stack (Pulumi.yaml, then Pulumi.<NAME>.yaml) and its receiver files as pulumi
preview does, with the same messages, without the Pulumi CLI or the stack's passphrase: every receiver
file, every stack setting, and that each secret a receiver names is set in the stack file with --secret.
The secrets' values are encrypted there: what preview checks of them is listed, and left to preview.

Options:
  --stack NAME       the stack to check (default: dev)
  --json             print the result as JSON (problems, warnings and the checks left to preview)
  --import RECEIVER  print the pulumi import commands that take the parameters and registry items of a
                     receiver registered by hand under the stack, once its file describes it
  --help             show this text

Exit code: 0 when pulumi preview would accept the stack's settings and receivers, 1 otherwise.`;

function parseCheckOptions(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        stack: { type: "string" },
        json: { type: "boolean" },
        import: { type: "string" },
        help: { type: "boolean" },
      },
    }).values;
  } catch (error) {
    throw new LocalRunInputError(`${(error as Error).message}\nRun npm run check -- --help for the options.`);
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/**
 * The check as a person reads it: problems and warnings as preview prints them, then what was checked
 * (nothing, when the stack's settings are `unreadable`, not YAML).
 */
function formatCheck(check: StackCheck, unreadable = false): string {
  const lines = [
    ...check.problems.map((problem) => problem.text),
    ...check.warnings.map((warning) => `warning: ${warning.text}`),
  ];
  if (lines.length > 0) lines.push("");
  // A settings file that is not YAML stops the check before anything is checked.
  if (!unreadable)
    lines.push(
      `Checked as pulumi preview checks them: the stack's settings, every receiver file (its fields, ` +
        `templates, action paths and placeholders), and that each secret a receiver names is set in ` +
        `${check.stackFile} with --secret.`,
    );
  if (check.leftToPreview.length > 0) {
    lines.push(
      `Left to pulumi preview, which reads what ${check.stackFile} holds encrypted (and that each key ` +
        "serves receivers of one origin):",
      ...check.leftToPreview.map(
        ({ file, field, line, key, checks }) =>
          `  ${file}: ${field}${line === null ? "" : ` (line ${line})`}: ${key}: ${checks}`,
      ),
    );
  }
  lines.push(
    check.accepted
      ? `pulumi preview would accept stack ${check.stack}` +
          (check.warnings.length > 0 ? `, with ${plural(check.warnings.length, "warning")}.` : ".")
      : `pulumi preview would refuse stack ${check.stack}: ${plural(check.problems.length, "problem")}` +
          (check.problems.some((problem) => problem.field?.includes(":"))
            ? " (preview stops at the first setting it refuses: check again once it is fixed)."
            : "."),
  );
  return lines.join("\n");
}

/**
 * The check of the stack `--stack` names; a settings file that is not YAML is a problem, named with its
 * line, and leaves the stack unread.
 */
function checkNamedStack(name: string | undefined): { result: StackCheck; unreadable: boolean } {
  try {
    return { result: checkStack(chooseStack(name)), unreadable: false };
  } catch (error) {
    if (!(error instanceof StackFileError)) throw error;
    const stack = (name ?? DEFAULT_STACK).split("/").pop() ?? DEFAULT_STACK;
    return { result: unreadableStack(stack, error), unreadable: true };
  }
}

async function check(): Promise<number> {
  const options = parseCheckOptions(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { result, unreadable } = checkNamedStack(options.stack);
  if (options.import === undefined) {
    const { accepted, problems, warnings, leftToPreview } = result;
    const json: StackCheckJson = {
      stack: result.stack,
      stackFile: result.stackFile,
      accepted,
      problems,
      warnings,
      leftToPreview,
    };
    process.stdout.write(
      options.json ? `${JSON.stringify(json, null, 2)}\n` : `${formatCheck(result, unreadable)}\n`,
    );
    return accepted ? 0 : 1;
  }

  if (!result.settings) {
    process.stdout.write(
      `${formatCheck(result, unreadable)}\nFix the stack before importing a receiver into it.\n`,
    );
    return 1;
  }
  const receiver = result.settings.receivers.find((candidate) => candidate.name === options.import);
  if (!receiver) {
    const known = result.settings.receivers.map((candidate) => candidate.name).join(", ") || "none";
    process.stderr.write(
      `--import ${options.import}: no receiver file of stack ${result.stack} names it; the receivers are: ${known}\n`,
    );
    return 1;
  }
  const imports = receiverImports(receiver, result.settings.parameterPath, result.stack);
  process.stdout.write(
    `# ${receiver.file}: its parameters and registry items, taken under stack ${result.stack} as the ` +
      "program names them; run before pulumi up (skip one that does not exist: pulumi up creates it)\n" +
      imports.map((entry) => `${entry.command}\n`).join(""),
  );
  return 0;
}

check().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Bad input (a flag, a stack without its settings file) is said in a line; anything else is a bug.
    const shown =
      error instanceof LocalRunInputError ? error.message : ((error as Error).stack ?? String(error));
    process.stderr.write(`${shown}\n`);
    process.exit(1);
  },
);
