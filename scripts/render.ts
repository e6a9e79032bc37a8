// `npm run render -- <receiver>`: prints the body one receiver would get for a build event, rendered by
// the notifier's own code, for trying a template without deploying anything.
import * as path from "node:path";
import { parseArgs } from "node:util";
import { loadReceivers } from "../src/receivers/loadReceivers";
import { statusesHeard, TRANSITION_STATUS } from "../src/receivers/statusesHeard";
import { parseRegistryItem, type RegistryEntry } from "../src/notifier/registryEntries";
import { REDACTED } from "../src/notifier/scrubSecrets";
import type { ReceiverDefinition } from "../src/receivers/receiverDefinition";
import { BUILD_STATUSES, TRANSITIONS, type BuildStatus, type Transition } from "../src/shared/buildStatuses";
import { EVERY_PROJECT } from "../src/shared/registryFormat";
import { registryItem } from "../src/receivers/registryItem";
import { fullConfigKey, inConfigScope } from "../src/receivers/configKeys";
import { BAD_INPUT, chooseStack, DEFAULT_STACK, runCommand } from "../local/localRunCli";
import { captureConfig, emptyHeadersNotes, secretReferences } from "../local/localRunConfig";
import { readBuildEventFile, SAMPLE_PROJECT, sampleBuildEvent } from "../local/localRunEvents";
import { LocalRunInputError } from "../local/localRunInputError";
import { renderNotice, renderPath } from "../local/localRunNotice";
import {
  checkRemembered,
  chooseAction,
  perBuildDetail,
  perBuildStatus,
  perBuildStepFlag,
  rememberedByActions,
  type ChosenAction,
  parseRemembered,
} from "../local/renderedActions";
import { LOCAL_SECRETS_FILE, readLocalSecrets } from "../local/localRunSecrets";
import { PROJECT_ROOT, stackConfig } from "../local/stackConfig";

