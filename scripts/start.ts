// `npm start`: the whole stack on this machine. An emulated `pulumi up` of index.ts onto an embedded
// DynamoDB and parameter store, the serialized notifier in a process of its own, and CodeBuild build
// events replayed through it; each receiver's request is shown, then a summary and the delivery metrics
// the notifier emitted.
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type { BuildStateChangeEvent } from "../src/notifier/buildEvent";
import { BUILD_STATUSES, type BuildStatus } from "../src/shared/buildStatuses";
import { EVERY_PROJECT } from "../src/shared/registryFormat";
import { BAD_INPUT, chooseStack, DEFAULT_STACK, runCommand } from "../local/localRunCli";
import { findJsonSyntaxError } from "../src/receivers/jsonSyntaxError";
import {
  failureStreakEvents,
  perBuildEvents,
  readBuildEventFile,
  SAMPLE_PROJECT,
  sampleBuildEvent,
} from "../local/localRunEvents";
import { LocalRunInputError } from "../local/localRunInputError";
import { formatMetrics } from "../local/localRunMetrics";
import {
  eventFailed,
  formatEventReport,
  formatStackSecretProblems,
  formatSummary,
} from "../local/localRunReport";
import { LOCAL_SECRETS_FILE, readLocalSecrets } from "../local/localRunSecrets";
import {
  startLocalRunStack,
  type DeployedReceiver,
  type EventReport,
  type LocalRunStack,
} from "../local/localRunStack";
import { PROJECT_ROOT } from "../local/stackConfig";

const USAGE = `Usage: npm start -- [options]

Deploys index.ts on this machine (an emulated pulumi up onto an embedded DynamoDB and parameter store),
runs the notifier's serialized code in a process of its own and replays CodeBuild build events through
it: by default one event per build status for each project the receivers name, and for a project of a
receiver with actions per transition (on) a failure streak: builds that start, succeed, fail, fail again,
succeed and stop; for a project of a receiver with one message per build (perBuild), builds that each
start (the post) and end (the update). Every receiver URL leads to a local capture receiver, so nothing
leaves the machine and no secret is needed. It answers 200, with JSON holding the values a receiver's
answer must hold and a sample of each field its actions remember ({"key": "JIRA_ISSUE-1"} for
remember: { JIRA_ISSUE: key }), so that its follow-ups use it. It
also plays the token endpoint of receivers with oauth, and the output shows each token request. Header
values, body secrets and tokens are shown as <redacted>.
It ends with a summary and the delivery metrics per receiver the notifier emitted (docs/metrics.md).

Options:
  --event FILE          replay this captured event instead (repeat for several)
  --project NAME        replay the events of this project only
  --status STATUS       replay the events of this status only: ${BUILD_STATUSES.join(", ")}
  --answer RECEIVER=JSON
                        the capture receiver answers that receiver's requests with this JSON instead
                        (repeat for several receivers), e.g. --answer 'jira-issue={"key": "OPS-7"}'
  --send                send to the receivers' real URLs; each secret comes from the variable
                        CODEBUILD_WEBHOOKS_<config key>, in the environment or in ${LOCAL_SECRETS_FILE}
  --receivers-dir DIR   the receiver folder, relative to the project (default: the stack's receiversDir)
  --stack NAME          read the settings of this stack, from Pulumi.<NAME>.yaml (default: ${DEFAULT_STACK})
  --help                show this text

Settings: the project's defaults (Pulumi.yaml), then the stack file's plain values. Its encrypted values
are not read: each secret a receiver names comes from CODEBUILD_WEBHOOKS_<config key> instead.
Exit code: 0 when every matched receiver got its request, 1 when a delivery failed, ${BAD_INPUT} for bad input.`;

interface StartOptions {
  events: string[];
  project?: string;
  status?: BuildStatus;
  send: boolean;
  /** What the capture receiver answers a receiver with, by receiver name (JSON). */
  answers: Map<string, string>;
  receiversDir?: string;
  stack?: string;
  help: boolean;
}

