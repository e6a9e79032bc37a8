import type { QueryCommandInput, QueryCommandOutput } from "@aws-sdk/client-dynamodb";
import type { Agents, Got } from "got";
import { FINAL_BUILD_STATUSES } from "../shared/buildStatuses";
import { EVERY_PROJECT } from "../shared/registryFormat";
import type { BuildStateChangeEvent } from "./buildEvent";
import { buildEventValues, eventValues } from "./buildEventValues";
import { buildNotice, type BuiltNotice } from "./buildNotice";
import { createAlertOrder } from "./alertOrder";
import { decideActions } from "./decideActions";
import { createDeliveryLedger, type CallOptions, type UnrecordedDeliveries } from "./deliveryLedger";
import type { ParameterCache } from "./parameterCache";
import { actsOn, rememberedNames, type ActionPlan } from "./healthActions";
import { createTokenSource, type TokenSource } from "./oauthTokens";
import { evaluateFinalStatus, type StatusTable } from "./projectStatus";
import { hearsStatus } from "./failedBuilds";
import { recordOutcomes, type ActionDelivery } from "./recordOutcomes";
import { findRegistryEntries, type RegistryEntry } from "./registryEntries";
import { scrubSecrets } from "./scrubSecrets";
import {
  createNoticeSender,
  NOT_STARTED,
  type Notice,
  type NoticeSender,
  type SendOptions,
  type SendResult,
} from "./sendNotice";
import { createStreakRecords, rememberFrom, type StreakTable } from "./streakRecords";
import type { Verdict } from "./verdict";
import { eventIdOf, webhookId } from "./webhookId";

