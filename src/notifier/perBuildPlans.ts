import type { PerBuildStep, ReceiverAction } from "../shared/registryFormat";
import { readDelivery, type CallOptions, type DeliveryRecord } from "./deliveryLedger";
import {
  RECORD_LIFETIME_SECONDS,
  buildOf,
  createPerBuildRecords,
  statusOrder,
  type BuildMessageRecord,
  type PerBuildRecords,
} from "./perBuildRecords";
import type { RegistryEntry } from "./registryEntries";
import type { Claimant, StreakTable } from "./streakRecords";

/** What to do for a per-build receiver, given where the build's message stands. */
export type PerBuildPlan =
  | {
      kind: "per-build";
      step: PerBuildStep;
      action: ReceiverAction;
      /** The values remembered from the post's answer, for the update's placeholders. */
      remembered: Record<string, string>;
      /** For an update whose record still says posting: the post's values, to write it posted. */
      repair?: Record<string, string>;
      /** For a late post: the poster whose invocations ended without delivering, whose claim is taken over. */
      over?: Claimant;
    }
  /** The post may still be in flight in another invocation: wait for Lambda's retry. */
  | { kind: "wait"; reason: string }
  /** Nothing to send, and nothing failed. */
  | { kind: "skip"; reason: string };

/** What deciding the per-build receivers' plans of an event needs. */
export interface PerBuildDecision {
  table: StreakTable;
  tableName: string;
  /** The build's message records. */
  records: PerBuildRecords;
  /** This invocation: its event, and its lease of the event. */
  claimant: Claimant;
  /** The event's status order (`statusOrder`). */
  order: number;
  /** Bounds every table call of the decision by the invocation's deadline. */
  options: CallOptions;
}

/** Where the decide stage finds an event's build, and this invocation's claim. */
export interface BuildMessageContext {
  table: StreakTable;
  tableName: string;
  /** The key the project's records live under (its account and region too, for another's builds). */
  projectKey: string;
  /** The build's ARN (`detail.build-id`). */
  buildId: string | undefined;
  /** When the event happened (its `time`, ISO 8601). */
  eventTime: string | undefined;
  status: string;
  claimant: Claimant;
  /** Epoch ms by which the decision's table calls must have ended. */
  deadline: number;
}

/**
 * The per-build receivers' plans for the event (see decidePerBuild), and the build whose records they
 * read and the record stage writes; an event that names no build leaves them to Lambda's retry.
 */
export async function decideBuildMessages(
  entries: readonly RegistryEntry[],
  context: BuildMessageContext,
): Promise<{ build?: string; plans: Map<RegistryEntry, PerBuildPlan> }> {
  if (entries.length === 0) return { plans: new Map() };
  const eventAt = Date.parse(context.eventTime ?? "");
  if (eventAt < Date.now() - RECORD_LIFETIME_SECONDS * 1000) {
    // The build's records may have expired since this event's build was posted and updated (a dead letter
    // is kept longer): posting now would show a finished build as new.
    const reason = "the event is older than the build's message records are kept (7 days)";
    return { plans: new Map(entries.map((entry) => [entry, { kind: "skip", reason }])) };
  }
  const build = buildOf(context.buildId);
  if (build === undefined) {
    const reason = "the event names no build (detail.build-id), whose message it would post or update";
    return { plans: new Map(entries.map((entry) => [entry, { kind: "wait", reason }])) };
  }
  const plans = await decidePerBuild(entries, {
    table: context.table,
    tableName: context.tableName,
    records: createPerBuildRecords(context.table, context.tableName, context.projectKey, build),
    claimant: context.claimant,
    order: statusOrder(context.status),
    options: { abortSignal: AbortSignal.timeout(Math.max(1, context.deadline - Date.now())) },
  });
  return { build, plans };
}

const POST_IN_FLIGHT = "another invocation is posting the build's message; left to Lambda's retry";
const NEWER_SENT = "the receiver was sent a newer status of the build already";

