import * as path from "node:path";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { BuildStateChangeEvent } from "../src/notifier/buildEvent";
import type { NotifierResult, ReceiverOutcome } from "../src/notifier/receiverOutcome";
import { parseRegistryItem, type RegistryEntry } from "../src/notifier/registryEntries";
import { REDACTED, scrubSecrets } from "../src/notifier/scrubSecrets";
import { TRANSITIONS, type Transition } from "../src/shared/buildStatuses";
import { EVERY_PROJECT } from "../src/shared/registryFormat";
import { parameterName } from "../src/receivers/registryItem";
import {
  sampleAnswer,
  startCaptureReceiver,
  type CaptureReceiver,
  type CapturedRequest,
} from "./captureReceiver";
import type { Invocation } from "./lambdaProcess";
import { deployLocally } from "./localDeployment";
import { emittedMetrics, type EmittedMetrics } from "./localRunMetrics";
import {
  captureConfig,
  emptyHeadersNotes,
  secretReferences,
  sendConfig,
  stackSecretProblems,
  type StackSecretProblem,
} from "./localRunConfig";
import { renderNotice, renderPath } from "./localRunNotice";
import { LocalRunInputError } from "./localRunInputError";
import { secretVariable, type LocalSecrets } from "./localRunSecrets";
import type { MockedResource } from "./programUnderMocks";
import { PROJECT_ROOT, readStackFile, stackConfig, stackProject, type Stack } from "./stackConfig";

export interface LocalRunStackOptions {
  /** The stack deployed, with its settings file (`Pulumi.<stack>.yaml`). */
  stack: Stack;
  /** The receiver folder, relative to the project (the `receiversDir` config); the stack's own by default. */
  receiversDir?: string;
  /** Send to the receivers' real URLs, with secrets from `secrets`, instead of the capture receiver. */
  send: boolean;
  secrets: LocalSecrets;
  /**
   * What the capture receiver answers each receiver named here with (JSON), instead of a sample of the
   * fields its actions remember.
   */
  answers?: ReadonlyMap<string, string>;
  /** Told each step while the stack starts. */
  progress(line: string): void;
}

/** A receiver as the emulated deploy created it. */
export interface DeployedReceiver {
  name: string;
  projects: string[];
  statuses: string[];
  /** The transitions it has actions for (`on`); none for a receiver told of statuses. */
  transitions: Transition[];
  /** Whether it posts one message per build (`perBuild`), updated by the build's later events. */
  perBuild: boolean;
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
  /** The transition the notifier acted on for it, when the notifier says. */
  transition?: string;
  method?: string;
  /** What followed the receiver's URL in the request: an action's path (and the URL's query). */
  path?: string;
  /** As sent; values still unredacted. */
  headers?: [string, string][];
  /** As sent, with the receiver's body secrets and OAuth credentials redacted. */
  body?: string;
  /**
   * For a receiver with OAuth, the token request this event made (its form fields, client credentials
   * redacted), or null when the notifier used the token it had; undefined when not known (--send).
   */
  tokenRequest?: TokenRequestReport | null;
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

/** A token request the capture receiver got, as the notifier sent it, its secrets redacted. */
export interface TokenRequestReport {
  method: string;
  url: string;
  /** The form fields; client_id and client_secret redacted. */
  fields: [string, string][];
  /** Whether the client authenticated with HTTP Basic (rather than in the form). */
  basicAuth: boolean;
}

export interface EventReport {
  project: string;
  status: string;
  event: BuildStateChangeEvent;
  /**
   * The build's transition, as the notifier's "Receivers found" log line says: null for none, undefined
   * when the notifier does not say.
   */
  transition?: string | null;
  /** The invocation's error, when it failed. */
  error?: string;
  receivers: ReceiverReport[];
  /** The delivery metrics the notifier wrote for the event (its EMF lines). */
  metrics: EmittedMetrics[];
}

export interface LocalRunStack {
  receivers: DeployedReceiver[];
  /**
   * The secrets the receivers name that the stack's settings file does not hold as secrets: `pulumi up`
   * refuses those receivers, which this run deployed with stand-ins or local values.
   */
  stackSecretProblems: StackSecretProblem[];
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
    const project = stackProject(options.stack);
    const settings = stackConfig(options.stack, overrides);
    const receiversDir = settings[`${project}:receiversDir`];
    const parameterPath = settings[`${project}:parameterPath`];
    const references = secretReferences(path.resolve(PROJECT_ROOT, receiversDir));

