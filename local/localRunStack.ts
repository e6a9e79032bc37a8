import * as path from "node:path";
import type { BuildStateChangeEvent } from "../src/notifier/buildEvent";
import type { NotifierResult, ReceiverOutcome } from "../src/notifier/createNotifier";
import { parseRegistryItem, type RegistryEntry } from "../src/notifier/registryEntries";
import { EVERY_PROJECT } from "../src/receiverDefinition";
import { parameterName } from "../src/registryItem";
import { startCaptureReceiver, type CaptureReceiver, type CapturedRequest } from "./captureReceiver";
import type { Invocation } from "./lambdaProcess";
import { deployLocally } from "./localDeployment";
import { emittedMetrics, type EmittedMetrics } from "./localRunMetrics";
import { captureConfig, emptyHeadersNotes, secretReferences, sendConfig } from "./localRunConfig";
import { renderNotice } from "./localRunNotice";
import { secretVariable, type LocalSecrets } from "./localRunSecrets";
import type { MockedResource } from "./programUnderMocks";
import { PROJECT, PROJECT_ROOT, stackConfig } from "./stackConfig";

export interface LocalRunStackOptions {
  /** The stack whose settings file (`Pulumi.<stack>.yaml`) the deploy reads. */
  stack: string;
  /** The receiver folder, relative to the project (the `receiversDir` config); the stack's own by default. */
  receiversDir?: string;
  /** Send to the receivers' real URLs, with secrets from `secrets`, instead of the capture receiver. */
  send: boolean;
  secrets: LocalSecrets;
  /** Told each step while the stack starts. */
  progress(line: string): void;
}

/** A receiver as the emulated deploy created it. */
export interface DeployedReceiver {
  name: string;
  projects: string[];
  statuses: string[];
  /** Where its URL points, for display: the capture path, or the variable the real URL came from. */
  target: string;
}

/** What one receiver got (or why it got nothing) for one event. */
export interface ReceiverReport {
  receiver: string;
  /** Whether the notifier found it registered for the event's project and status. */
  matched: boolean;
  /** Why it was not matched. */
  unmatchedBecause?: string;
  target: string;
  method?: string;
  /** As sent; values still unredacted. */
  headers?: [string, string][];
  body?: string;
  delivered?: boolean;
  statusCode?: number;
  errorCode?: string;
  /** The start of a refusing receiver's answer, as the notifier logged it. */
  responseBody?: string;
  /** Why it was not delivered, when the notifier said. */
  reason?: string;
  attempts?: number;
  durationMs?: number;
  /** What the notifier logged as a warning about this receiver. */
  warnings: string[];
}

export interface EventReport {
  project: string;
  status: string;
  event: BuildStateChangeEvent;
  /** The invocation's error, when it failed. */
  error?: string;
  receivers: ReceiverReport[];
  /** The delivery metrics the notifier wrote for the event (its EMF lines). */
  metrics: EmittedMetrics[];
}

export interface LocalRunStack {
  receivers: DeployedReceiver[];
  /** Delivers the event to the notifier, as the stack's EventBridge rule would, and reports each receiver. */
  replay(event: BuildStateChangeEvent): Promise<EventReport>;
  /** Stops the notifier's process and the servers and removes the unpacked code; callable more than once. */
  close(): Promise<void>;
}

/** A notifier log line, as the Lambda function writes it (JSON). */
interface LogLine {
  level?: string;
  message?: string;
  receiver?: string;
  [field: string]: unknown;
}

/** Fields every notifier log line has, which say nothing about the receiver. */
const CONTEXT_FIELDS = new Set([
  "level",
  "message",
  "timestamp",
  "service",
  "sampling_rate",
  "receiver",
  "project",
  "status",
  "eventId",
]);

function parseLogLine(line: string): LogLine | undefined {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === "object" && parsed !== null ? (parsed as LogLine) : undefined;
  } catch {
    return undefined;
  }
}

/** A failed invocation returns no result; the notifier logs each receiver's outcome before it fails. */
function outcomesOf(invocation: Invocation): ReceiverOutcome[] {
  if (invocation.ok) return (invocation.result as NotifierResult).outcomes;
  return invocation.logs
    .map(parseLogLine)
    .filter((line): line is LogLine & ReceiverOutcome => typeof line?.delivered === "boolean")
    .map((line) => line as ReceiverOutcome);
}

function warningsFor(invocation: Invocation, urlParameter: string): string[] {
  return invocation.logs
    .map(parseLogLine)
    .filter((line) => line?.level === "WARN" && line.receiver === urlParameter)
    .map((line) => {
      const fields = Object.entries(line as LogLine).filter(
        ([name]) => !CONTEXT_FIELDS.has(name) && !name.startsWith("function_") && name !== "cold_start",
      );
      const details = fields.map(([name, value]) => `${name}: ${JSON.stringify(value)}`).join(", ");
      return details ? `${line?.message} (${details})` : String(line?.message);
    });
}