/**
 * Decides what each per-build receiver gets for the event, before anything is sent: reads every
 * receiver's record of the build's message (one query), and, where a record says another event is
 * posting it, that event's delivery record (the ledger knows a post in flight from one that failed for
 * good); then claims the posts, under a condition. A claim refused, or a table call that fails, leaves
 * the receiver to Lambda's retry.
 */
export async function decidePerBuild(
  entries: readonly RegistryEntry[],
  decision: PerBuildDecision,
): Promise<Map<RegistryEntry, PerBuildPlan>> {
  const { table, tableName, records, claimant, order, options } = decision;
  const plans = new Map<RegistryEntry, PerBuildPlan>();
  try {
    const read = await records.read(options);
    const posters = [
      ...new Set(
        [...read.values()].flatMap((record) =>
          record.state === "posting" && record.poster !== undefined && record.poster !== claimant.event
            ? [record.poster]
            : [],
        ),
      ),
    ];
    const deliveries = new Map(
      await Promise.all(
        posters.map(async (event) => [event, await readDelivery(table, tableName, event, options)] as const),
      ),
    );
    for (const entry of entries) {
      const record = read.get(entry.urlParameter);
      const delivery = record?.poster === undefined ? undefined : deliveries.get(record.poster);
      plans.set(entry, planPerBuild(entry, record, delivery, claimant.event, order));
    }
  } catch (error) {
    const reason = `its build message's record could not be read (${(error as Error).name}); left to Lambda's retry`;
    return new Map(entries.map((entry) => [entry, { kind: "wait", reason }]));
  }
  await Promise.all(
    [...plans].map(async ([entry, plan]) => {
      if (plan.kind !== "per-build" || plan.step !== "post") return;
      const claimed = await records
        .claimPost(entry.urlParameter, claimant, order, plan.over, options)
        .catch((error: unknown) => (error as Error).name);
      if (claimed === true) return;
      plans.set(entry, {
        kind: "wait",
        reason:
          claimed === false
            ? POST_IN_FLIGHT
            : `its build message's record could not be written (${claimed}); left to Lambda's retry`,
      });
    }),
  );
  return plans;
}

/**
 * The request a per-build receiver gets for the build's event, given its record of the build's message
 * and, when the record says another event is posting it, that event's delivery record:
 * - no record, or one this event holds (a retry of it): post;
 * - posted (by the record, or by the poster's delivery record when its record write was lost): update
 *   with the post's values, unless the receiver was sent a newer status of the build (an IN_PROGRESS
 *   arriving after the final), which sends nothing and succeeds;
 * - the poster's invocation still holds its lease: wait for Lambda's retry, never a second post;
 * - the poster's invocations ended without delivering (the post failed for good): post, late.
 */
export function planPerBuild(
  entry: RegistryEntry,
  record: BuildMessageRecord | undefined,
  posterDelivery: DeliveryRecord | undefined,
  eventId: string,
  order: number,
): PerBuildPlan {
  const { post, update } = entry.perBuild as NonNullable<RegistryEntry["perBuild"]>;
  const postPlan = (over?: Claimant): PerBuildPlan => ({
    kind: "per-build",
    step: "post",
    action: post,
    remembered: {},
    ...(over ? { over } : {}),
  });
  const updatePlan = (
    sent: number,
    values: Record<string, string>,
    repair?: Record<string, string>,
  ): PerBuildPlan =>
    sent > order
      ? { kind: "skip", reason: NEWER_SENT }
      : {
          kind: "per-build",
          step: "update",
          action: update,
          remembered: values,
          ...(repair ? { repair } : {}),
        };
  if (record === undefined || (record.state === "posting" && record.poster === eventId)) return postPlan();
  const sent = Math.max(record.sentOrder ?? 0, record.posterOrder ?? 0);
  if (record.state === "posted") return updatePlan(sent, record.values);
  if (posterDelivery?.delivered.has(entry.urlParameter)) {
    const values = { ...posterDelivery.remembered.get(entry.urlParameter) };
    return updatePlan(sent, values, values);
  }
  if (posterDelivery?.leaseHeld) return { kind: "wait", reason: POST_IN_FLIGHT };
  return postPlan({ event: record.poster ?? "", generation: posterDelivery?.generation ?? 0 });
}