    let capture: CaptureReceiver | undefined;
    // Known once the receivers are deployed, before any event is replayed.
    const answers = new Map<string, string>();
    let secretValues: Record<string, string>;
    if (options.send) {
      secretValues = sendConfig(references, options.secrets);
    } else {
      progress("Starting the capture receiver (stands in for every receiver URL)");
      const captureReceiver = await startCaptureReceiver((receiver) => answers.get(receiver));
      capture = captureReceiver;
      closers.push(() => captureReceiver.close());
      secretValues = captureConfig(references, options.secrets, captureReceiver);
      for (const note of emptyHeadersNotes(references, options.secrets)) progress(`  ${note}`);
    }

    const local = await deployLocally({
      stack: options.stack,
      config: { ...overrides, ...secretValues },
      secretKeys: Object.keys(secretValues).map((key) => `${project}:${key}`),
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
    const items = resourcesOf("aws:dynamodb/tableItem:TableItem").map(
      (item) => JSON.parse(item.inputs.item as string) as Record<string, AttributeValue>,
    );
    const entries = items
      .map((item) => parseRegistryItem(item, parameterPath))
      .filter((entry): entry is RegistryEntry => !("reason" in entry));
    const deployed = deployment.outputs.receiversDeployed as Omit<
      DeployedReceiver,
      "target" | "transitions" | "perBuild"
    >[];
    const receivers: DeployedReceiver[] = deployed.map((receiver) => {
      const urlKey = references.find((r) => r.receiver === receiver.name && r.field === "url")?.key ?? "";
      const urlParameter = parameterName(parameterPath, receiver.name, "url");
      const url = parameterValues.get(urlParameter) ?? "";
      const item = items.find((candidate) => candidate.hook_url_param_name?.S === urlParameter);
      const actions = item?.actions?.M ?? {};
      // What its actions (or its per-build post and update) remember, and what its answers must hold.
      const remember = Object.assign(
        {},
        ...Object.values({ ...actions, ...item?.per_build?.M }).map(rememberedFields),
      );
      const expected = entries.find((entry) => entry.urlParameter === urlParameter)?.answer ?? {};
      if (Object.keys(remember).length > 0 || Object.keys(expected).length > 0) {
        answers.set(receiver.name, sampleAnswer(remember, expected));
      }
      return {
        ...receiver,
        transitions: TRANSITIONS.filter((transition) => transition in actions),
        perBuild: item?.per_build !== undefined,
        target: capture ? url : `the URL in ${secretVariable(urlKey)}`,
      };
    });
    for (const [name, answer] of options.answers ?? []) {
      if (!receivers.some((receiver) => receiver.name === name)) {
        const known = receivers.map((receiver) => receiver.name).join(", ") || "none";
        throw new LocalRunInputError(
          `--answer ${name}=...: no receiver "${name}"; the receivers are: ${known}`,
        );
      }
      answers.set(name, answer);
    }
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
      const transition = eventTransition(invocation);

      return {
        project,
        status,
        event,
        ...(transition === undefined ? {} : { transition }),
        error,
        metrics: emittedMetrics(invocation.logs.map(parseLogLine)),
        receivers: receivers.map((receiver): ReceiverReport => {
          const urlParameter = parameterName(parameterPath, receiver.name, "url");
          const entry = entries.find(
            (e) => e.urlParameter === urlParameter && (e.project === project || e.project === EVERY_PROJECT),
          );
          const outcome = outcomes.find((o) => o.receiver === urlParameter) as
            (ReceiverOutcome & { transition?: string; skipped?: string }) | undefined;
          const report = { receiver: receiver.name, target: receiver.target, warnings: [] };
          const subscribed = entry?.statuses.includes(status) ?? false;
          // A receiver with actions may have nothing to send for a build it hears of (no action for its
          // transition): the notifier says why.
          if (outcome?.skipped) return { ...report, matched: false, unmatchedBecause: outcome.skipped };
          if (!outcome && !(subscribed && error)) {
            const unmatchedBecause = !entry
              ? `not registered for project ${project}`
              : !subscribed
                ? receiver.transitions.length > 0
                  ? `acts on ${receiver.transitions.join(", ")}, which fall on FAILED and SUCCEEDED builds`
                  : `listens to ${entry.statuses.join(", ")}`
                : receiver.transitions.length > 0
                  ? `acts on ${receiver.transitions.join(", ")}` +
                    (transition === null
                      ? "; this build makes no transition"
                      : transition === undefined
                        ? ""
                        : `; this build is ${transition}`)
                  : "told only when the final status changes, and it did not";
            return { ...report, matched: false, unmatchedBecause };
          }
          const acted =
            outcome?.transition ??
            outcome?.action ??
            (receiver.transitions.length > 0 ? transition : undefined);
          const item = items.find((candidate) => candidate.hook_url_param_name?.S === urlParameter);
          const sent: Partial<ReceiverReport> = capture
            ? capturedRequest(requests, pathOf(receiver.target))
            : entry
              ? renderedRequest(actionEntry(entry, item, acted), parameterValues, event, acted)
              : {};
          // Body secrets and OAuth credentials are shown redacted, as the notifier logs an answer echoing them.
          if (sent.body !== undefined && entry)
            sent.body = scrubSecrets(sent.body, bodySecretValues(entry, parameterValues));
          const tokenRequest =
            capture && entry?.oauth
              ? tokenRequestOf(requests, receiver.name, capture.tokenUrlFor(receiver.name))
              : undefined;
          return {
            ...report,
            matched: true,
            ...(acted ? { transition: acted } : {}),
            ...sent,
            ...(tokenRequest === undefined ? {} : { tokenRequest }),
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

    const stored = options.stack.file === undefined ? new Map() : readStackFile(options.stack.file);
    return {
      receivers,
      stackSecretProblems: stackSecretProblems(references, stored, project),
      replay,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The `remember` fields of an action in a registry item: placeholder name to field path. */
function rememberedFields(action: AttributeValue): Record<string, string> {
  const remember = action.M?.remember?.M ?? {};
  return Object.fromEntries(Object.entries(remember).map(([name, field]) => [name, field.S ?? ""]));
}

/**
 * The build's transition, from the notifier's "Receivers found" log line: null for none, undefined when
 * the line does not say.
 */
function eventTransition(invocation: Invocation): string | null | undefined {
  const found = invocation.logs.map(parseLogLine).find((line) => line?.message === "Receivers found");
  if (!found || !("transition" in found)) return undefined;
  return typeof found.transition === "string" ? found.transition : null;
}

/**
 * What reached the capture receiver at the receiver's path (an action's path follows it); with retries
 * the notifier sends the same request again.
 */
function capturedRequest(requests: CapturedRequest[], receiverPath: string): Partial<ReceiverReport> {
  const first = requests.find(
    (request) =>
      request.path.startsWith(receiverPath) && /^(?:[/?]|$)/.test(request.path.slice(receiverPath.length)),
  );
  if (!first) return {};
  const after = first.path.slice(receiverPath.length);
  return {
    method: first.method,
    ...(after === "" ? {} : { path: after }),
    headers: first.headers,
    body: first.body,
  };
}

/** The values of a receiver's body secrets and OAuth client credentials, which its shown body must not hold. */
function bodySecretValues(entry: RegistryEntry, parameterValues: ReadonlyMap<string, string>): string[] {
  return [
    ...Object.values(entry.bodySecretParameters ?? {}),
    entry.oauth?.clientIdParameter,
    entry.oauth?.clientSecretParameter,
  ].flatMap((parameter) => {
    const value = parameter === undefined ? undefined : parameterValues.get(parameter);
    return value === undefined ? [] : [value];
  });
}

/** The token request the capture receiver got for the receiver in this event; null when none came. */
function tokenRequestOf(
  requests: CapturedRequest[],
  receiver: string,
  url: string,
): TokenRequestReport | null {
  const request = requests.find((candidate) => candidate.tokenFor === receiver);
  if (!request) return null;
  const credentials = new Set(["client_id", "client_secret"]);
  return {
    method: request.method,
    url,
    fields: [...new URLSearchParams(request.body)].map(([name, value]) => [
      name,
      credentials.has(name) ? REDACTED : value,
    ]),
    basicAuth: request.headers.some(
      ([name, value]) => name.toLowerCase() === "authorization" && value.startsWith("Basic "),
    ),
  };
}

/** The registry entry as it sends on `transition`: that action's template, method and path. */
function actionEntry(
  entry: RegistryEntry,
  item: Record<string, AttributeValue> | undefined,
  transition: string | null | undefined,
): RegistryEntry & { path?: string } {
  const action = transition
    ? (item?.actions?.M?.[transition]?.M ?? item?.per_build?.M?.[transition]?.M)
    : undefined;
  if (!action?.template?.S) return entry;
  return {
    ...entry,
    template: action.template.S,
    method: action.method?.S ?? entry.method,
    ...(action.path?.S === undefined ? {} : { path: action.path.S }),
  };
}

/**
 * What the notifier sends to a real receiver, rendered from the deployed registry item and parameters;
 * values the receiver's actions remembered are shown as their placeholders.
 */
function renderedRequest(
  entry: RegistryEntry & { path?: string },
  parameterValues: Map<string, string>,
  event: BuildStateChangeEvent,
  transition: string | null | undefined,
): Partial<ReceiverReport> {
  const notice = renderNotice(entry, parameterValues, event, transition ? { TRANSITION: transition } : {});
  if ("reason" in notice) return {};
  return {
    method: notice.method,
    ...(entry.path === undefined
      ? {}
      : { path: renderPath(entry.path, event, transition ? { TRANSITION: transition } : {}).path }),
    headers: Object.entries(notice.headers),
    body: notice.body,
  };
}
