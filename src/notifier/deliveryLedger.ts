import type {
  AttributeValue,
  GetItemCommandInput,
  GetItemCommandOutput,
  UpdateItemCommandInput,
  UpdateItemCommandOutput,
} from "@aws-sdk/client-dynamodb";
import { isConditionFailure } from "./conditionFailure";
import { expiresIn, OPEN_STREAK_LIFETIME_SECONDS } from "./recordLifetimes";
import { type Verdict, verdictFromItem, verdictToItem } from "./verdict";

/** Per-call options: an abort signal bounds a write by the time the invocation has left. */
export interface CallOptions {
  abortSignal?: AbortSignal;
}

/** The registry table operations the ledger uses; the notifier's role may write ledger items only. */
export interface LedgerTable {
  updateItem(input: UpdateItemCommandInput, options?: CallOptions): Promise<UpdateItemCommandOutput>;
}

/**
 * Ledger items share the registry table: their hash key starts with a prefix no CodeBuild project name
 * can have (`#` is not allowed in one), so a project's registrations never see them.
 */
export const DELIVERY_KEY_PREFIX = "#delivery:";
/** The one item per event: its lease, the receivers it was delivered to and the build's verdict. */
const LEASE_SORT_KEY = "#lease";

/**
 * Long enough to outlive the dead-letter queue's retention, so a replayed event is still deduplicated. The
 * record of an event that opened a failure streak is kept as long as an open streak's record instead
 * (`opening_expires_at`, which a later lease of the event keeps), since the streak's later builds may
 * need it to know that the streak was opened, and what its answer gave.
 */
const RECORD_LIFETIME_SECONDS = 15 * 24 * 3600;
/**
 * The values a receiver with actions remembered from its answer are kept with the delivery, one attribute
 * per receiver, so that they outlive a failed write of the receiver's streak record.
 */
const REMEMBERED_ATTRIBUTE_PREFIX = "remembered:";

/** Values remembered from receivers' answers, by receiver (URL parameter name). */
export type RememberedValues = ReadonlyMap<string, Readonly<Record<string, string>>>;

/** What earlier invocations of the event left, read as this invocation takes the lease. */
export interface Lease {
  /** Receivers an earlier invocation delivered the event to. */
  delivered: ReadonlySet<string>;
  /** Receivers an earlier invocation tried and failed; a retry sends to them last. */
  failed: ReadonlySet<string>;
  /** The build's verdict as its first evaluation gave it, if an invocation recorded one. */
  verdict?: Verdict;
  /**
   * Counts the event's leases: each invocation's is one more than the last. A right another record holds
   * for this invocation names it, so that a later build can tell it from one an ended invocation held.
   */
  generation: number;
}

/** How an invocation ended, written as it gives up the lease. */
export interface Settlement {
  delivered: readonly string[];
  failed: readonly string[];
  verdict?: Verdict;
  /** What receivers delivered remembered from their answers. */
  remembered?: RememberedValues;
  /** Receivers whose failure streak this event's delivery opened: the record is then kept longer. */
  opened?: readonly string[];
}

/** What another invocation reads of an event's delivery record. */
export interface DeliveryRecord {
  /** Receivers the event was delivered to. */
  delivered: ReadonlySet<string>;
  /** Whether an invocation of the event holds its lease: it may still deliver. */
  leaseHeld: boolean;
  /** What each receiver delivered remembered from its answer. */
  remembered: RememberedValues;
  /** The generation of the event's newest lease: every invocation up to it has ended unless it is held. */
  generation: number;
}

export interface DeliveryLedger {
  /**
   * Takes the event's lease until `leaseUntil` (epoch ms): the earlier invocations' record when this
   * invocation may send, or "held-elsewhere" while another invocation holds an unexpired lease.
   */
  claim(leaseUntil: number): Promise<Lease | "held-elsewhere">;
  /**
   * Records the receivers delivered and failed, and the verdict, and gives up the lease so a retry can
   * take it at once. Rejects when the record could not be written before `abortSignal` fired.
   */
  settle(settlement: Settlement, abortSignal: AbortSignal): Promise<void>;
}

/**
 * Receivers an invocation delivered to but could not record (with what they remembered), by event id,
 * kept by the container: it writes them with its next lease of the same event, so a Lambda retry that
 * lands there does not send them again.
 */
export type UnrecordedDeliveries = Map<string, Map<string, Readonly<Record<string, string>>>>;

/**
 * Records the delivery of one event in one item of the registry table, so a Lambda retry sends only to
 * receivers not yet delivered and two invocations of one event never both send: a conditional write
 * takes the event's lease before anything is sent, and returns what earlier invocations recorded; one
 * write at the end adds the receivers delivered and gives the lease up. Two calls per event, whatever
 * the number of receivers.
 */