const USAGE = `Usage: npm run render -- <receiver> [options]

Prints the body the receiver (receivers/<receiver>.yaml) would get for a build event, as the notifier
renders it. Other details (method, headers, placeholders without a value or with an empty one) go to
stderr. To pipe the body, keep npm's own banner off stdout with -s: npm run -s render -- <receiver> | jq .
For a receiver with actions per transition (on), it renders one action: its body on stdout, and its
method and URL (the URL secret's key, then the action's path) on stderr; for one with a message per
build (perBuild), its post or its update. Body secrets (secrets) are rendered as <redacted>, encoded
like any value.

Options:
  --status STATUS       render a built-in event of this status (default: the receiver's first status):
                        ${BUILD_STATUSES.join(", ")}
  --transition NAME     render this action of a receiver with actions (default: its first), for a
                        built-in build it falls on: ${TRANSITIONS.join(", ")}
  --per-build STEP      render this request of a receiver with one message per build (perBuild): post
                        (the build's first event; the default) or update (every later one)
  --remember NAME=VALUE fill a value the receiver's actions remember (repeat for several); without it,
                        the placeholder is shown as written
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
        transition: { type: "string" },
        "per-build": { type: "string" },
        remember: { type: "string", multiple: true },
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
  if (!(statusesHeard(receiver.statuses) as string[]).includes(status)) {
    return `it listens to ${receiver.statuses.join(", ")}, not ${status}`;
  }
  return undefined;
}

/**
 * What render stands in for the project's build health with, for an action: a streak of two failed
 * builds (one for broken, which opens it), after a success.
 */
function sampleBuildHealth(transition: Transition): Record<string, string> {
  return {
    TRANSITION: transition,
    FAILURE_COUNT: transition === "broken" ? "1" : "2",
    PREVIOUS_STATUS: transition === "broken" ? "SUCCEEDED" : "FAILED",
  };
}

/** What the command line asks for, each flag checked. */
function renderOptions(args: string[]) {
  const { values, positionals } = parseRenderArgs(args);
  if (values.help) return undefined;
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
  const transition = values.transition?.toLowerCase();
  if (transition !== undefined && !(TRANSITIONS as readonly string[]).includes(transition)) {
    throw new LocalRunInputError(
      `--transition ${values.transition}: not a transition; use one of ${TRANSITIONS.join(", ")}`,
    );
  }
  if (status !== undefined && values.event !== undefined) {
    throw new LocalRunInputError(
      "--event renders the captured event as it is; --status chooses a built-in event",
    );
  }
  const step = perBuildStepFlag(values["per-build"]);
  const remembered = parseRemembered(values.remember ?? []);
  const event = values.event === undefined ? undefined : readBuildEventFile(values.event);
  const stack = chooseStack(values.stack);
  return {
    name,
    status: status as BuildStatus | undefined,
    transition: transition as Transition | undefined,
    step,
    remembered,
    event,
    stack,
    receiversDir: values["receivers-dir"],
  };
}

type RenderOptions = NonNullable<ReturnType<typeof renderOptions>>;

/**
 * The receiver named, validated as a deploy validates the receiver files, and the stack's config with
 * the user's local secrets standing in for the stack's.
 */
function loadReceiver({ name, stack, receiversDir: dirFlag }: RenderOptions) {
  const overrides: Record<string, string> = dirFlag === undefined ? {} : { receiversDir: dirFlag };
  const receiversDir = stackConfig(stack, overrides)[fullConfigKey("receiversDir")];
  const dir = path.resolve(PROJECT_ROOT, receiversDir);
  const references = secretReferences(dir);
  const secrets = readLocalSecrets(path.join(PROJECT_ROOT, LOCAL_SECRETS_FILE), process.env);
  // The URL is not used, but the receiver files are validated as a deploy validates them. The local
  // values stand in for stack secrets, so they count as set with --secret.
  const localSecrets = captureConfig(references, secrets, {
    urlFor: (receiver) => `http://127.0.0.1/${receiver}`,
    tokenUrlFor: (receiver) => `http://127.0.0.1/~oauth/${receiver}/token`,
  });
  const config = stackConfig(stack, { ...overrides, ...localSecrets });
  // Said before validation: a template that is not JSON fails it unless the real headers say so.
  const notes = emptyHeadersNotes(
    references.filter((reference) => reference.receiver === name),
    secrets,
  );
  process.stderr.write(notes.map((note) => `${note}\n`).join(""));
  const { receivers, warnings } = loadReceivers(dir, (key) => {
    const value = config[fullConfigKey(key)];
    return value === undefined ? undefined : { value, secret: key in localSecrets };
  });
  process.stderr.write(warnings.map((warning) => `warning: ${warning}\n`).join(""));
  const receiver = receivers.find((candidate) => candidate.name === name);
  if (!receiver) {
    const names = receivers.map((candidate) => candidate.name).join(", ") || "none";
    throw new LocalRunInputError(`No receiver "${name}" in ${receiversDir}/; the receivers are: ${names}`);
  }
  return { receiver, config };
}

/**
 * The action to render, for a receiver with actions per transition, or the post or update of one with a
 * message per build; the flags it takes are checked.
 */
function renderedAction(
  receiver: ReceiverDefinition,
  { status, transition, step, remembered }: RenderOptions,
): ChosenAction | undefined {
  if (step !== undefined && !receiver.perBuild) {
    throw new LocalRunInputError(
      `--per-build: ${receiver.name} has no message per build (perBuild); ` +
        (receiver.actions
          ? "choose its action with --transition"
          : "it is told of statuses: choose one with --status"),
    );
  }
  if (receiver.perBuild) {
    if (transition !== undefined) {
      throw new LocalRunInputError(
        `--transition: ${receiver.name} posts one message per build; choose its request with --per-build (post or update)`,
      );
    }
    checkRemembered(receiver, remembered);
    const chosen = step ?? "post";
    return { step: chosen, label: `perBuild.${chosen}`, action: receiver.perBuild[chosen] };
  }
  if (receiver.actions) {
    if (status !== undefined) {
      throw new LocalRunInputError(
        `--status: ${receiver.name} acts on transitions, not statuses; choose its action with --transition ` +
          `(${Object.keys(receiver.actions).join(", ")})`,
      );
    }
    return chooseAction(receiver, transition, remembered);
  }
  if (transition !== undefined || Object.keys(remembered).length > 0) {
    throw new LocalRunInputError(
      `--${transition === undefined ? "remember" : "transition"}: ${receiver.name} has no actions per ` +
        "transition (on) nor per build (perBuild); it is told of statuses: choose one with --status",
    );
  }
  return undefined;
}

