import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeCodeArchive } from "./codeArchive";
import { runProgramUnderMocks } from "./programUnderMocks";
import type * as pulumi from "@pulumi/pulumi";

/** The notifier's settings that matter to running its archive locally. */
export interface NotifierSettings {
  memoryMb: number;
  timeoutMs: number;
  /** Lambda's runtime identifier, such as `nodejs22.x`. */
  runtime: string;
  /** The function's environment variables, as the program declares them. */
  environment: Record<string, string>;
}

/** The settings of the notifier's Function, from its inputs as the program declares them. */
export function notifierSettingsOf(functionInputs: Record<string, unknown>): NotifierSettings {
  const variables = (functionInputs.environment as { variables?: Record<string, unknown> } | undefined)
    ?.variables;
  return {
    memoryMb: Number(functionInputs.memorySize),
    timeoutMs: Number(functionInputs.timeout) * 1000,
    runtime: String(functionInputs.runtime),
    environment: Object.fromEntries(
      Object.entries(variables ?? {}).filter(
        (entry): entry is [string, string] => typeof entry[1] === "string",
      ),
    ),
  };
}

/**
 * Builds the notifier's code archive the way `pulumi up` does: runs the program (under mocks, with no
 * receivers and the project's default settings, since the code depends on neither) and writes the
 * Function's `code` to `dir`.
 */
export async function buildNotifierArchive(dir: string): Promise<NotifierSettings> {
  const noReceivers = fs.mkdtempSync(path.join(os.tmpdir(), "no-receivers-"));
  try {
    const run = await runProgramUnderMocks({
      stack: { name: "package" },
      config: { receiversDir: noReceivers },
    });
    const fn = run.resources.find((resource) => resource.type === "aws:lambda/function:Function");
    if (!fn) throw new Error("The program declared no Lambda function");
    await writeCodeArchive(fn.inputs.code as pulumi.asset.AssetArchive, dir);
    return notifierSettingsOf(fn.inputs);
  } finally {
    fs.rmSync(noReceivers, { recursive: true, force: true });
  }
}
