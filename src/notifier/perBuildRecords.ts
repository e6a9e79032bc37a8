import type { AttributeValue, UpdateItemCommandInput } from "@aws-sdk/client-dynamodb";
import { writeIfAllowed } from "./conditionFailure";
import { readRecordItems, rememberedValuesOf, VALUE_ATTRIBUTE_PREFIX } from "./recordItems";
import type { CallOptions } from "./deliveryLedger";
import type { Claimant, StreakTable } from "./streakRecords";

/**
 * Each per-build receiver's record of a build's message lives in the registry table under a hash key no
 * CodeBuild project name can have (`#` is not allowed in one): `#build:<project>`, one item per build and
 * receiver, its range key `<build uuid>#<receiver>`, so one query reads every receiver's record of a build.
 */
export const BUILD_KEY_PREFIX = "#build:";
/** A build's message is updated while the build runs and soon after: its record is kept 7 days. */
export const RECORD_LIFETIME_SECONDS = 7 * 24 * 3600;

/** A receiver's record of a build's message. */
export interface BuildMessageRecord {
  /** `posting` while an invocation holds the right to post it, `posted` once the post was delivered. */
  state: "posting" | "posted";
  /** The event whose invocation posts (or posted) the message. */
  poster?: string;
  /** The status order (see `statusOrder`) of the poster's event. */
  posterOrder?: number;
  /** The newest status order sent to the receiver for the build, once written after a delivery. */
  sentOrder?: number;
  /** Values remembered from the post's (and updates') answers. */
  values: Record<string, string>;
}

export interface PerBuildRecords {
  /** Every receiver's record of the build's message, by receiver (URL parameter name). */
  read(options?: CallOptions): Promise<Map<string, BuildMessageRecord>>;
  /**
   * Takes the right to post the build's message to the receiver: false when another invocation holds it
   * (`over` aside: a poster whose invocations all ended without delivering) or the message was posted.
   */
  claimPost(
    receiver: string,
    claimant: Claimant,
    order: number,
    over?: Claimant,
    options?: CallOptions,
  ): Promise<boolean>;
  /** Marks the message posted by `poster`, with the status order sent and the values the answer gave. */
  posted(
    receiver: string,
    poster: string,
    order: number,
    values: Record<string, string>,
    options?: CallOptions,
  ): Promise<void>;
  /**
   * Records an update of the status order `order`, with the values its answer gave, and the message
   * posted with `repair` (the values its poster's delivery record kept) when its record still said posting.
   */
  updated(
    receiver: string,
    order: number,
    values: Record<string, string>,
    repair?: Record<string, string>,
    options?: CallOptions,
  ): Promise<void>;
}

/** The order of a build's statuses: IN_PROGRESS comes before its final status, whichever that is. */
export function statusOrder(status: string): number {
  return status === "IN_PROGRESS" ? 1 : 2;
}

/** The part of a build ARN that names the build among the project's builds: its uuid. */
export function buildOf(buildId: string | undefined): string | undefined {
  const build = buildId?.slice(buildId.lastIndexOf(":") + 1);
  return build && /^[A-Za-z0-9-]+$/.test(build) ? build : undefined;
}