function parseStartOptions(args: string[]): StartOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        event: { type: "string", multiple: true },
        project: { type: "string" },
        status: { type: "string" },
        send: { type: "boolean" },
        answer: { type: "string", multiple: true },
        "receivers-dir": { type: "string" },
        stack: { type: "string" },
        help: { type: "boolean" },
      },
    }));
  } catch (error) {
    throw new LocalRunInputError(`${(error as Error).message}\nRun npm start -- --help for the options.`);
  }
  const status = values.status?.toUpperCase();
  if (status !== undefined && !(BUILD_STATUSES as readonly string[]).includes(status)) {
    throw new LocalRunInputError(
      `--status ${values.status}: not a build status; use one of ${BUILD_STATUSES.join(", ")}`,
    );
  }
  const events = values.event ?? [];
  if (events.length > 0 && (values.project !== undefined || status !== undefined)) {
    throw new LocalRunInputError(
      "--event replays the captured event as it is; --project and --status choose among the built-in events",
    );
  }
  const answers = new Map((values.answer ?? []).map(parseAnswer));
  if (answers.size > 0 && values.send) {
    throw new LocalRunInputError(
      "--answer says what the capture receiver answers; with --send the real receivers answer",
    );
  }
  return {
    events,
    project: values.project,
    status: status as BuildStatus | undefined,
    send: values.send ?? false,
    answers,
    receiversDir: values["receivers-dir"],
    stack: values.stack,
    help: values.help ?? false,
  };
}

/** `--answer RECEIVER=JSON`: the receiver's name and the JSON, which must be valid. */
function parseAnswer(option: string): [string, string] {
  const separator = option.indexOf("=");
  if (separator <= 0) {
    throw new LocalRunInputError(
      `--answer ${option}: give the receiver and the JSON it answers with, e.g. --answer 'jira-issue={"key": "OPS-7"}'`,
    );
  }
  const [receiver, json] = [option.slice(0, separator), option.slice(separator + 1)];
  const syntaxError = findJsonSyntaxError(json);
  if (syntaxError) {
    throw new LocalRunInputError(
      `--answer ${receiver}=...: not valid JSON at column ${syntaxError.column}: ${syntaxError.problem}`,
    );
  }
  return [receiver, json];
}

/**
 * A warning for `--project` naming a project no receiver names (nor every project): its events are told
 * to no receiver, which a mistyped name would otherwise only show as nothing delivered.
 */
function unknownProjectWarning(
  receivers: DeployedReceiver[],
  project: string | undefined,
): string | undefined {
  if (project === undefined) return undefined;
  if (
    receivers.some((receiver) => [project, EVERY_PROJECT].some((name) => receiver.projects.includes(name)))
  ) {
    return undefined;
  }
  const named = [...new Set(receivers.flatMap((receiver) => receiver.projects))];
  return (
    `warning: --project ${project}: no receiver names this project, so none is told of its builds; ` +
    `the receivers name ${named.join(", ") || "no project"}`
  );
}

/**
 * The statuses replayed by default. Timed-out and faulted builds are failed builds, which the FAILED
 * event shows; --status replays one of them.
 */
const REPLAYED_STATUSES: readonly BuildStatus[] = ["IN_PROGRESS", "SUCCEEDED", "FAILED", "STOPPED"];

/**
 * One event per status for each project the receivers name, in the receivers' order; for a project of a
 * receiver with actions per transition, the builds of a failure streak instead, which hold each of them;
 * for one of a receiver with one message per build, builds that start and end, which post and update.
 */
