import type { AdmittedEvent } from "./admitEvent";
import { createAlertOrder, type AlertOrder, type AlertPlace } from "./alertOrder";
import type { Decision } from "./decidePlans";
import type { Deliveries } from "./deliverRequests";
import {
  createDeliveryLedger,
  type DeliveryLedger,
  type Settlement,
  type UnrecordedDeliveries,
} from "./deliveryLedger";
import type { ActionPlan } from "./healthActions";
import { createPerBuildRecords, statusOrder, type PerBuildRecords } from "./perBuildRecords";
import type { PerBuildPlan } from "./perBuildPlans";
import { createStreakRecords, type StreakRecords, type StreakTable } from "./streakRecords";

/** An action sent (or tried) to a receiver with actions, for its streak record. */
export interface ActionDelivery {
  receiver: string;
  plan: Extract<ActionPlan, { kind: "send" }>;
  delivered: boolean;
  /** The values its answer gave, when delivered. */
  kept: Record<string, string>;
}

/** A post or update sent (or tried) to a per-build receiver, for its record of the build's message. */
export interface PerBuildDelivery {
  receiver: string;
  plan: Extract<PerBuildPlan, { kind: "per-build" }>;
  delivered: boolean;
  /** The values its answer gave, when delivered. */
  kept: Record<string, string>;
}

/** The logging the record stage needs; it names receivers and error codes, never values. */
export interface RecordLog {
  error(message: string, fields: Record<string, unknown>): void;
}

export interface RecordDependencies {
  table: StreakTable;
  tableName: string;
  /** Receivers delivered but not recorded by this container, by event (see UnrecordedDeliveries). */
  unrecorded: UnrecordedDeliveries;
  log: RecordLog;
}

/** Time kept back from the Lambda deadline once the outcomes are being recorded, to report them. */
const REPORT_MARGIN_MS = 200;

/**
 * Every table write after the deliveries, in one place and under one rule: the event's delivery record
 * (which receivers were delivered and failed, the verdict, what their answers gave to remember; where the
 * decision took the event's lease), the alert order's places, each receiver's streak record and each
 * per-build receiver's record of the build's message are written at once, all bounded by the
 * invocation's deadline. A receiver that answered 2xx was delivered, whatever becomes of these writes: a
 * write that fails or does not finish in time is logged (by receiver and error code) and never fails the
 * invocation, which would have Lambda's retry send it again. The delivery record keeps what a streak or
 * build message record write loses: a later build (or the build's next event) finds the values there.
 */
export async function recordOutcomes(
  { eventId, requestId, projectKey, status, lambdaDeadline }: AdmittedEvent,
  { lease, verdict, streak, build, plans }: Decision,
  { outcomes, actions, messages }: Deliveries,
  { table, tableName, unrecorded, log }: RecordDependencies,
): Promise<void> {
  const sent = outcomes.filter((outcome) => !outcome.alreadyDelivered);
  await writeRecords({
    ledger: lease ? createDeliveryLedger(table, tableName, eventId, requestId, unrecorded) : undefined,
    settlement: {
      delivered: sent.filter((outcome) => outcome.delivered).map((outcome) => outcome.receiver),
      failed: sent
        .filter((outcome) => !outcome.delivered && outcome.attempts > 0)
        .map((outcome) => outcome.receiver),
      verdict,
      remembered: new Map(
        [...actions, ...messages]
          .filter((action) => action.delivered)
          .map((action) => [action.receiver, action.kept]),
      ),
    },
    streaks:
      streak !== undefined
        ? {
            records: createStreakRecords(table, tableName, projectKey),
            streak,
            order: createAlertOrder(table, tableName, projectKey),
            places: plans.flatMap(({ entry, plan }) =>
              plan.kind === "send" && plan.order ? [{ receiver: entry.urlParameter, place: plan.order }] : [],
            ),
          }
        : undefined,
    eventId,
    actions,
    ...(build !== undefined
      ? {
          messages: {
            records: createPerBuildRecords(table, tableName, projectKey, build),
            order: statusOrder(status),
            deliveries: messages,
          },
        }
      : {}),
    abortSignal: AbortSignal.timeout(Math.max(1, lambdaDeadline - Date.now() - REPORT_MARGIN_MS)),
    log,
  });
}