export function createPerBuildRecords(
  table: StreakTable,
  tableName: string,
  project: string,
  build: string,
): PerBuildRecords {
  const hashKey = `${BUILD_KEY_PREFIX}${project}`;
  const prefix = `${build}#`;
  const write = (
    receiver: string,
    set: Record<string, AttributeValue>,
    values: Record<string, string>,
    condition: string,
    conditionValues: Record<string, AttributeValue>,
    options: CallOptions | undefined,
  ): Promise<boolean> =>
    writeIfAllowed(() =>
      table.updateItem(
        buildRecordUpdate(
          tableName,
          { project: { S: hashKey }, hook_url_param_name: { S: `${prefix}${receiver}` } },
          { set, values, condition, conditionValues },
        ),
        options,
      ),
    );
  const posting = { S: "posting" };
  const posted = { S: "posted" };

  return {
    async read(options) {
      const items = await readRecordItems(table, tableName, hashKey, prefix, options);
      return new Map([...items].map(([receiver, item]) => [receiver, recordOf(item)]));
    },

    claimPost(receiver, claimant, order, over, options) {
      // Not yet written, or being posted by the claimant's event (a retry of it), or by `over` under a
      // lease no newer than the one its delivery record showed ended.
      return write(
        receiver,
        {
          post_state: posting,
          poster: { S: claimant.event },
          poster_generation: { N: String(claimant.generation) },
          poster_order: { N: String(order) },
        },
        {},
        "attribute_not_exists(#project) OR (post_state = :posting AND (poster = :me" +
          (over === undefined ? "))" : " OR (poster = :over AND poster_generation <= :over_generation)))"),
        {
          ":posting": posting,
          ":me": { S: claimant.event },
          ...(over === undefined
            ? {}
            : { ":over": { S: over.event }, ":over_generation": { N: String(over.generation) } }),
        },
        options,
      );
    },

    async posted(receiver, poster, order, values, options) {
      // Only what this poster holds: a record an update wrote since stays as it is.
      await write(
        receiver,
        { post_state: posted, sent_order: { N: String(order) } },
        values,
        "post_state = :posting AND poster = :poster",
        { ":posting": posting, ":poster": { S: poster } },
        options,
      );
    },

    async updated(receiver, order, values, repair, options) {
      // The newest status sent only grows: an update of an older status written late changes nothing.
      await write(
        receiver,
        { post_state: posted, sent_order: { N: String(order) } },
        { ...repair, ...values },
        "attribute_exists(#project) AND (attribute_not_exists(sent_order) OR sent_order < :sent_order)",
        {},
        options,
      );
    },
  };
}

function recordOf(item: Record<string, AttributeValue>): BuildMessageRecord {
  const values = rememberedValuesOf(item);
  const number = (value: AttributeValue | undefined) =>
    value?.N === undefined ? undefined : Number(value.N);
  return {
    state: item.post_state?.S === "posted" ? "posted" : "posting",
    ...(item.poster?.S === undefined ? {} : { poster: item.poster.S }),
    ...(number(item.poster_order) === undefined ? {} : { posterOrder: number(item.poster_order) }),
    ...(number(item.sent_order) === undefined ? {} : { sentOrder: number(item.sent_order) }),
    values,
  };
}

/** The conditional update of a build message record: `set`, the remembered `values`, a new expiry. */
function buildRecordUpdate(
  tableName: string,
  key: Record<string, AttributeValue>,
  change: {
    set: Record<string, AttributeValue>;
    values: Record<string, string>;
    condition: string;
    conditionValues: Record<string, AttributeValue>;
  },
): UpdateItemCommandInput {
  const { values, condition, conditionValues } = change;
  const all = {
    ...change.set,
    expires_at: { N: String(Math.floor(Date.now() / 1000) + RECORD_LIFETIME_SECONDS) },
  };
  const valueNames = Object.keys(values);
  return {
    TableName: tableName,
    Key: key,
    UpdateExpression: `SET ${[
      ...Object.keys(all).map((name) => `#${name} = :${name}`),
      ...valueNames.map((_, index) => `#value${index} = :value${index}`),
    ].join(", ")}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: {
      ...(condition.includes("#project") ? { "#project": "project" } : {}),
      ...Object.fromEntries(Object.keys(all).map((name) => [`#${name}`, name])),
      ...Object.fromEntries(
        valueNames.map((name, index) => [`#value${index}`, `${VALUE_ATTRIBUTE_PREFIX}${name}`]),
      ),
    },
    ExpressionAttributeValues: {
      ...Object.fromEntries(Object.entries(all).map(([name, value]) => [`:${name}`, value])),
      ...Object.fromEntries(valueNames.map((name, index) => [`:value${index}`, { S: values[name] }])),
      ...conditionValues,
    },
  };
}