/** Structured log lines; the fields name receivers by parameter name, never by URL or header value. */
export interface NotifierLog {
  info(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

/** The registry table: receivers are read from it, deliveries and project status recorded in it. */
export interface RegistryTable extends StatusTable, StreakTable {
  query(input: QueryCommandInput, options?: CallOptions): Promise<QueryCommandOutput>;
}

/**
 * Deliveries in flight at once. 500 receivers at 200 ms then take five rounds (about 1 s) instead of one,
 * while the container stays far from Lambda's 1,024 file descriptors (each delivery holds a socket to its
 * receiver) and its memory small; below this, every delivery starts at once.
 */
export const MAX_CONCURRENT_DELIVERIES = 100;

/** Runs a task when a delivery slot is free (p-limit). */
export type DeliveryLimit = <T>(task: () => Promise<T>) => Promise<T>;

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

export interface InvocationContext {
  awsRequestId: string;
  /** `arn:<partition>:lambda:<region>:<account>:function:<name>`: where the notifier itself runs. */
  invokedFunctionArn?: string;
  getRemainingTimeInMillis(): number;
}

/** What happened to one receiver of an event. */
export interface ReceiverOutcome {
  receiver: string;
  delivered: boolean;
  /** Set when an earlier invocation of the same event had delivered it: nothing was sent this time. */
  alreadyDelivered?: boolean;
  /** Why nothing was sent to a receiver with actions, although nothing failed. */
  skipped?: string;
  /** The transition whose action was sent (receivers with actions per transition). */
  transition?: string;
  statusCode?: number;
  /** The start of a refusing receiver's answer (its error text), control characters removed. */
  responseBody?: string;
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
/** Time kept back from the Lambda deadline once the outcomes are being recorded, to report them. */
const REPORT_MARGIN_MS = 200;
/** How much of a refusing receiver's answer goes into logs, results and dead letters. */
const RESPONSE_BODY_LOGGED = 1024;
/** Placeholders whose values come from the project's build health, which must then be kept. */
const BUILD_HEALTH_PLACEHOLDERS = /PREVIOUS_STATUS|FAILURE_COUNT|TRANSITION/;
/** The only events the notifier acts on: anyone who may invoke it could hand it anything else. */
const BUILD_STATE_CHANGE = { source: "aws.codebuild", detailType: "CodeBuild Build State Change" };

/**
 * The notifier: finds the receivers registered for the event's project and status, renders each one's
 * body and delivers them concurrently, each (event, receiver) at most once across retries. One
 * receiver's failure never keeps another from its delivery; if any receiver is left undelivered the
 * invocation fails once all others are done, so Lambda retries it.
 */
export function createNotifier(deps: NotifierDependencies) {
  const unrecorded: UnrecordedDeliveries = new Map();
  let sender: NoticeSender | undefined;
  const sendNotice: NoticeSender = (notice, options) =>
    (sender ??= createNoticeSender(deps.got(), deps.agent))(notice, options);
  // OAuth access tokens, kept for the container's life (each until shortly before it expires).
  const tokens: TokenSource = createTokenSource(sendNotice);

  return async function notify(
    event: BuildStateChangeEvent,
    context: InvocationContext,
  ): Promise<NotifierResult> {
    if (
      event.source !== BUILD_STATE_CHANGE.source ||
      event["detail-type"] !== BUILD_STATE_CHANGE.detailType
    ) {
      throw new Error(
        `Refused: not a CodeBuild Build State Change event (source "${String(event.source)}", ` +
          `detail-type "${String(event["detail-type"])}")`,
      );
    }
    const accounts = deps.sourceAccounts?.split(",");
    if (accounts && !accounts.includes("*") && !accounts.includes(String(event.account))) {
      throw new Error(
        `Refused: a build of account ${JSON.stringify(event.account)}, which this stack does not serve ` +
          "(its sourceAccounts setting)",
      );
    }
    const project = event.detail?.["project-name"];
    const status = event.detail?.["build-status"];
    if (typeof project !== "string" || typeof status !== "string") {
      throw new Error(
        "The event is not a CodeBuild Build State Change: detail.project-name or build-status is missing",
      );
    }
    const eventId = eventIdOf(event);
    const lambdaDeadline = Date.now() + context.getRemainingTimeInMillis();
    const deadline = lambdaDeadline - DEADLINE_MARGIN_MS;

    // The project's own registrations, then the catch-all ones.
    const [own, catchAll] = await Promise.all([
      findRegistryEntries(deps.table.query, deps.tableName, project, deps.parameterPath),
      findRegistryEntries(deps.table.query, deps.tableName, EVERY_PROJECT, deps.parameterPath),
    ]);
    // Registrations for other accounts or regions than the build's are none of this event's business.
    const account = event.account ?? "";
    const region = event.region ?? "";
    const entries = [...own.entries, ...catchAll.entries].filter(
      (entry) =>
        (entry.accounts === undefined || entry.accounts.includes(account)) &&
        (entry.regions === undefined || entry.regions.includes(region)),
    );
    const invalid = [...own.invalid, ...catchAll.invalid];
    const forStatus = entries.filter((entry) => hearsStatus(entry.statuses, status));
    const isFinal = (FINAL_BUILD_STATUSES as readonly string[]).includes(status);
    // The project's status is kept only where a receiver needs it, but then for every final event of the
    // project, whichever receivers it matches, so "previous" is always the one before.
    const tracksStatus =
      isFinal &&
      entries.some(
        (entry) =>
          entry.actions !== undefined ||
          entry.onlyOnChange ||
          BUILD_HEALTH_PLACEHOLDERS.test(entry.template ?? ""),
      );

    // Nothing is recorded of an event that no receiver hears of.
    const ledger =
      forStatus.length > 0
        ? createDeliveryLedger(deps.table, deps.tableName, eventId, context.awsRequestId, unrecorded)
        : undefined;
    const lease = await ledger?.claim(lambdaDeadline);
    if (lease === "held-elsewhere") {
      throw new Error(
        `${forStatus.length} receivers not delivered: another invocation of this event holds its lease; ` +
          "Lambda's retry finds them delivered, or delivers them",
      );
    }
    const verdict: Verdict | undefined =
      lease?.verdict ??
      (tracksStatus
        ? await evaluateFinalStatus(deps.table, deps.tableName, event, projectKey(project, event, context))
        : undefined);

    // A receiver registered for the project and for every project gets one notice, from whichever
    // registration matches the event.
    const seen = new Set<string>();
    const matching = forStatus
      .filter((entry) =>
        entry.actions ? actsOn(entry, verdict?.transition) : !entry.onlyOnChange || verdict?.changed === true,
      )
      .filter((entry) => !seen.has(entry.urlParameter) && seen.add(entry.urlParameter));
    deps.log.info("Receivers found", {
      project,
      status,
      eventId,
      registered: entries.length + invalid.length,
      matching: matching.length,
      ...(verdict
        ? {
            previousStatus: verdict.previous ?? null,
            statusChanged: verdict.changed,
            transition: verdict.transition ?? null,
            failureCount: verdict.failureCount,
          }
        : {}),
    });

    const alreadyDelivered = lease ? matching.filter((entry) => lease.delivered.has(entry.urlParameter)) : [];
    // Receivers that failed an earlier invocation of this event go last, so those that answer are not
    // kept waiting behind those that hang.
    const toSend = matching
      .filter((entry) => !lease?.delivered.has(entry.urlParameter))
      .sort((a, b) => Number(lease?.failed.has(a.urlParameter)) - Number(lease?.failed.has(b.urlParameter)));

    // Reads may take the time left but one delivery attempt's (and half of it at least): a cold container
    // with many receivers paces its reads within the account's quota, shared with CodeBuild.
    const readDeadline = Math.max(deadline - deps.attemptTimeoutMs, (Date.now() + deadline) / 2);
    const { values: parameters, refused } = await deps.parameters.read(
      toSend.flatMap(parameterNames),
      readDeadline,
    );
    // The notifier's own names, over the build's variables; for receivers with actions, over what they
    // remembered too (buildEventValues puts those between).
    const healthValues = {
      PREVIOUS_STATUS: verdict?.previous ?? "",
      FAILURE_COUNT: verdict ? String(verdict.failureCount) : "",
      TRANSITION: "",
    };
    const values = { ...buildEventValues(event), ...healthValues };
    // What receivers with actions get is decided before anything is sent, the rights to open or close
    // their streaks claimed; only events that have such receivers read or write streak records.
    const key = projectKey(project, event, context);
    const withActions = verdict ? toSend.filter((entry) => entry.actions) : [];
    const plans: Map<RegistryEntry, ActionPlan> =
      verdict && withActions.length > 0
        ? await decideActions(withActions, {
            table: deps.table,
            tableName: deps.tableName,
            project: key,
            claimant: { event: eventId, generation: lease?.generation ?? 0 },
            leaseUntil: lambdaDeadline,
            verdict,
            options: { abortSignal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) },
          })
        : new Map();

    const failure = (receiver: string, reason: string): ReceiverOutcome => ({
      receiver,
      delivered: false,
      reason,
      attempts: 0,
      durationMs: 0,
    });
    const skipped = (receiver: string, reason: string): ReceiverOutcome => ({
      receiver,
      delivered: false,
      skipped: reason,
      attempts: 0,
      durationMs: 0,
    });

    const prepare = (entry: RegistryEntry): Prepared | ReceiverOutcome => {
      const plan = plans.get(entry);
      if (plan?.kind === "wait") return failure(entry.urlParameter, plan.reason);
      if (plan?.kind === "skip") return skipped(entry.urlParameter, plan.reason);
      const sending = plan?.kind === "send" ? plan : undefined;
      const own = sending ? { ...healthValues, TRANSITION: sending.transition } : healthValues;
      const built = buildNotice(
        entry,
        parameters,
        sending ? { ...actionBodyValues(event, entry, sending.remembered), ...own } : values,
        webhookId(eventId, entry.urlParameter),
        Math.floor(Date.now() / 1000),
        refused,
        // A path takes the notifier's names and remembered values: a build's variables never reach it.
        sending
          ? { action: sending.action, pathValues: { ...sending.remembered, ...eventValues(event), ...own } }
          : undefined,
      );
      if ("reason" in built) return failure(entry.urlParameter, built.reason);
      if (built.unknownNames.length > 0) {
        deps.log.warn("Template names unknown placeholders; they are sent as written", {
          receiver: entry.urlParameter,
          unknownNames: built.unknownNames,
        });
      }
      return built;
    };

    // Each delivery, when its slot comes, gets a fair share of the time left: all of it while there are
    // slots for every unfinished delivery, less while some wait, so hung receivers cannot hold every slot
    // until the deadline while those queued behind them never start.
    let unfinished = toSend.length;
    const actionDeliveries: ActionDelivery[] = [];
    const deliver = async (entry: RegistryEntry, prepared: Prepared): Promise<ReceiverOutcome> => {
      const receiver = entry.urlParameter;
      const plan = plans.get(entry);
      const sending = plan?.kind === "send" ? plan : undefined;
      const now = Date.now();
      const share = Math.min(1, MAX_CONCURRENT_DELIVERIES / Math.max(1, unfinished));
      const options: SendOptions = {
        deadline: now + (deadline - now) * share,
        attemptTimeoutMs: deps.attemptTimeoutMs,
        onRetry: (retry) => deps.log.warn("Retrying", { project, status, eventId, receiver, ...retry }),
      };
      const secrets = [...prepared.secrets];
      const sent = prepared.oauth
        ? await sendWithToken(
            { send: sendNotice, tokens, log: deps.log, logFields: { project, status, eventId } },
            entry,
            prepared,
            options,
            secrets,
          )
        : await sendNotice(prepared.notice, options);
      if ("reason" in sent) {
        if (sending) actionDeliveries.push({ receiver, plan: sending, delivered: false, kept: {} });
        return { ...failure(receiver, scrubSecrets(sent.reason, secrets)), ...sent.outcome };
      }
      if (!sending) return outcomeOf(receiver, sent, secrets);
      const kept = sent.delivered ? rememberFrom(sent.answer, sending.action.remember ?? {}) : undefined;
      if (kept && kept.missing.length > 0) {
        deps.log.warn("The answer lacks fields to remember", {
          receiver,
          transition: sending.transition,
          fields: kept.missing.map((name) => sending.action.remember?.[name]),
        });
      }
      actionDeliveries.push({ receiver, plan: sending, delivered: sent.delivered, kept: kept?.values ?? {} });
      return { ...outcomeOf(receiver, sent, secrets), transition: sending.transition };
    };

    const sendOutcomes = await Promise.all(
      toSend.map(async (entry) => {
        try {
          const prepared = prepare(entry);
          return "notice" in prepared ? await deps.limit(() => deliver(entry, prepared)) : prepared;
        } catch (error) {
          return failure(entry.urlParameter, `${(error as Error).name}: ${(error as Error).message}`);
        } finally {
          unfinished -= 1;
        }
      }),
    );
    const outcomes: ReceiverOutcome[] = [
      ...invalid.map((item) => failure(item.urlParameter, `invalid registry item: ${item.reason}`)),
      ...alreadyDelivered.map((entry) => ({
        receiver: entry.urlParameter,
        delivered: true,
        alreadyDelivered: true,
        attempts: 0,
        durationMs: 0,
      })),
      ...sendOutcomes,
    ];

    await recordOutcomes({
      ledger,
      settlement: {
        delivered: sendOutcomes.filter((outcome) => outcome.delivered).map((outcome) => outcome.receiver),
        failed: sendOutcomes
          .filter((outcome) => !outcome.delivered && outcome.attempts > 0)
          .map((outcome) => outcome.receiver),
        verdict,
        remembered: new Map(
          actionDeliveries
            .filter((action) => action.delivered)
            .map((action) => [action.receiver, action.kept]),
        ),
      },
      streaks:
        verdict?.streak !== undefined && plans.size > 0
          ? {
              records: createStreakRecords(deps.table, deps.tableName, key),
              streak: verdict.streak,
              order: createAlertOrder(deps.table, deps.tableName, key),
              closings: [...plans]
                .filter(([, plan]) => plan.kind === "send" && plan.order === "closing")
                .map(([entry]) => entry.urlParameter),
            }
          : undefined,
      eventId,
      actions: actionDeliveries,
      abortSignal: AbortSignal.timeout(Math.max(1, lambdaDeadline - Date.now() - REPORT_MARGIN_MS)),
      log: deps.log,
    });
    for (const outcome of outcomes) {
      const fields = { project, status, eventId, ...outcome };
      if (outcome.alreadyDelivered) deps.log.info("Already delivered by an earlier invocation", fields);
      else if (outcome.skipped) deps.log.info("Nothing to send", fields);
      else if (outcome.delivered) deps.log.info("Delivered", fields);
      else deps.log.error("Not delivered", fields);
    }
    deps.report?.({ project, status, eventId, outcomes });
    const undelivered = outcomes.filter((outcome) => !outcome.delivered && !outcome.skipped);
    if (undelivered.length > 0) {
      throw new Error(
        `${undelivered.length} of ${outcomes.length} receivers not delivered: ` +
          undelivered.map((outcome) => `${outcome.receiver} (${whyUndelivered(outcome)})`).join("; "),
      );
    }
    return { project, status, eventId, outcomes };
  };
}

/**
 * The key a project's status and streak records live under. Project names repeat across accounts and
 * regions, and so do build numbers: a build from another account or region than the notifier's own is
 * kept apart, under `<project>@<account>/<region>` (CodeBuild project names hold neither `@` nor `/`).
 */
function projectKey(project: string, event: BuildStateChangeEvent, context: InvocationContext): string {
  const [, , , region, account] = (context.invokedFunctionArn ?? "").split(":");
  const own = (event.account ?? account) === account && (event.region ?? region) === region;
  return own ? project : `${project}@${event.account ?? ""}/${event.region ?? ""}`;
}

type Prepared = Extract<BuiltNotice, { notice: Notice }>;

/** What sending with a token needs of the notifier. */
interface TokenSending {
  send: NoticeSender;
  tokens: TokenSource;
  log: NotifierLog;
  /** The event's fields of every log line. */
  logFields: Record<string, string>;
}

/**
 * Sends a notice of a receiver with OAuth: with the container's token for its credentials, or a new one.
 * A 401 answer drops that token, and the notice is sent once more with a new one. The tokens join
 * `secrets`, so that an answer echoing one is scrubbed.
 */
async function sendWithToken(
  { send, tokens, log, logFields }: TokenSending,
  entry: RegistryEntry,
  { notice, oauth }: Prepared,
  options: SendOptions,
  secrets: string[],
): Promise<SendResult | { reason: string; outcome: Partial<ReceiverOutcome> }> {
  const credentials = oauth as NonNullable<Prepared["oauth"]>;
  const fields = { ...logFields, receiver: entry.urlParameter };
  type Failed = { reason: string; outcome: Partial<ReceiverOutcome> };
  const withToken = async (): Promise<{ sent: SendResult; token: string } | Failed> => {
    const got = await tokens.token(credentials, options);
    if ("failure" in got) {
      const reason =
        got.errorCode === NOT_STARTED
          ? NOT_STARTED_REASON
          : `no OAuth token for receiver ${entry.name}: ${got.failure}`;
      return { reason, outcome: got.errorCode ? { errorCode: got.errorCode } : {} };
    }
    secrets.push(got.token);
    if (got.requested) {
      log.info("OAuth token obtained", {
        ...fields,
        attempts: got.attempts,
        keptForSeconds: got.keptForSeconds,
      });
    }
    return { sent: await send(withBearer(notice, got.token), options), token: got.token };
  };
  const first = await withToken();
  if ("reason" in first) return first;
  if (first.sent.statusCode !== 401) return first.sent;
  // The delivery's latency runs from its first attempt to its final answer, the new token's wait included.
  const firstAttemptAt = Date.now() - first.sent.durationMs;
  // The receiver no longer takes the token (revoked, or expired early): one more try with a new one.
  tokens.invalidate(credentials, first.token);
  log.warn("The receiver refused its OAuth token (401); retrying once with a new one", fields);
  const second = await withToken();
  if ("reason" in second) {
    return { reason: second.reason, outcome: { ...second.outcome, attempts: first.sent.attempts } };
  }
  return {
    ...second.sent,
    attempts: first.sent.attempts + second.sent.attempts,
    durationMs: Date.now() - firstAttemptAt,
  };
}

/**
 * The values an action's body takes: the build's variables, the values the receiver remembered in the
 * streak, and the notifier's own names over both. A name any action of the receiver remembers is never
 * filled from a build variable (whoever starts a build would choose the ticket it closes): without a
 * remembered value, it is sent as written.
 */
function actionBodyValues(
  event: BuildStateChangeEvent,
  entry: RegistryEntry,
  remembered: Readonly<Record<string, string>>,
): Record<string, string> {
  const unfilled = [...rememberedNames(entry)].filter((name) => !Object.hasOwn(remembered, name));
  return Object.fromEntries(
    Object.entries(buildEventValues(event, remembered)).filter(([name]) => !unfilled.includes(name)),
  );
}

/** The SSM parameters a registration names, read before its notices are built. */
function parameterNames(entry: RegistryEntry): string[] {
  return [
    entry.urlParameter,
    entry.headersParameter,
    entry.signingSecretParameter,
    entry.oauth?.tokenUrlParameter,
    entry.oauth?.clientIdParameter,
    entry.oauth?.clientSecretParameter,
    ...Object.values(entry.bodySecretParameters ?? {}),
  ].filter((name): name is string => name !== undefined);
}

/** The notice with the bearer token, over any Authorization header of the receiver's headers. */
function withBearer(notice: Notice, token: string): Notice {
  const headers = Object.fromEntries(
    Object.entries(notice.headers).filter(([name]) => name.toLowerCase() !== "authorization"),
  );
  return { ...notice, headers: { ...headers, Authorization: `Bearer ${token}` } };
}

const NOT_STARTED_REASON = "not started: too little time left before the deadline; left for Lambda's retry";

/**
 * A delivery's outcome. A refusing receiver's answer may echo the request it refused: every secret of
 * the receiver (`secrets`) is scrubbed from it before it is kept, then it is cut to its first KiB.
 */
function outcomeOf(receiver: string, sent: SendResult, secrets: readonly string[]): ReceiverOutcome {
  const { answer, ...result } = sent;
  const refusal =
    !sent.delivered && answer ? scrubSecrets(answer, secrets).slice(0, RESPONSE_BODY_LOGGED) : "";
  return {
    receiver,
    ...result,
    ...(refusal ? { responseBody: refusal.replace(/\p{Cc}+/gu, " ").trim() } : {}),
    ...(sent.errorCode === NOT_STARTED ? { reason: NOT_STARTED_REASON } : {}),
  };
}

/** Why a receiver was not delivered, as the error (and so the dead letter) says. */
function whyUndelivered(outcome: ReceiverOutcome): string {
  if (outcome.reason) return outcome.reason;
  if (outcome.statusCode !== undefined) {
    return `answered ${outcome.statusCode}${outcome.responseBody ? `: ${outcome.responseBody}` : ""}`;
  }
  return `no answer: ${outcome.errorCode ?? "unknown error"}`;
}