/** The records of one event to write, with the objects that write them. */
interface Records {
  /** Undefined when no receiver hears of the event (nothing is recorded of it). */
  ledger?: DeliveryLedger;
  settlement: Settlement;
  /**
   * The project's streak records, with the streak the event belongs to, and the alert order whose
   * places the event's openings and fixes took (by receiver), to give up.
   */
  streaks?: {
    records: StreakRecords;
    streak: number;
    order: AlertOrder;
    places: readonly { receiver: string; place: AlertPlace }[];
  };
  eventId: string;
  actions: readonly ActionDelivery[];
  /** The build's message records, the event's status order, and the posts and updates sent. */
  messages?: { records: PerBuildRecords; order: number; deliveries: readonly PerBuildDelivery[] };
  /** Fires at the invocation's deadline, less the time to report. */
  abortSignal: AbortSignal;
  log: RecordLog;
}

/** Writes the records at once; a write that fails is logged and fails nothing else. */
async function writeRecords(records: Records): Promise<void> {
  const { ledger, settlement, streaks, eventId, abortSignal, log } = records;
  const options = { abortSignal };
  const writeStreak = async ({ receiver, plan, delivered, kept }: ActionDelivery): Promise<void> => {
    if (!streaks) return;
    const { records: streakRecords, streak } = streaks;
    const closing = delivered && plan.record === "closed";
    if (plan.repairFrom !== undefined && !closing) {
      await streakRecords.opened(receiver, streak, plan.repairFrom, plan.remembered, options);
    }
    if (!delivered) return;
    if (plan.record === "opened") await streakRecords.opened(receiver, streak, eventId, kept, options);
    else if (plan.record === "remember") await streakRecords.remember(receiver, streak, kept, options);
    else if (plan.record === "closed") {
      await streakRecords.closed(receiver, streak, eventId, { ...plan.remembered, ...kept }, options);
    }
  };

  // The record of an event that opened a streak outlives the 15 days of others: it is where the streak's
  // later builds learn of the opening when the streak record missed it.
  const opened = records.actions
    .filter(({ delivered, plan }) => delivered && plan.record === "opened")
    .map(({ receiver }) => receiver);
  await Promise.all([
    ledger?.settle({ ...settlement, opened }, abortSignal).catch((error: unknown) => {
      // The notices went out; only their record is missing. Failing for that alone would have Lambda's
      // retry send them again, so the invocation fails only for receivers left undelivered.
      log.error("Delivery records not written; a retry of this event may send these again", {
        eventId,
        receivers: settlement.delivered,
        errorCode: (error as Error).name,
      });
    }),
    ...(streaks?.places ?? []).map(({ receiver, place }) =>
      streaks?.order.released(receiver, place, eventId, options).catch((error: unknown) =>
        log.error("Alert order not released; a newer streak's actions wait for this invocation's deadline", {
          eventId,
          receiver,
          errorCode: (error as Error).name,
        }),
      ),
    ),
    ...(records.messages?.deliveries ?? []).map(async ({ receiver, plan, delivered, kept }) => {
      const messages = records.messages;
      if (!delivered || !messages) return;
      const written =
        plan.step === "post"
          ? messages.records.posted(receiver, eventId, messages.order, kept, options)
          : messages.records.updated(receiver, messages.order, kept, plan.repair, options);
      await written.catch((error: unknown) =>
        log.error("Build message record not written; the delivery record keeps what the answer gave", {
          eventId,
          receiver,
          action: plan.step,
          errorCode: (error as Error).name,
        }),
      );
    }),
    ...records.actions.map((action) =>
      writeStreak(action).catch((error: unknown) =>
        log.error("Streak record not written; the delivery record keeps what the answer gave", {
          eventId,
          receiver: action.receiver,
          transition: action.plan.transition,
          errorCode: (error as Error).name,
        }),
      ),
    ),
  ]);
}
