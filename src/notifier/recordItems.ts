import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { CallOptions } from "./deliveryLedger";
import type { StreakTable } from "./streakRecords";

/** Each value remembered from an answer is an attribute of its own, so that a later write can add one. */
export const VALUE_ATTRIBUTE_PREFIX = "remembered:";

/**
 * The items under one hash key whose range keys start with `prefix`, by the rest of their range key (the
 * receiver), read consistently and every page of them: every receiver's record of one streak or build.
 */
export async function readRecordItems(
  table: Pick<StreakTable, "query">,
  tableName: string,
  hashKey: string,
  prefix: string,
  options?: CallOptions,
): Promise<Map<string, Record<string, AttributeValue>>> {
  const items = new Map<string, Record<string, AttributeValue>>();
  let exclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await table.query(
      {
        TableName: tableName,
        KeyConditionExpression: "#project = :project AND begins_with(hook_url_param_name, :prefix)",
        ExpressionAttributeNames: { "#project": "project" },
        ExpressionAttributeValues: { ":project": { S: hashKey }, ":prefix": { S: prefix } },
        ConsistentRead: true,
        ExclusiveStartKey: exclusiveStartKey,
      },
      options,
    );
    for (const item of page.Items ?? []) {
      const receiver = item.hook_url_param_name?.S?.slice(prefix.length);
      if (receiver) items.set(receiver, item);
    }
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey);
  return items;
}

/** The values an item keeps, one `remembered:<NAME>` attribute each. */
export function rememberedValuesOf(item: Record<string, AttributeValue>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(item).flatMap(([name, value]) =>
      name.startsWith(VALUE_ATTRIBUTE_PREFIX) && value.S !== undefined
        ? [[name.slice(VALUE_ATTRIBUTE_PREFIX.length), value.S]]
        : [],
    ),
  );
}
