// `npm run render -- <receiver>`: prints the body one receiver would get for a build event, rendered by
// the notifier's own code, for trying a template without deploying anything.
import * as path from "node:path";
import { parseArgs } from "node:util";
import { loadReceivers } from "../src/loadReceivers";
import { parseRegistryItem, type RegistryEntry } from "../src/notifier/registryEntries";
import {
  BUILD_STATUSES,
  EVERY_PROJECT,
  type BuildStatus,
  type ReceiverDefinition,
} from "../src/receiverDefinition";
import { registryItem } from "../src/registryItem";
import { BAD_INPUT, chooseStack, DEFAULT_STACK, runCommand } from "../local/localRunCli";
import { captureConfig, emptyHeadersNotes, secretReferences } from "../local/localRunConfig";
import { readBuildEventFile, SAMPLE_PROJECT, sampleBuildEvent } from "../local/localRunEvents";
import { LocalRunInputError } from "../local/localRunInputError";
import { renderNotice } from "../local/localRunNotice";
import { LOCAL_SECRETS_FILE, readLocalSecrets } from "../local/localRunSecrets";
import { PROJECT, PROJECT_ROOT, stackConfig } from "../local/stackConfig";

const USAGE = `Usage: npm run render -- <receiver> [options]

Prints the body the receiver (receivers/<receiver>.yaml) would get for a build event, as the notifier
renders it. Other details (method, headers, placeholders without a value or with an empty one) go to
stderr. To pipe the body, keep npm's own banner off stdout with -s: npm run -s render -- <receiver> | jq .

Options:
  --status STATUS       render a built-in event of this status (default: the receiver's first status):
                        ${BUILD_STATUSES.join(", ")}
  --event FILE          render this captured event instead
  --receivers-dir DIR   the receiver folder, relative to the project (default: the stack's receiversDir)
  --stack NAME          read the settings of this stack, from Pulumi.<NAME>.yaml (default: ${DEFAULT_STACK})
  --help                show this text

Settings: the project's defaults (Pulumi.yaml), then the stack file's plain values; its encrypted values
are not read. The receiver's headers secret, if it has one, comes from the variable
CODEBUILD_WEBHOOKS_<config key>, in the environment or in ${LOCAL_SECRETS_FILE}; without it no headers of
its own are sent.
Exit code: 0, or ${BAD_INPUT} for bad input.`;

function parseRenderArgs(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        status: { type: "string" },
        event: { type: "string" },
        "receivers-dir": { type: "string" },
        stack: { type: "string" },
        help: { type: "boolean" },
      },
    });
  } catch (error) {
    throw new LocalRunInputError(
      `${(error as Error).message}\nRun npm run render -- --help for the options.`,
    );
  }
}

function whyNotSent(receiver: ReceiverDefinition, project: string, status: string): string | undefined {
  if (!receiver.projects.includes(project) && !receiver.projects.includes(EVERY_PROJECT)) {
    return `it lists the projects ${receiver.projects.join(", ")}, not ${project}`;
  }
  if (!(receiver.statuses as string[]).includes(status)) {
    return `it listens to ${receiver.statuses.join(", ")}, not ${status}`;
  }
  return undefined;
}

