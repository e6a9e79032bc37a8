import * as assert from "node:assert/strict";
import { runScript, type CommandRun, type Variables } from "./npmCommand";

// What npm start prints, read by the specs of npm start (start*.spec.ts).

/** `npm start -- <args>`, its script line run as npm runs it (runScript), with only the given local secrets. */
export function runStart(args: string[], secrets: Variables = {}): Promise<CommandRun> {
  return runScript("start", args, secrets);
}

/** The output block of one event, from its `== <project> <STATUS>` heading to the blank line after it. */
export function eventBlock(stdout: string, event: string): string {
  const block = stdout.split("\n\n").find((chunk) => chunk.startsWith(`== ${event}`));
  assert.ok(block, `no block for ${event} in:\n${stdout}`);
  return block;
}

/** The lines of npm start's output that say pulumi up would refuse a receiver, and why. */
export function refusals(stdout: string): string[] {
  return stdout.split("\n").filter((line) => /pulumi up would refuse|is not set|without --secret/.test(line));
}

/** One receiver's lines within an event block. */
export function receiverSection(block: string, receiver: string): string {
  const lines = block.split("\n");
  const start = lines.findIndex((line) => line.startsWith(`  ${receiver}: `));
  assert.ok(start >= 0, `no ${receiver} in:\n${block}`);
  const end = lines.findIndex((line, index) => index > start && /^ {2}\S/.test(line));
  return lines.slice(start, end < 0 ? undefined : end).join("\n");
}

/** The body shown in a receiver's section, without its indentation (and the body's final newline). */
export function shownBody(section: string): string {
  const lines = section.split("\n");
  return lines
    .slice(lines.indexOf("    body:") + 1)
    .map((line) => line.slice(6))
    .join("\n");
}
