import type { Got } from "got";
import type { BuildStateChangeEvent } from "./buildEvent";
import { buildEventValues } from "./buildEventValues";
import type { ParameterCache } from "./parameterCache";
import { findRegistryEntries, type QueryRegistry, type RegistryEntry } from "./registryEntries";
import { DEFAULT_TEMPLATE, renderTemplate } from "./renderTemplate";
import { isJsonBody, parseHeadersParameter, requestHeaders } from "./requestHeaders";
import { sendNotice } from "./sendNotice";

/** Structured log lines; the fields name receivers by parameter name, never by URL or header value. */
export interface NotifierLog {
  info(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

export interface NotifierDependencies {
  tableName: string;
  queryRegistry: QueryRegistry;
  parameters: ParameterCache;
  got: Got;
  log: NotifierLog;
  /** Upper bound for one request to a receiver. */
  requestTimeoutMs: number;
}

export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

/** What happened to one receiver of an event. */
export interface ReceiverOutcome {
  receiver: string;
  delivered: boolean;
  statusCode?: number;
  errorCode?: string;
  reason?: string;
  durationMs: number;
}

export interface NotifierResult {
  project: string;
  status: string;
  outcomes: ReceiverOutcome[];
}

/** Time kept back from the Lambda deadline so the invocation can still report its outcome. */
const DEADLINE_MARGIN_MS = 1000;

/**
 * The notifier: finds the receivers registered for the event's project and status, renders each one's
 * body and sends them concurrently. One receiver's failure never keeps another from its delivery; if any
 * receiver is left undelivered the invocation fails once all others are done, so Lambda retries it.
 */
export function createNotifier(deps: NotifierDependencies) {
  return async function notify(
    event: BuildStateChangeEvent,
    context: InvocationContext,
  ): Promise<NotifierResult> {
    const project = event.detail?.["project-name"];
    const status = event.detail?.["build-status"];
    if (typeof project !== "string" || typeof status !== "string") {
      throw new Error(
        "The event is not a CodeBuild Build State Change: detail.project-name or build-status is missing",
      );
    }
    const { entries, invalid } = await findRegistryEntries(deps.queryRegistry, deps.tableName, project);
    const matching = entries.filter((entry) => entry.statuses.includes(status));
    deps.log.info("Receivers found", {
      project,
      status,
      registered: entries.length + invalid.length,
      matching: matching.length,
    });

    const parameterNames = matching.flatMap((entry) =>
      entry.headersParameter ? [entry.urlParameter, entry.headersParameter] : [entry.urlParameter],
    );
    const parameters = await deps.parameters.read(parameterNames);
    const values = buildEventValues(event);
    const deadline = Date.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS;

    const deliver = async (entry: RegistryEntry): Promise<ReceiverOutcome> => {
      const receiver = entry.urlParameter;
      const url = parameters.get(entry.urlParameter);
      if (url === undefined)
        return { receiver, delivered: false, reason: `parameter ${receiver} not found`, durationMs: 0 };
      let receiverHeaders: Record<string, string> | Error = {};
      if (entry.headersParameter) {
        const headersValue = parameters.get(entry.headersParameter);
        if (headersValue === undefined) {
          return {
            receiver,
            delivered: false,
            reason: `parameter ${entry.headersParameter} not found`,
            durationMs: 0,
          };
        }
        receiverHeaders = parseHeadersParameter(headersValue);
        if (receiverHeaders instanceof Error) {
          return {
            receiver,
            delivered: false,
            reason: `parameter ${entry.headersParameter} ${receiverHeaders.message}`,
            durationMs: 0,
          };
        }
      }
      const headers = requestHeaders(receiverHeaders);
      const { body, unknownNames } = renderTemplate(
        entry.template ?? DEFAULT_TEMPLATE,
        values,
        isJsonBody(headers),
      );
      if (unknownNames.length > 0) {
        deps.log.warn("Template names unknown placeholders; they are sent as written", {
          receiver,
          unknownNames,
        });
      }
      const timeoutMs = Math.max(1, Math.min(deps.requestTimeoutMs, deadline - Date.now()));
      const sent = await sendNotice(deps.got, { method: entry.method, url, headers, body }, timeoutMs);
      return { receiver, ...sent };
    };

    const outcomes = [
      ...invalid.map((item) => ({
        receiver: item.urlParameter,
        delivered: false,
        reason: `invalid registry item: ${item.reason}`,
        durationMs: 0,
      })),
      ...(await Promise.all(
        matching.map((entry) =>
          deliver(entry).catch((error: Error) => ({
            receiver: entry.urlParameter,
            delivered: false,
            reason: `${error.name}: ${error.message}`,
            durationMs: 0,
          })),
        ),
      )),
    ];
    for (const outcome of outcomes) {
      if (outcome.delivered) deps.log.info("Delivered", { project, status, ...outcome });
      else deps.log.error("Not delivered", { project, status, ...outcome });
    }
    const undelivered = outcomes.filter((outcome) => !outcome.delivered);
    if (undelivered.length > 0) {
      throw new Error(
        `${undelivered.length} of ${outcomes.length} receivers not delivered: ${undelivered.map((o) => o.receiver).join(", ")}`,
      );
    }
    return { project, status, outcomes };
  };
}