async function render(): Promise<number> {
  const { values, positionals } = parseRenderArgs(process.argv.slice(2));
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new LocalRunInputError(`Name one receiver (the file name without .yaml).\n\n${USAGE}`);
  }
  const [name] = positionals;
  const status = values.status?.toUpperCase();
  if (status !== undefined && !(BUILD_STATUSES as readonly string[]).includes(status)) {
    throw new LocalRunInputError(
      `--status ${values.status}: not a build status; use one of ${BUILD_STATUSES.join(", ")}`,
    );
  }
  if (status !== undefined && values.event !== undefined) {
    throw new LocalRunInputError(
      "--event renders the captured event as it is; --status chooses a built-in event",
    );
  }
  const event = values.event === undefined ? undefined : readBuildEventFile(values.event);
  const stack = chooseStack(values.stack);

  const overrides: Record<string, string> =
    values["receivers-dir"] === undefined ? {} : { receiversDir: values["receivers-dir"] };
  const receiversDir = stackConfig(stack, overrides)[`${PROJECT}:receiversDir`];
  const dir = path.resolve(PROJECT_ROOT, receiversDir);
  const references = secretReferences(dir);
  const secrets = readLocalSecrets(path.join(PROJECT_ROOT, LOCAL_SECRETS_FILE), process.env);
  // The URL is not used, but the receiver files are validated as a deploy validates them. The local
  // values stand in for stack secrets, so they count as set with --secret.
  const localSecrets = captureConfig(references, secrets, (receiver) => `http://127.0.0.1/${receiver}`);
  const config = stackConfig(stack, { ...overrides, ...localSecrets });
  // Said before validation: a template that is not JSON fails it unless the real headers say so.
  const notes = emptyHeadersNotes(
    references.filter((reference) => reference.receiver === name),
    secrets,
  );
  process.stderr.write(notes.map((note) => `${note}\n`).join(""));
  const { receivers, warnings } = loadReceivers(dir, (key) => {
    const value = config[`${PROJECT}:${key}`];
    return value === undefined ? undefined : { value, secret: key in localSecrets };
  });
  process.stderr.write(warnings.map((warning) => `warning: ${warning}\n`).join(""));
  const receiver = receivers.find((candidate) => candidate.name === name);
  if (!receiver) {
    const names = receivers.map((candidate) => candidate.name).join(", ") || "none";
    throw new LocalRunInputError(`No receiver "${name}" in ${receiversDir}/; the receivers are: ${names}`);
  }

  const sampleProject = receiver.projects.find((candidate) => candidate !== EVERY_PROJECT) ?? SAMPLE_PROJECT;
  const chosen = event ?? sampleBuildEvent(sampleProject, (status as BuildStatus) ?? receiver.statuses[0]);
  const project = chosen.detail?.["project-name"] as string;
  const eventStatus = chosen.detail?.["build-status"] as string;
  // The receiver as the notifier sees it once deployed: its registry item and its parameters' values.
  const parameterPath = config[`${PROJECT}:parameterPath`];
  const entry = parseRegistryItem(
    registryItem(receiver, project, parameterPath),
    parameterPath,
  ) as RegistryEntry;
  const configValue = (key: string | undefined) => (key ? config[`${PROJECT}:${key}`] : undefined);
  const parameterValues = new Map<string, string>();
  for (const [parameter, key] of [
    [entry.urlParameter, receiver.urlConfigKey],
    [entry.headersParameter, receiver.headersConfigKey],
    [entry.signingSecretParameter, receiver.signingSecretConfigKey],
  ]) {
    const value = configValue(key);
    if (parameter !== undefined && value !== undefined) parameterValues.set(parameter, value);
  }
  const notice = renderNotice(entry, parameterValues, chosen);
  if ("reason" in notice) throw new LocalRunInputError(`${receiver.name}: ${notice.reason}`);

  const contentType = Object.entries(notice.headers).find(
    ([header]) => header.toLowerCase() === "content-type",
  );
  const details = [
    `${receiver.name}: ${receiver.method}, ${contentType?.join(": ")}, for ${project} ${eventStatus}`,
  ];
  const skipped = whyNotSent(receiver, project, eventStatus);
  if (skipped) details.push(`${receiver.name} would not be sent this event: ${skipped}`);
  if (notice.unknownNames.length > 0) {
    const names = notice.unknownNames.map((unknown) => `$${unknown}`).join(", ");
    details.push(`The template names ${names}, which the event has no value for; sent as written`);
  }
  if (notice.emptyNames.length > 0) {
    const names = notice.emptyNames.map((empty) => `$${empty}`).join(", ");
    details.push(
      `The template's ${names} ${notice.emptyNames.length === 1 ? "is" : "are"} empty for this event`,
    );
    if (notice.emptyNames.includes("PREVIOUS_STATUS")) {
      details.push(
        "$PREVIOUS_STATUS is always empty here, as on a project's first final build: render keeps no build history",
      );
    }
  }
  process.stderr.write(details.map((detail) => `${detail}\n`).join(""));
  process.stdout.write(notice.body.endsWith("\n") ? notice.body : `${notice.body}\n`);
  return 0;
}

runCommand(render);