export function createDeliveryLedger(
  table: LedgerTable,
  tableName: string,
  eventId: string,
  claimant: string,
  unrecordedByEvent: UnrecordedDeliveries,
): DeliveryLedger {
  const key = leaseKey(eventId);

  return {
    async claim(leaseUntil) {
      const pending = unrecordedByEvent.get(eventId);
      let previous: Record<string, AttributeValue> | undefined;
      try {
        const claimed = await table.updateItem(claimUpdate(tableName, key, claimant, leaseUntil, pending));
        previous = claimed.Attributes;
      } catch (error) {
        if (isConditionFailure(error)) return "held-elsewhere";
        throw error;
      }
      unrecordedByEvent.delete(eventId);
      return {
        delivered: new Set([...(previous?.delivered?.SS ?? []), ...(pending?.keys() ?? [])]),
        failed: new Set(previous?.failed?.SS ?? []),
        verdict: previous?.verdict ? verdictFromItem(previous.verdict) : undefined,
        generation: Number(previous?.lease_generation?.N ?? 0) + 1,
      };
    },

    async settle(settlement, abortSignal) {
      const { releasing, deliveredOnly } = settleUpdates(tableName, key, claimant, settlement);
      try {
        await table.updateItem(releasing, { abortSignal });
      } catch (error) {
        if (!isConditionFailure(error) || !deliveredOnly) {
          if (deliveredOnly) rememberUnrecorded(settlement);
          throw error;
        }
        // The lease ran out and another invocation took it: the deliveries are still recorded, the lease
        // left to its holder.
        await table.updateItem(deliveredOnly, { abortSignal }).catch((secondError: unknown) => {
          rememberUnrecorded(settlement);
          throw secondError;
        });
      }
    },
  };

  function rememberUnrecorded({ delivered, remembered }: Settlement): void {
    const known = unrecordedByEvent.get(eventId) ?? new Map<string, Readonly<Record<string, string>>>();
    for (const receiver of delivered) known.set(receiver, remembered?.get(receiver) ?? {});
    unrecordedByEvent.set(eventId, known);
  }
}

/** The key of an event's one ledger item. */
function leaseKey(eventId: string): Record<string, AttributeValue> {
  return { project: { S: `${DELIVERY_KEY_PREFIX}${eventId}` }, hook_url_param_name: { S: LEASE_SORT_KEY } };
}

function stringSet(values: Iterable<string>): AttributeValue | undefined {
  const unique = [...new Set(values)];
  return unique.length > 0 ? { SS: unique } : undefined;
}

/**
 * The write taking the event's lease until `leaseUntil` unless another invocation holds an unexpired
 * one; it adds the deliveries this container could not record before (`pending`), and returns what the
 * earlier invocations recorded.
 */
function claimUpdate(
  tableName: string,
  key: Record<string, AttributeValue>,
  claimant: string,
  leaseUntil: number,
  pending: ReadonlyMap<string, Readonly<Record<string, string>>> | undefined,
): UpdateItemCommandInput {
  const pendingSet = pending ? stringSet(pending.keys()) : undefined;
  const pendingValues = rememberedClauses(pending ?? new Map());
  return {
    TableName: tableName,
    Key: key,
    UpdateExpression: `SET ${["claimed_by = :claimant", "lease_expires_at = :leaseUntil", "expires_at = if_not_exists(opening_expires_at, :expiresAt)", ...pendingValues.clauses].join(", ")} ADD lease_generation :one${pendingSet ? ", delivered :pending" : ""}`,
    ConditionExpression: "attribute_not_exists(#project) OR lease_expires_at < :now",
    ExpressionAttributeNames: { "#project": "project", ...pendingValues.names },
    ExpressionAttributeValues: {
      ":claimant": { S: claimant },
      ":leaseUntil": { N: String(leaseUntil) },
      ":expiresAt": expiresIn(RECORD_LIFETIME_SECONDS),
      ":now": { N: String(Date.now()) },
      ":one": { N: "1" },
      ...(pendingSet ? { ":pending": pendingSet } : {}),
      ...pendingValues.values,
    },
    ReturnValues: "ALL_OLD",
  };
}

/**
 * The writes settling an invocation: `releasing` records the settlement and gives the lease up while the
 * claimant holds it; `deliveredOnly`, when something was delivered, records the deliveries (and what they
 * remembered) whoever holds the lease, for when it ran out and another invocation took it.
 */
