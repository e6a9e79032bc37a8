import type { QueryCommandInput, QueryCommandOutput } from "@aws-sdk/client-dynamodb";
import type { Agents, Got } from "got";
import { admitEvent, type InvocationContext } from "./admitEvent";
import type { BuildStateChangeEvent } from "./buildEvent";
import { decidePlans } from "./decidePlans";
import { deliverRequests, type DeliveryLimit } from "./deliverRequests";
import type { CallOptions, UnrecordedDeliveries } from "./deliveryLedger";
import { findReceivers } from "./findReceivers";
import type { NotifierLog } from "./notifierLog";
import { createTokenSource, type TokenSource } from "./oauthTokens";
import type { ParameterCache } from "./parameterCache";
import { prepareRequests } from "./prepareRequests";
import type { StatusTable } from "./projectStatus";
import type { NotifierResult } from "./receiverOutcome";
import { recordOutcomes } from "./recordOutcomes";
import { reportOutcomes } from "./reportOutcomes";
import { createNoticeSender, type NoticeSender } from "./sendNotice";
import type { StreakTable } from "./streakRecords";

/** The registry table: receivers are read from it, deliveries and project status recorded in it. */
export interface RegistryTable extends StatusTable, StreakTable {
  query(input: QueryCommandInput, options?: CallOptions): Promise<QueryCommandOutput>;
}

export interface NotifierDependencies {
  tableName: string;
  /** Where the receivers' parameters live (`/webhooks/` or the stack's `parameterPath`). */
  parameterPath: string;
  /**
   * The AWS accounts whose builds the notifier serves (its own and the stack's `sourceAccounts`), or
   * `*` for any account the event bus admits (an organization); undefined for no check.
   */
  sourceAccounts?: string;
  table: RegistryTable;
  parameters: ParameterCache;
  /** The HTTP client, loaded when the first notice is sent. */
  got: () => Got;
  agent?: Agents;
  log: NotifierLog;
  /** Shared by all invocations of the container; allows MAX_CONCURRENT_DELIVERIES at once. */
  limit: DeliveryLimit;
  /** Upper bound for one attempt to reach a receiver. */
  attemptTimeoutMs: number;
  /** Told every event's outcomes, whether the invocation then succeeds or fails (for metrics). */
  report?: (result: NotifierResult) => void;
}

/**
 * The notifier: finds the receivers registered for the event's project and status, renders each one's
 * body and delivers them concurrently, each (event, receiver) at most once across retries. One
 * receiver's failure never keeps another from its delivery; if any receiver is left undelivered the
 * invocation fails once all others are done, so Lambda retries it. What the container keeps across
 * invocations (the HTTP client, OAuth tokens, deliveries it could not record) is made here, once.
 */
export function createNotifier(deps: NotifierDependencies) {
  // Deliveries the container made but could not record, by event: its next lease of the event writes them.
  const unrecorded: UnrecordedDeliveries = new Map();
  let sender: NoticeSender | undefined;
  const send: NoticeSender = (notice, options) =>
    (sender ??= createNoticeSender(deps.got(), deps.agent))(notice, options);
  // OAuth access tokens, kept for the container's life (each until shortly before it expires).
  const tokens: TokenSource = createTokenSource(send);
  const withLedger = { ...deps, unrecorded };
  const withSender = { ...deps, send, tokens };

  return async function notify(
    event: BuildStateChangeEvent,
    context: InvocationContext,
  ): Promise<NotifierResult> {
    const admitted = admitEvent(event, context, deps.sourceAccounts);
    const receivers = await findReceivers(admitted, deps);
    const decision = await decidePlans(admitted, receivers, withLedger);
    const requests = await prepareRequests(admitted, decision, deps);
    const deliveries = await deliverRequests(admitted, requests, withSender);
    await recordOutcomes(admitted, decision, deliveries, withLedger);
    return reportOutcomes(admitted, [...receivers.invalid, ...deliveries.outcomes], deps);
  };
}
