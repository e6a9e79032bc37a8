import type {
  GetItemCommandInput,
  GetItemCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
} from "@aws-sdk/client-dynamodb";
import { fieldAt } from "./answerMatch";
import { writeIfAllowed } from "./conditionFailure";
import { readRecordItems } from "./recordItems";
import type { CallOptions, LedgerTable } from "./deliveryLedger";
import { expiresIn, OPEN_STREAK_LIFETIME_SECONDS } from "./recordLifetimes";
import {
  earlierFormatRecordOf,
  freeFor,
  markedRecord,
  recordOf,
  stateValue,
  streakKeyPrefix,
  streakRecordKey,
  streakUpdate,
  type StreakChange,
} from "./streakRecordItems";

/**
 * What each receiver with actions keeps of a project's failure streaks lives in the registry table under
 * a hash key no CodeBuild project name can have (`#` is not allowed in one): one item per streak and
 * receiver, its range key `<streak>#<receiver>` (the streak's first build number, zero-padded to 12
 * digits, so one query reads every receiver's record of a streak).
 */
export const REMEMBER_KEY_PREFIX = "#remember:";

/**
 * Where a failure streak stands for one receiver: `opening` while an invocation holds the right to send
 * its opening action, `open` once that was delivered, `closed` once its fix was, and
 * `closed-without-opening` when the fix came while the streak was never opened for the receiver.
 */
export type StreakState = "opening" | "open" | "closed" | "closed-without-opening";

/** A receiver's record of one failure streak of a project. */
export interface StreakRecord {
  /** The build number that began the streak. */
  streak: number;
  state: StreakState;
  /** The event whose invocation opens (or opened) the streak for the receiver. */
  opener?: string;
  /** The event whose invocation closed it. */
  closer?: string;
  /** Values remembered from the receiver's answers during the streak. */
  values: Record<string, string>;
  /** Read from the one record per receiver that releases before per-streak records kept. */
  earlierFormat?: boolean;
}

/** The registry table operations streak records need; the notifier's role may write them only. */
export interface StreakTable extends LedgerTable {
  query(input: QueryCommandInput, options?: CallOptions): Promise<QueryCommandOutput>;
  getItem(input: GetItemCommandInput, options?: CallOptions): Promise<GetItemCommandOutput>;
}

/** An invocation, as the rights it takes name it: its event, and its lease of the event. */
export interface Claimant {
  event: string;
  /** The generation of the invocation's lease (see `Lease.generation`). */
  generation: number;
}

/**
 * An opener whose invocations had all ended without delivering when its delivery record was read, up to
 * that record's lease `generation`; without one, its delivery record has expired: it outlives every
 * invocation of its event Lambda or a dead-letter replay can make, so none will come.
 */
export interface EndedOpener {
  event: string;
  generation?: number;
}

/**
 * A conditional write that takes a right over the receiver's record of the streak for `claimant`. `over`
 * is an opener whose invocations had all ended without delivering when its delivery record was read (up
 * to that record's lease generation): its right may be taken over, but not one a later invocation of
 * the same event took since.
 */
type StreakClaim = (
  receiver: string,
  streak: number,
  claimant: Claimant,
  over?: EndedOpener,
  options?: CallOptions,
) => Promise<boolean>;

export interface StreakRecords {
  /** Every receiver's record of the streak, by receiver (URL parameter name). */
  read(streak: number, options?: CallOptions): Promise<Map<string, StreakRecord>>;
  /**
   * The receiver's record in the format of earlier releases (one per receiver), when it is of this
   * streak: the record of a streak begun before the upgrade.
   */
  readEarlierFormat(
    receiver: string,
    streak: number,
    options?: CallOptions,
  ): Promise<StreakRecord | undefined>;
  /**
   * Takes the right to send the streak's opening action to the receiver: false when another invocation
   * holds it or the streak is open or closed.
   */
  claimOpening: StreakClaim;
  /**
   * Closes a streak never opened for the receiver, so that a late or replayed opening action sends nothing:
   * false when another invocation holds the right to open it, or the streak was opened meanwhile.
   */
  closeUnopened: StreakClaim;
  /** Marks the streak open, with the values its opening action's answer gave; `opener` sent that action. */
  opened(
    receiver: string,
    streak: number,
    opener: string,
    values: Record<string, string>,
    options?: CallOptions,
  ): Promise<void>;
  /** Adds values remembered from a later action of the streak, replacing those of the same name. */
  remember(
    receiver: string,
    streak: number,
    values: Record<string, string>,
    options?: CallOptions,
  ): Promise<void>;
  /** Marks the streak closed by the fix `closer` sent, keeping its values (those given written too). */
  closed(
    receiver: string,
    streak: number,
    closer: string,
    values: Record<string, string>,
    options?: CallOptions,
  ): Promise<void>;
}

