import type { QueryCommandInput, QueryCommandOutput } from "@aws-sdk/client-dynamodb";
import type { Agents, Got } from "got";
import { EVERY_PROJECT, FINAL_BUILD_STATUSES } from "../receiverDefinition";
import type { BuildStateChangeEvent } from "./buildEvent";
import { buildEventValues } from "./buildEventValues";
import { buildNotice } from "./buildNotice";
import { createDeliveryLedger, type LedgerTable, type Settlement } from "./deliveryLedger";
import type { ParameterCache } from "./parameterCache";
import { recordFinalStatus, type StatusChange, type StatusTable } from "./projectStatus";
import { findRegistryEntries, type RegistryEntry } from "./registryEntries";
import { sendNotice, type Notice } from "./sendNotice";
import { eventIdOf, webhookId } from "./webhookId";

/** Structured log lines; the fields name receivers by parameter name, never by URL or header value. */
export interface NotifierLog {
  info(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

/** The registry table: receivers are read from it, deliveries recorded in it. */
export interface RegistryTable extends LedgerTable, StatusTable {
  query(input: QueryCommandInput): Promise<QueryCommandOutput>;
}

/**
 * Deliveries in flight at once. 500 receivers at 200 ms then take five rounds (about 1 s) instead of one,
 * while the container stays far from Lambda's 1,024 file descriptors (each delivery holds a socket to its
 * receiver and, briefly, one to DynamoDB) and its memory small; below this, every delivery starts at once.
 */
export const MAX_CONCURRENT_DELIVERIES = 100;

/** Runs a task when a delivery slot is free (p-limit). */
export type DeliveryLimit = <T>(task: () => Promise<T>) => Promise<T>;

export interface NotifierDependencies {
  tableName: string;
  table: RegistryTable;
  parameters: ParameterCache;
  got: Got;
  agent?: Agents;
  log: NotifierLog;
  /** Shared by all invocations of the container; allows MAX_CONCURRENT_DELIVERIES at once. */
  limit: DeliveryLimit;
  /** Upper bound for one attempt to reach a receiver. */
  attemptTimeoutMs: number;
}

export interface InvocationContext {
  awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

/** What happened to one receiver of an event. */
export interface ReceiverOutcome {
  receiver: string;
  delivered: boolean;
  /** Set when an earlier invocation of the same event had delivered it: nothing was sent this time. */
  alreadyDelivered?: boolean;
  statusCode?: number;
  errorCode?: string;
  reason?: string;
  attempts: number;
  durationMs: number;
}

export interface NotifierResult {
  project: string;
  status: string;
  eventId: string;
  outcomes: ReceiverOutcome[];
}

/** Time kept back from the Lambda deadline to record outcomes and report. */
const DEADLINE_MARGIN_MS = 1500;

type Prepared = { entry: RegistryEntry; notice: Notice } | ReceiverOutcome;

/**
 * The notifier: finds the receivers registered for the event's project and status, renders each one's
 * body and delivers them concurrently, each (event, receiver) at most once across retries. One
 * receiver's failure never keeps another from its delivery; if any receiver is left undelivered the
 * invocation fails once all others are done, so Lambda retries it.
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
    const eventId = eventIdOf(event);
    const deadline = Date.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS;
    const ledger = createDeliveryLedger(deps.table, deps.tableName, eventId, context.awsRequestId);
    const settlements: Settlement[] = [];

    // The project's own registrations, then the catch-all ones; a receiver registered both ways gets one notice.
    const [own, catchAll] = await Promise.all([
      findRegistryEntries(deps.table.query, deps.tableName, project),
      findRegistryEntries(deps.table.query, deps.tableName, EVERY_PROJECT),
    ]);
    const seen = new Set<string>();
    const entries = [...own.entries, ...catchAll.entries].filter(
      (entry) => !seen.has(entry.urlParameter) && seen.add(entry.urlParameter),
    );
    const invalid = [...own.invalid, ...catchAll.invalid];

    // The project's last final status is kept only where a receiver needs it, but then for every final
    // event of the project, whichever receivers it matches, so "previous" is always the one before.
    const tracksStatus = entries.some(
      (entry) => entry.onlyOnChange || entry.template?.includes("PREVIOUS_STATUS"),
    );
    const statusChange: StatusChange | undefined =
      tracksStatus && (FINAL_BUILD_STATUSES as readonly string[]).includes(status)
        ? await recordFinalStatus(deps.table, deps.tableName, event)
        : undefined;
    const matching = entries.filter(
      (entry) => entry.statuses.includes(status) && (!entry.onlyOnChange || statusChange?.changed === true),
    );
    deps.log.info("Receivers found", {
      project,
      status,
      eventId,
      registered: entries.length + invalid.length,
      matching: matching.length,
      ...(statusChange
        ? { previousStatus: statusChange.previous ?? null, statusChanged: statusChange.changed }
        : {}),
    });

    const parameterNames = matching.flatMap((entry) =>
      [entry.urlParameter, entry.headersParameter, entry.signingSecretParameter].filter(
        (name): name is string => name !== undefined,
      ),
    );
    const parameters = await deps.parameters.read(parameterNames);
    const values = { ...buildEventValues(event), PREVIOUS_STATUS: statusChange?.previous ?? "" };

    const failure = (receiver: string, reason: string): ReceiverOutcome => ({
      receiver,
      delivered: false,
      reason,
      attempts: 0,
      durationMs: 0,
    });

    const prepare = (entry: RegistryEntry): Prepared => {
      const receiver = entry.urlParameter;
      const built = buildNotice(
        entry,
        parameters,
        values,
        webhookId(eventId, receiver),
        Math.floor(Date.now() / 1000),
      );
      if ("reason" in built) return failure(receiver, built.reason);
      if (built.unknownNames.length > 0) {
        deps.log.warn("Template names unknown placeholders; they are sent as written", {
          receiver,
          unknownNames: built.unknownNames,
        });
      }
      return { entry, notice: built.notice };
    };

    const deliver = async ({
      entry,
      notice,
    }: {
      entry: RegistryEntry;
      notice: Notice;
    }): Promise<ReceiverOutcome> => {
      const receiver = entry.urlParameter;
      const claim = await ledger.claim(receiver, deadline + DEADLINE_MARGIN_MS);
      if (claim === "delivered")
        return { receiver, delivered: true, alreadyDelivered: true, attempts: 0, durationMs: 0 };
      if (claim === "claimed-elsewhere")
        return failure(receiver, "another invocation of this event is delivering it");
      const sent = await sendNotice(deps.got, notice, {
        deadline,
        attemptTimeoutMs: deps.attemptTimeoutMs,
        agent: deps.agent,
        onRetry: (retry) => deps.log.warn("Retrying", { project, status, eventId, receiver, ...retry }),
      });
      settlements.push({ receiver, ...sent });
      return { receiver, ...sent };
    };

    const outcomes = [
      ...invalid.map((item) => failure(item.urlParameter, `invalid registry item: ${item.reason}`)),
      ...(await Promise.all(
        matching.map(async (entry) => {
          try {
            const prepared = prepare(entry);
            return "notice" in prepared ? await deps.limit(() => deliver(prepared)) : prepared;
          } catch (error) {
            return failure(entry.urlParameter, `${(error as Error).name}: ${(error as Error).message}`);
          }
        }),
      )),
    ];
    // A delivery left unrecorded is not lost, only exposed to a second notice if the event is retried.
    const unrecorded = await ledger.settle(settlements);
    if (unrecorded.length > 0)
      deps.log.error("Delivery records not written", { eventId, receivers: unrecorded });
    for (const outcome of outcomes) {
      const fields = { project, status, eventId, ...outcome };
      if (outcome.alreadyDelivered) deps.log.info("Already delivered by an earlier invocation", fields);
      else if (outcome.delivered) deps.log.info("Delivered", fields);
      else deps.log.error("Not delivered", fields);
    }
    const undelivered = outcomes.filter((outcome) => !outcome.delivered);
    if (undelivered.length > 0) {
      throw new Error(
        `${undelivered.length} of ${outcomes.length} receivers not delivered: ${undelivered.map((o) => o.receiver).join(", ")}`,
      );
    }
    return { project, status, eventId, outcomes };
  };
}