function builtInEvents(receivers: DeployedReceiver[], options: StartOptions): BuildStateChangeEvent[] {
  const everyProject = receivers.some((receiver) => receiver.projects.includes(EVERY_PROJECT));
  const named = [...new Set(receivers.flatMap((receiver) => receiver.projects))].filter(
    (project) => project !== EVERY_PROJECT,
  );
  const projects = options.project
    ? [options.project]
    : named.length === 0 && everyProject
      ? [SAMPLE_PROJECT]
      : named;
  const hears = (project: string, kind: (receiver: DeployedReceiver) => boolean) =>
    receivers.some(
      (receiver) =>
        kind(receiver) && (receiver.projects.includes(project) || receiver.projects.includes(EVERY_PROJECT)),
    );
  const statuses = options.status ? [options.status] : REPLAYED_STATUSES;
  return projects.flatMap((project) =>
    (hears(project, (receiver) => receiver.transitions.length > 0)
      ? failureStreakEvents(project)
      : hears(project, (receiver) => receiver.perBuild)
        ? perBuildEvents(project)
        : BUILD_STATUSES.map((status) => sampleBuildEvent(project, status))
    ).filter((event) => (statuses as readonly string[]).includes(event.detail?.["build-status"] ?? "")),
  );
}

// The SDK in this process only talks to the embedded DynamoDB; its warning about this machine's Node
// version says nothing about the stack (the notifier runs on Lambda's Node 22).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const progress = (line: string): void => void process.stderr.write(`${line}\n`);

/** The signal that stopped the run (Ctrl-C sends SIGINT); the exit code is then 128 + its number. */
let stoppedBy: NodeJS.Signals | undefined;
let running: LocalRunStack | undefined;
const interrupted = (): number => 128 + os.constants.signals[stoppedBy ?? "SIGINT"];

async function start(): Promise<number> {
  const options = parseStartOptions(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // Read before anything starts, so a bad file is reported at once.
  const capturedEvents = options.events.map((file) => readBuildEventFile(file));
  const chosen = chooseStack(options.stack);
  progress(`Reading the settings of stack ${chosen.name}: Pulumi.yaml, then Pulumi.${chosen.name}.yaml`);
  let stack: LocalRunStack;
  try {
    stack = await startLocalRunStack({
      stack: chosen,
      receiversDir: options.receiversDir,
      send: options.send,
      answers: options.answers,
      secrets: readLocalSecrets(path.join(PROJECT_ROOT, LOCAL_SECRETS_FILE), process.env),
      progress,
    });
  } catch (error) {
    // Ctrl-C reaches the notifier's process too, which then fails to start; the stack closed itself.
    if (stoppedBy) return interrupted();
    throw error;
  }
  running = stack;
  try {
    if (stoppedBy) return interrupted();
    const unknownProject = unknownProjectWarning(stack.receivers, options.project);
    if (unknownProject) progress(unknownProject);
    const events = capturedEvents.length > 0 ? capturedEvents : builtInEvents(stack.receivers, options);
    if (events.length === 0) {
      progress("No receiver names a project, so there is no event to replay; add a receiver file.");
    } else {
      const sending = options.send ? "sending to the real receivers" : "sending to the capture receiver";
      progress(`Replaying ${events.length} event${events.length === 1 ? "" : "s"}, ${sending}\n`);
    }
    const reports: EventReport[] = [];
    for (const event of events) {
      const report = await stack.replay(event).catch((error: unknown) => {
        if (stoppedBy) return undefined;
        throw error;
      });
      if (!report || stoppedBy) return interrupted();
      reports.push(report);
      process.stdout.write(`${formatEventReport(report)}\n\n`);
    }
    process.stdout.write(`${formatSummary(reports)}\n\n`);
    if (unknownProject) process.stdout.write(`${unknownProject}\n\n`);
    const secretProblems = formatStackSecretProblems(path.basename(chosen.file), stack.stackSecretProblems);
    if (secretProblems) process.stdout.write(`${secretProblems}\n\n`);
    process.stdout.write(`${formatMetrics(reports.flatMap((report) => report.metrics))}\n`);
    return reports.some(eventFailed) ? 1 : 0;
  } finally {
    await stack.close();
  }
}

// Ctrl-C: stop the notifier's process and the servers and remove the unpacked code, then exit. A stack
// still starting is closed as soon as it is up.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    stoppedBy = signal;
    progress("Stopping…");
    void running?.close();
  });
}

runCommand(start);