export function createStreakRecords(table: StreakTable, tableName: string, project: string): StreakRecords {
  const hashKey = `${REMEMBER_KEY_PREFIX}${project}`;
  /** Writes the receiver's record of the streak; false when the condition refused it. */
  const write = async (
    receiver: string,
    streak: number,
    change: StreakChange,
    options: CallOptions | undefined,
  ): Promise<boolean> => {
    return writeIfAllowed(() =>
      table.updateItem(streakUpdate(tableName, streakRecordKey(hashKey, receiver, streak), change), options),
    );
  };

  return {
    async read(streak, options) {
      const items = await readRecordItems(table, tableName, hashKey, streakKeyPrefix(streak), options);
      return new Map([...items].map(([receiver, item]) => [receiver, recordOf(item, streak)]));
    },

    async readEarlierFormat(receiver, streak, options) {
      const { Item: item } = await table.getItem(
        {
          TableName: tableName,
          Key: { project: { S: hashKey }, hook_url_param_name: { S: receiver } },
          ConsistentRead: true,
        },
        options,
      );
      return earlierFormatRecordOf(item, streak);
    },

    claimOpening(receiver, streak, claimant, over, options) {
      const set = {
        ...markedRecord(streak, "opening", { opener: claimant.event }),
        opener_generation: { N: String(claimant.generation) },
      };
      return write(receiver, streak, { set, ...freeFor(claimant, over) }, options);
    },

    closeUnopened(receiver, streak, claimant, over, options) {
      const set = markedRecord(streak, "closed-without-opening", { closer: claimant.event });
      return write(receiver, streak, { set, ...freeFor(claimant, over) }, options);
    },

    async opened(receiver, streak, opener, values, options) {
      // Only what its opener holds: the open record of a later write stays as it is.
      const heldByOpener = {
        condition: "attribute_not_exists(#project) OR (streak_state = :opening_state AND opener = :opener)",
        conditionValues: { ":opening_state": stateValue("opening"), ":opener": { S: opener } },
      };
      await write(
        receiver,
        streak,
        { set: markedRecord(streak, "open", { opener }), values, ...heldByOpener },
        options,
      );
    },

    async remember(receiver, streak, values, options) {
      if (Object.keys(values).length === 0) return;
      await write(
        receiver,
        streak,
        {
          set: { streak: { N: String(streak) } },
          // A streak that a receiver without an opening action follows has no record until it remembers.
          setIfMissing: {
            streak_state: stateValue("open"),
            expires_at: expiresIn(OPEN_STREAK_LIFETIME_SECONDS),
          },
          values,
          condition: "attribute_not_exists(#project) OR streak_state IN (:open_state, :closed_state)",
          conditionValues: { ":open_state": stateValue("open"), ":closed_state": stateValue("closed") },
        },
        options,
      );
    },

    async closed(receiver, streak, closer, values, options) {
      const openedOrNot = {
        condition: "attribute_not_exists(#project) OR streak_state <> :unopened",
        conditionValues: { ":unopened": stateValue("closed-without-opening") },
      };
      await write(
        receiver,
        streak,
        { set: markedRecord(streak, "closed", { closer }), values, ...openedOrNot },
        options,
      );
    },
  };
}

/**
 * The values an action remembers from its answer: each name's dotted field path (`key`, `fields.id`,
 * `issues.0.key`) into the answer's JSON body, when it holds a string or a number there. Names whose field
 * is missing are listed, so they can be reported without showing the answer.
 */
export function rememberFrom(
  answer: string | undefined,
  remember: Readonly<Record<string, string>>,
): { values: Record<string, string>; missing: string[] } {
  let body: unknown;
  try {
    body = answer === undefined ? undefined : JSON.parse(answer);
  } catch {
    body = undefined;
  }
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, fieldPath] of Object.entries(remember)) {
    const found = fieldAt(body, fieldPath);
    if (typeof found === "string" || typeof found === "number") values[name] = String(found);
    else missing.push(name);
  }
  return { values, missing };
}
