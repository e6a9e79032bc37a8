import type { AttributeValue, UpdateItemCommandInput } from "@aws-sdk/client-dynamodb";
import { expiresIn, OPEN_STREAK_LIFETIME_SECONDS } from "./recordLifetimes";
import { rememberedValuesOf, VALUE_ATTRIBUTE_PREFIX } from "./recordItems";
import type { Claimant, EndedOpener, StreakRecord, StreakState } from "./streakRecords";

/**
 * A closed streak's record outlives the dead-letter queue's 14 days, so that a replayed event of the
 * streak still finds it closed rather than opening it again.
 */
const CLOSED_RECORD_LIFETIME_SECONDS = 15 * 24 * 3600;
const STREAK_DIGITS = 12;
/** Each value an action remembered is an attribute of its own, so that a later action can add one. */

/** The start of the range keys of a streak's records: its first build number, zero-padded, and `#`. */
export function streakKeyPrefix(streak: number): string {
  return `${String(streak).padStart(STREAK_DIGITS, "0")}#`;
}

/** The key of the receiver's record of the streak, under the project's hash key. */
export function streakRecordKey(
  hashKey: string,
  receiver: string,
  streak: number,
): Record<string, AttributeValue> {
  return { project: { S: hashKey }, hook_url_param_name: { S: `${streakKeyPrefix(streak)}${receiver}` } };
}

export function stateValue(value: StreakState): AttributeValue {
  return { S: value };
}

/** The record in a state, set by `event` (its opener, or its closer); a closed one expires sooner. */
export function markedRecord(
  streak: number,
  value: StreakState,
  event: { opener: string } | { closer: string },
): Record<string, AttributeValue> {
  return {
    streak: { N: String(streak) },
    streak_state: stateValue(value),
    ...Object.fromEntries(Object.entries(event).map(([name, id]) => [name, { S: id }])),
    expires_at: expiresIn(
      value === "opening" || value === "open" ? OPEN_STREAK_LIFETIME_SECONDS : CLOSED_RECORD_LIFETIME_SECONDS,
    ),
  };
}

/** A condition of a write, with the values it names. */
export interface WriteCondition {
  condition: string;
  conditionValues?: Record<string, AttributeValue>;
}

/**
 * Not yet written, or being opened by the claimant's event (a retry of it), or by `over` under a lease
 * no newer than the one its delivery record showed ended.
 */
export function freeFor(claimant: Claimant, over: EndedOpener | undefined): WriteCondition {
  const overGeneration =
    over?.generation === undefined
      ? ""
      : " AND (attribute_not_exists(opener_generation) OR opener_generation <= :over_generation)";
  return {
    condition:
      "attribute_not_exists(#project) OR (streak_state = :opening_state AND (opener = :me" +
      (over === undefined ? "))" : ` OR (opener = :over${overGeneration})))`),
    conditionValues: {
      ":opening_state": stateValue("opening"),
      ":me": { S: claimant.event },
      ...(over === undefined ? {} : { ":over": { S: over.event } }),
      ...(over?.generation === undefined ? {} : { ":over_generation": { N: String(over.generation) } }),
    },
  };
}

/** A change of the receiver's record: `set`, and `setIfMissing` where the record has none yet. */
export interface StreakChange extends WriteCondition {
  set: Record<string, AttributeValue>;
  setIfMissing?: Record<string, AttributeValue>;
  /** Remembered values, each written to an attribute of its own. */
  values?: Record<string, string>;
}

/** The conditional update that makes `change` to the record under `key`. */
export function streakUpdate(
  tableName: string,
  key: Record<string, AttributeValue>,
  change: StreakChange,
): UpdateItemCommandInput {
  const values = valueClauses(change.values ?? {});
  const ifMissing = change.setIfMissing ?? {};
  const attributes = [...Object.keys(change.set), ...Object.keys(ifMissing)];
  return {
    TableName: tableName,
    Key: key,
    UpdateExpression: `SET ${[
      ...Object.keys(change.set).map((name) => `#${name} = :${name}`),
      ...Object.keys(ifMissing).map((name) => `#${name} = if_not_exists(#${name}, :${name})`),
      ...values.clauses,
    ].join(", ")}`,
    ConditionExpression: change.condition,
    ExpressionAttributeNames: {
      "#project": "project",
      ...Object.fromEntries(attributes.map((name) => [`#${name}`, name])),
      ...values.names,
    },
    ExpressionAttributeValues: {
      ...Object.fromEntries(
        Object.entries({ ...change.set, ...ifMissing }).map(([name, value]) => [`:${name}`, value]),
      ),
      ...values.values,
      ...change.conditionValues,
    },
  };
}

/** `SET` clauses for the values, with their names and values for the expression. */
function valueClauses(values: Record<string, string>) {
  const names = Object.keys(values);
  return {
    clauses: names.map((_, index) => `#value${index} = :value${index}`),
    names: Object.fromEntries(
      names.map((name, index) => [`#value${index}`, `${VALUE_ATTRIBUTE_PREFIX}${name}`]),
    ),
    values: Object.fromEntries(names.map((name, index) => [`:value${index}`, { S: values[name] }])),
  };
}

/** A record of the streak as the table holds it. */
export function recordOf(item: Record<string, AttributeValue>, streak: number): StreakRecord {
  const values = rememberedValuesOf(item);
  const state = item.streak_state?.S;
  return {
    streak,
    state: state === "open" || state === "closed" || state === "closed-without-opening" ? state : "opening",
    ...(item.opener?.S === undefined ? {} : { opener: item.opener.S }),
    ...(item.closer?.S === undefined ? {} : { closer: item.closer.S }),
    values,
  };
}

/**
 * A record in the format of earlier releases (one per receiver, its values in one map), when it is of
 * `streak`.
 */
export function earlierFormatRecordOf(
  item: Record<string, AttributeValue> | undefined,
  streak: number,
): StreakRecord | undefined {
  if (!item || Number(item.streak?.N) !== streak) return undefined;
  const values = Object.fromEntries(
    Object.entries(item.remembered?.M ?? {}).flatMap(([name, value]) =>
      value.S === undefined ? [] : [[name, value.S]],
    ),
  );
  return {
    streak,
    state: item.streak_state?.S === "open" ? "open" : "opening",
    opener: item.opener?.S,
    values,
    earlierFormat: true,
  };
}