function settleUpdates(
  tableName: string,
  key: Record<string, AttributeValue>,
  claimant: string,
  settlement: Settlement,
): { releasing: UpdateItemCommandInput; deliveredOnly?: UpdateItemCommandInput } {
  const delivered = stringSet(settlement.delivered);
  const failed = stringSet(settlement.failed);
  const remembered = rememberedClauses(settlement.remembered ?? new Map());
  const keptLonger = keptLongerClauses(settlement.opened ?? []);
  const sets = [
    "lease_expires_at = :released",
    ...(failed ? ["failed = :failed"] : []),
    ...(settlement.verdict ? ["verdict = :verdict"] : []),
    ...remembered.clauses,
    ...keptLonger.clauses,
  ];
  const values: Record<string, AttributeValue> = {
    ":released": { N: "0" },
    ":claimant": { S: claimant },
    ...(delivered ? { ":delivered": delivered } : {}),
    ...(failed ? { ":failed": failed } : {}),
    ...(settlement.verdict ? { ":verdict": verdictToItem(settlement.verdict) } : {}),
    ...remembered.values,
    ...keptLonger.values,
  };
  const names =
    Object.keys(remembered.names).length > 0 ? { ExpressionAttributeNames: remembered.names } : {};
  const releasing: UpdateItemCommandInput = {
    TableName: tableName,
    Key: key,
    UpdateExpression: `SET ${sets.join(", ")}${failed ? "" : " REMOVE failed"}${delivered ? " ADD delivered :delivered" : ""}`,
    ConditionExpression: "claimed_by = :claimant",
    ...names,
    ExpressionAttributeValues: values,
  };
  if (!delivered) return { releasing };
  const kept = [...remembered.clauses, ...keptLonger.clauses];
  return {
    releasing,
    deliveredOnly: {
      TableName: tableName,
      Key: key,
      UpdateExpression: `${kept.length > 0 ? `SET ${kept.join(", ")} ` : ""}ADD delivered :delivered`,
      ...names,
      ExpressionAttributeValues: { ":delivered": delivered, ...remembered.values, ...keptLonger.values },
    },
  };
}

/** `SET` clauses keeping the record as long as an open streak's, when the event opened one. */
function keptLongerClauses(opened: readonly string[]): {
  clauses: string[];
  values: Record<string, AttributeValue>;
} {
  if (opened.length === 0) return { clauses: [], values: {} };
  return {
    clauses: ["expires_at = :openingExpiresAt", "opening_expires_at = :openingExpiresAt"],
    values: { ":openingExpiresAt": expiresIn(OPEN_STREAK_LIFETIME_SECONDS) },
  };
}

/**
 * Reads an event's delivery record, as another invocation (of a later build) needs it: whom it was
 * delivered to, whether its lease is held, and what receivers remembered. Undefined when there is none.
 */
export async function readDelivery(
  table: { getItem(input: GetItemCommandInput, options?: CallOptions): Promise<GetItemCommandOutput> },
  tableName: string,
  eventId: string,
  options?: CallOptions,
): Promise<DeliveryRecord | undefined> {
  const { Item: item } = await table.getItem(
    {
      TableName: tableName,
      Key: leaseKey(eventId),
      ConsistentRead: true,
    },
    options,
  );
  if (!item) return undefined;
  const remembered = new Map<string, Record<string, string>>();
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(REMEMBERED_ATTRIBUTE_PREFIX) || !value.M) continue;
    remembered.set(
      name.slice(REMEMBERED_ATTRIBUTE_PREFIX.length),
      Object.fromEntries(
        Object.entries(value.M).flatMap(([field, kept]) => (kept.S === undefined ? [] : [[field, kept.S]])),
      ),
    );
  }
  return {
    delivered: new Set(item.delivered?.SS ?? []),
    leaseHeld: Number(item.lease_expires_at?.N ?? 0) > Date.now(),
    remembered,
    generation: Number(item.lease_generation?.N ?? 0),
  };
}

/** `SET` clauses writing each receiver's remembered values (none for a receiver that kept none). */
function rememberedClauses(remembered: RememberedValues): {
  clauses: string[];
  names: Record<string, string>;
  values: Record<string, AttributeValue>;
} {
  const kept = [...remembered].filter(([, values]) => Object.keys(values).length > 0);
  return {
    clauses: kept.map((_, index) => `#remembered${index} = :remembered${index}`),
    names: Object.fromEntries(
      kept.map(([receiver], index) => [`#remembered${index}`, `${REMEMBERED_ATTRIBUTE_PREFIX}${receiver}`]),
    ),
    values: Object.fromEntries(
      kept.map(([, values], index) => [
        `:remembered${index}`,
        { M: Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { S: value }])) },
      ]),
    ),
  };
}