/** The receiver as the notifier sees it once deployed: its registry item and its parameters' values. */
function deployedReceiver(
  receiver: ReceiverDefinition,
  project: string,
  config: Record<string, string>,
  action: ChosenAction | undefined,
) {
  const parameterPath = config[fullConfigKey("parameterPath")];
  const deployed = parseRegistryItem(
    registryItem(receiver, project, parameterPath),
    parameterPath,
  ) as RegistryEntry;
  const entry = action
    ? { ...deployed, template: action.action.template, method: action.action.method }
    : deployed;
  const configValue = (key: string | undefined) => (key ? config[fullConfigKey(key)] : undefined);
  const parameterValues = new Map<string, string>();
  for (const [parameter, key] of [
    [entry.urlParameter, receiver.urlConfigKey],
    [entry.headersParameter, receiver.headersConfigKey],
    [entry.signingSecretParameter, receiver.signingSecretConfigKey],
    [entry.oauth?.tokenUrlParameter, receiver.oauth?.tokenUrlConfigKey],
    [entry.oauth?.clientIdParameter, receiver.oauth?.clientIdConfigKey],
    [entry.oauth?.clientSecretParameter, receiver.oauth?.clientSecretConfigKey],
  ]) {
    const value = configValue(key);
    if (parameter !== undefined && value !== undefined) parameterValues.set(parameter, value);
  }
  // Body secrets are rendered as <redacted>, encoded like any value, so the body stays what its
  // Content-Type says (valid JSON for jq) without showing a secret.
  for (const parameter of Object.values(entry.bodySecretParameters ?? {}))
    parameterValues.set(parameter, REDACTED);
  return { entry, parameterValues };
}

async function render(): Promise<number> {
  const options = renderOptions(process.argv.slice(2));
  if (!options) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // The config keys are the project's own, as its Pulumi.yaml names it.
  return inConfigScope({ project: options.stack.project }, () => renderReceiver(options));
}

/** Renders the receiver's request for the event, the request's details on stderr and its body on stdout. */
function renderReceiver(options: RenderOptions): number {
  const { receiver, config } = loadReceiver(options);
  const action = renderedAction(receiver, options);
  const sampleProject = receiver.projects.find((candidate) => candidate !== EVERY_PROJECT) ?? SAMPLE_PROJECT;
  const chosen =
    options.event ??
    sampleBuildEvent(
      sampleProject,
      action?.transition
        ? TRANSITION_STATUS[action.transition]
        : action?.step
          ? perBuildStatus(receiver, action.step, options.status)
          : (options.status ?? receiver.statuses[0]),
    );
  const project = chosen.detail?.["project-name"] as string;
  const eventStatus = chosen.detail?.["build-status"] as string;

  const { entry, parameterValues } = deployedReceiver(receiver, project, config, action);
  const given = action?.transition
    ? { ...sampleBuildHealth(action.transition), ...options.remembered }
    : { ...options.remembered };
  const notice = renderNotice(entry, parameterValues, chosen, given);
  if ("reason" in notice) throw new LocalRunInputError(`${receiver.name}: ${notice.reason}`);

  const contentType = Object.entries(notice.headers).find(
    ([header]) => header.toLowerCase() === "content-type",
  );
  const actionPath =
    action?.action.path === undefined ? undefined : renderPath(action.action.path, chosen, given);
  if (actionPath?.refusal)
    throw new LocalRunInputError(`${receiver.name}, ${action?.label}: ${actionPath.refusal}`);
  const details = [
    ...requestDetails(receiver, {
      action,
      method: entry.method,
      urlPath: actionPath?.path ?? "",
      contentType,
      project,
      eventStatus,
      given,
    }),
    ...valueDetails(receiver, notice, actionPath?.unknownNames ?? []),
  ];
  process.stderr.write(details.map((detail) => `${detail}\n`).join(""));
  process.stdout.write(notice.body.endsWith("\n") ? notice.body : `${notice.body}\n`);
  return 0;
}