function pathOf(url: string): string {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

/**
 * The whole stack on this machine: an embedded DynamoDB and parameter store, an emulated `pulumi up` of
 * index.ts onto them, and the notifier's serialized code running in a process of its own, pointed at
 * them. Receiver URLs lead to a capture receiver unless `send` is set.
 */
export async function startLocalRunStack(options: LocalRunStackOptions): Promise<LocalRunStack> {
  const { progress } = options;
  const closers: (() => Promise<void>)[] = [];
  let closing: Promise<void> | undefined;
  // Both an interruption and the end of the run close the stack; the second waits for the first.
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      for (const closeOne of closers.reverse()) await closeOne();
    })());
  try {
    const overrides: Record<string, string> =
      options.receiversDir === undefined ? {} : { receiversDir: options.receiversDir };
    const settings = stackConfig(options.stack, overrides);
    const receiversDir = settings[`${PROJECT}:receiversDir`];
    const parameterPath = settings[`${PROJECT}:parameterPath`];
    const references = secretReferences(path.resolve(PROJECT_ROOT, receiversDir));

    let capture: CaptureReceiver | undefined;
    let secretValues: Record<string, string>;
    if (options.send) {
      secretValues = sendConfig(references, options.secrets);
    } else {
      progress("Starting the capture receiver (stands in for every receiver URL)");
      const captureReceiver = await startCaptureReceiver();
      capture = captureReceiver;
      closers.push(() => captureReceiver.close());
      secretValues = captureConfig(references, options.secrets, captureReceiver.urlFor);
      for (const note of emptyHeadersNotes(references, options.secrets)) progress(`  ${note}`);
    }

    const local = await deployLocally({
      stack: options.stack,
      config: { ...overrides, ...secretValues },
      secretKeys: Object.keys(secretValues).map((key) => `${PROJECT}:${key}`),
      progress,
    });
    closers.push(() => local.close());
    const { deployment } = local;
    const resourcesOf = (type: string): MockedResource[] =>
      deployment.resources.filter((resource) => resource.type === type);
    const parameterValues = new Map(
      resourcesOf("aws:ssm/parameter:Parameter").map((p) => [
        p.inputs.name as string,
        p.inputs.value as string,
      ]),
    );
    const entries = resourcesOf("aws:dynamodb/tableItem:TableItem")
      .map((item) => parseRegistryItem(JSON.parse(item.inputs.item as string), parameterPath))
      .filter((entry): entry is RegistryEntry => !("reason" in entry));
    const deployed = deployment.outputs.receiversDeployed as Omit<DeployedReceiver, "target">[];
    const receivers: DeployedReceiver[] = deployed.map((receiver) => {
      const urlKey = references.find((r) => r.receiver === receiver.name && r.field === "url")?.key ?? "";
      const url = parameterValues.get(parameterName(parameterPath, receiver.name, "url")) ?? "";
      return { ...receiver, target: capture ? url : `the URL in ${secretVariable(urlKey)}` };
    });
    const names = receivers.map((receiver) => receiver.name).join(", ");
    progress(
      `Deployed ${receivers.length} receiver${receivers.length === 1 ? "" : "s"}` +
        `${names ? ` (${names})` : ""}: ${deployment.resources.length} resources, ` +
        `${entries.length} registry item${entries.length === 1 ? "" : "s"}, ${parameterValues.size} parameters`,
    );

    const { timeoutMs } = deployment.notifierSettings;
    const lambda = await local.startContainer();
    progress(`Started the notifier in its own process (handler loaded in ${Math.round(lambda.loadMs)} ms)`);

    const replay = async (event: BuildStateChangeEvent): Promise<EventReport> => {
      const project = event.detail?.["project-name"] ?? "";
      const status = event.detail?.["build-status"] ?? "";
      capture?.take();
      const invocation = await lambda.invoke(event, { timeoutMs });
      const requests = capture?.take() ?? [];
      const outcomes = outcomesOf(invocation);
      const error = invocation.ok ? undefined : `${invocation.error?.name}: ${invocation.error?.message}`;

      return {
        project,
        status,
        event,
        error,
        metrics: emittedMetrics(invocation.logs.map(parseLogLine)),
        receivers: receivers.map((receiver): ReceiverReport => {
          const urlParameter = parameterName(parameterPath, receiver.name, "url");
          const entry = entries.find(
            (e) => e.urlParameter === urlParameter && (e.project === project || e.project === EVERY_PROJECT),
          );
          const outcome = outcomes.find((o) => o.receiver === urlParameter);
          const report = { receiver: receiver.name, target: receiver.target, warnings: [] };
          const subscribed = entry?.statuses.includes(status) ?? false;
          if (!outcome && !(subscribed && error)) {
            const unmatchedBecause = !entry
              ? `not registered for project ${project}`
              : !subscribed
                ? `listens to ${entry.statuses.join(", ")}`
                : "told only when the final status changes, and it did not";
            return { ...report, matched: false, unmatchedBecause };
          }
          const sent: Partial<ReceiverReport> = capture
            ? capturedRequest(requests.filter((request) => request.path === pathOf(receiver.target)))
            : entry
              ? renderedRequest(entry, parameterValues, event)
              : {};
          return {
            ...report,
            matched: true,
            ...sent,
            delivered: outcome?.delivered ?? false,
            statusCode: outcome?.statusCode,
            errorCode: outcome?.errorCode,
            responseBody: outcome?.responseBody,
            reason: outcome?.alreadyDelivered
              ? "an earlier invocation of this event delivered it; nothing was sent again"
              : outcome
                ? outcome.reason
                : error,
            attempts: outcome?.attempts,
            durationMs: outcome?.durationMs,
            warnings: warningsFor(invocation, urlParameter),
          };
        }),
      };
    };

    return { receivers, replay, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** What reached the capture receiver; with retries the notifier sends the same request again. */
function capturedRequest(requests: CapturedRequest[]): Partial<ReceiverReport> {
  const [first] = requests;
  return first ? { method: first.method, headers: first.headers, body: first.body } : {};
}

/** What the notifier sends to a real receiver, rendered from the deployed registry item and parameters. */
function renderedRequest(
  entry: RegistryEntry,
  parameterValues: Map<string, string>,
  event: BuildStateChangeEvent,
): Partial<ReceiverReport> {
  const notice = renderNotice(entry, parameterValues, event);
  if ("reason" in notice) return {};
  return { method: notice.method, headers: Object.entries(notice.headers), body: notice.body };
}
