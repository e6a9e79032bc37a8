import type {
  AttributeValue,
  QueryCommandInput,
  QueryCommandOutput,
  UpdateItemCommandInput,
} from "@aws-sdk/client-dynamodb";
import { isConditionFailure } from "./conditionFailure";
import type { LedgerTable } from "./deliveryLedger";

/**
 * What each receiver with actions keeps of a project's failure streak lives in the registry table under
 * a hash key no CodeBuild project name can have (`#` is not allowed in one), one item per receiver.
 */
export const REMEMBER_KEY_PREFIX = "#remember:";
/** Kept long after the streak's last event; every write of the record extends it. */
const RECORD_LIFETIME_SECONDS = 180 * 24 * 3600;

/** A receiver's record of a project's failure streak. */
export interface StreakRecord {
  /** The build number that began the streak: a newer streak has a higher one. */
  streak: number;
  /** "opening" while an invocation sends the streak's opening action; "open" once it was delivered. */
  state: "opening" | "open";
  /** The event whose invocation opens (or opened) the streak for this receiver. */
  opener: string;
  /** Until when (epoch ms) the opening invocation holds the right to open it. */
  openerLeaseUntil: number;
  /** Values remembered from the receiver's answers during the streak. */
  values: Record<string, string>;
}

/** The registry table operations streak records need; the notifier's role may write them only. */
export interface StreakTable extends LedgerTable {
  query(input: QueryCommandInput): Promise<QueryCommandOutput>;
}

export interface StreakRecords {
  /** Every receiver's record for the project, by receiver (URL parameter name). */
  read(): Promise<Map<string, StreakRecord>>;
  /**
   * Takes the right to send the streak's opening action to the receiver: false when another invocation
   * opened the streak or holds the right, or a newer streak holds the record.
   */
  claimOpening(receiver: string, streak: number, eventId: string, leaseUntil: number): Promise<boolean>;
  /** Marks the streak open for the receiver once its opening action was delivered, with the values kept. */
  opened(receiver: string, streak: number, eventId: string, values: Record<string, string>): Promise<void>;
  /** Gives the right up after the opening action failed, so the next failure of the streak can open it. */
  release(receiver: string, eventId: string): Promise<void>;
  /** Adds values remembered from a later action of the streak, replacing those of the same name. */
  remember(receiver: string, streak: number, values: Record<string, string>): Promise<void>;
}

export function createStreakRecords(table: StreakTable, tableName: string, project: string): StreakRecords {
  const hashKey = `${REMEMBER_KEY_PREFIX}${project}`;
  const key = (receiver: string) => ({ project: { S: hashKey }, hook_url_param_name: { S: receiver } });
  const expiresAt = (): AttributeValue => ({
    N: String(Math.floor(Date.now() / 1000) + RECORD_LIFETIME_SECONDS),
  });
  const valuesItem = (values: Record<string, string>): AttributeValue => ({
    M: Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { S: value }])),
  });
  const update = async (input: Omit<UpdateItemCommandInput, "TableName">): Promise<boolean> => {
    try {
      await table.updateItem({ TableName: tableName, ...input });
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  };

  return {
    async read() {
      const records = new Map<string, StreakRecord>();
      let exclusiveStartKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await table.query({
          TableName: tableName,
          KeyConditionExpression: "#project = :project",
          ExpressionAttributeNames: { "#project": "project" },
          ExpressionAttributeValues: { ":project": { S: hashKey } },
          ConsistentRead: true,
          ExclusiveStartKey: exclusiveStartKey,
        });
        for (const item of page.Items ?? []) {
          const receiver = item.hook_url_param_name?.S;
          if (!receiver) continue;
          records.set(receiver, {
            streak: Number(item.streak?.N),
            state: item.streak_state?.S === "open" ? "open" : "opening",
            opener: item.opener?.S ?? "",
            openerLeaseUntil: Number(item.opener_lease_until?.N ?? 0),
            values: Object.fromEntries(
              Object.entries(item.remembered?.M ?? {}).flatMap(([name, value]) =>
                value.S === undefined ? [] : [[name, value.S]],
              ),
            ),
          });
        }
        exclusiveStartKey = page.LastEvaluatedKey;
      } while (exclusiveStartKey);
      return records;
    },

    claimOpening(receiver, streak, eventId, leaseUntil) {
      return update({
        Key: key(receiver),
        UpdateExpression:
          "SET streak = :streak, streak_state = :opening, opener = :event, opener_lease_until = :leaseUntil, " +
          "expires_at = :expiresAt REMOVE remembered",
        // A newer streak (streaks are named by the build number that began them, so an older one never
        // takes over), or this one not opened and its right free (or this event's own, on a retry).
        ConditionExpression:
          "attribute_not_exists(#project) OR streak < :streak OR " +
          "(streak = :streak AND streak_state = :opening AND (opener_lease_until < :now OR opener = :event))",
        ExpressionAttributeNames: { "#project": "project" },
        ExpressionAttributeValues: {
          ":streak": { N: String(streak) },
          ":opening": { S: "opening" },
          ":event": { S: eventId },
          ":leaseUntil": { N: String(leaseUntil) },
          ":now": { N: String(Date.now()) },
          ":expiresAt": expiresAt(),
        },
      });
    },

    async opened(receiver, streak, eventId, values) {
      await update({
        Key: key(receiver),
        UpdateExpression: "SET streak_state = :open, remembered = :values, expires_at = :expiresAt",
        ConditionExpression: "streak = :streak AND opener = :event",
        ExpressionAttributeValues: {
          ":open": { S: "open" },
          ":values": valuesItem(values),
          ":expiresAt": expiresAt(),
          ":streak": { N: String(streak) },
          ":event": { S: eventId },
        },
      });
    },

    async release(receiver, eventId) {
      await update({
        Key: key(receiver),
        UpdateExpression: "SET opener_lease_until = :released",
        ConditionExpression: "opener = :event AND streak_state = :opening",
        ExpressionAttributeValues: {
          ":released": { N: "0" },
          ":event": { S: eventId },
          ":opening": { S: "opening" },
        },
      });
    },

    async remember(receiver, streak, values) {
      const names = Object.keys(values);
      if (names.length === 0) return;
      await update({
        Key: key(receiver),
        UpdateExpression: `SET ${names.map((_, index) => `remembered.#name${index} = :value${index}`).join(", ")}, expires_at = :expiresAt`,
        ConditionExpression: "streak = :streak AND attribute_exists(remembered)",
        ExpressionAttributeNames: Object.fromEntries(names.map((name, index) => [`#name${index}`, name])),
        ExpressionAttributeValues: {
          ...Object.fromEntries(names.map((name, index) => [`:value${index}`, { S: values[name] }])),
          ":streak": { N: String(streak) },
          ":expiresAt": expiresAt(),
        },
      });
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
    const found = fieldPath
      .split(".")
      .reduce<unknown>(
        (node, segment) =>
          typeof node === "object" && node !== null && Object.hasOwn(node, segment)
            ? (node as Record<string, unknown>)[segment]
            : undefined,
        body,
      );
    if (typeof found === "string" || typeof found === "number") values[name] = String(found);
    else missing.push(name);
  }
  return { values, missing };
}