/** What the request is: its method, where it goes, for which build, and how it authenticates. */
function requestDetails(
  receiver: ReceiverDefinition,
  {
    action,
    method,
    urlPath,
    contentType,
    project,
    eventStatus,
    given,
  }: {
    action: ChosenAction | undefined;
    method: string;
    /** The action's rendered path, appended to the URL. */
    urlPath: string;
    contentType: [string, string] | undefined;
    project: string;
    eventStatus: string;
    given: Record<string, string>;
  },
): string[] {
  const details: string[] = [];
  if (action) {
    // The URL is a secret: its config key stands for it.
    const url = `<the URL in ${fullConfigKey(receiver.urlConfigKey)}>`;
    details.push(
      `${receiver.name}, ${action.label}: ${method} ${url}${urlPath}, ` +
        `${contentType?.join(": ")}, for ${project} ${eventStatus}`,
    );
  }
  if (action?.step) details.push(perBuildDetail(receiver, action.step));
  if (action?.transition) {
    details.push(
      `Build health as for a streak of ${given.FAILURE_COUNT} failed build${given.FAILURE_COUNT === "1" ? "" : "s"}: ` +
        `$TRANSITION ${given.TRANSITION}, $FAILURE_COUNT ${given.FAILURE_COUNT}, $PREVIOUS_STATUS ${given.PREVIOUS_STATUS}`,
    );
    if (eventStatus !== TRANSITION_STATUS[action.transition]) {
      details.push(
        `${receiver.name} would not send this action for this event: ${action.transition} falls on ` +
          `${TRANSITION_STATUS[action.transition]} builds, not ${eventStatus}`,
      );
    }
  } else if (!action) {
    details.push(
      `${receiver.name}: ${receiver.method}, ${contentType?.join(": ")}, for ${project} ${eventStatus}`,
    );
  }
  if (receiver.oauth) {
    const { tokenUrlConfigKey, clientAuth, scope, audience } = receiver.oauth;
    details.push(
      `With Authorization: Bearer <a token from the endpoint in ${fullConfigKey(tokenUrlConfigKey)}>, ` +
        `got with the client-credentials grant (client authentication ${clientAuth}` +
        `${scope === undefined ? "" : `, scope ${scope}`}${audience === undefined ? "" : `, audience ${audience}`})`,
    );
  }
  for (const [name, key] of Object.entries(receiver.bodySecretConfigKeys ?? {})) {
    details.push(`$${name} is a body secret (${fullConfigKey(key)}): shown as ${REDACTED}`);
  }
  if (!action?.transition) {
    const skipped = whyNotSent(receiver, project, eventStatus);
    if (skipped) details.push(`${receiver.name} would not be sent this event: ${skipped}`);
  }
  return details;
}

/** What the rendered body leaves as written or empty, and why. */
function valueDetails(
  receiver: ReceiverDefinition,
  notice: { unknownNames: string[]; emptyNames: string[] },
  pathUnknownNames: readonly string[],
): string[] {
  const details: string[] = [];
  // Remembered values come from the receiver's answers, which render does not have unless given.
  const rememberedNames = rememberedByActions(receiver);
  const unknownNames = notice.unknownNames.filter((unknown) => !rememberedNames.has(unknown));
  const notRemembered = [...new Set([...pathUnknownNames, ...notice.unknownNames])].filter((unknown) =>
    rememberedNames.has(unknown),
  );
  if (unknownNames.length > 0) {
    const names = unknownNames.map((unknown) => `$${unknown}`).join(", ");
    details.push(`The template names ${names}, which the event has no value for; sent as written`);
  }
  for (const rememberedName of notRemembered) {
    details.push(
      `$${rememberedName} is what ${rememberedNames.get(rememberedName)} remembers from an answer; shown as ` +
        `written: fill it with --remember ${rememberedName}=<value>`,
    );
  }
  if (notice.emptyNames.length > 0) {
    const names = notice.emptyNames.map((empty) => `$${empty}`).join(", ");
    details.push(
      `The template's ${names} ${notice.emptyNames.length === 1 ? "is" : "are"} empty for this event`,
    );
    const history = notice.emptyNames.filter(
      (empty) => empty === "PREVIOUS_STATUS" || empty === "FAILURE_COUNT",
    );
    if (history.length > 0) {
      details.push(
        `${history.map((empty) => `$${empty}`).join(", ")} ${history.length === 1 ? "is" : "are"} always ` +
          "empty here, as on a project's first final build: render keeps no build history",
      );
    }
    if (notice.emptyNames.includes("TRANSITION")) {
      details.push("$TRANSITION is empty for a receiver without actions per transition (on)");
    }
  }
  return details;
}

runCommand(render);
