import type { BuildStateChangeEvent } from "./buildEvent";
import type {
  GetItemCommandInput,
  GetItemCommandOutput,
  UpdateItemCommandInput,
} from "@aws-sdk/client-dynamodb";
import { isConditionFailure } from "./conditionFailure";

/**
 * The last final status of each project is kept in the registry table under a hash key no CodeBuild
 * project name can have (`#` is not allowed in one).
 */
export const STATUS_KEY_PREFIX = "#status:";
const STATUS_SORT_KEY = "#last-final-status";
const NONE = "NONE";

/** The registry table operations status records need; the notifier's role may use them on those only. */
export interface StatusTable {
  getItem(input: GetItemCommandInput): Promise<GetItemCommandOutput>;
  updateItem(input: UpdateItemCommandInput): Promise<unknown>;
}

export interface StatusChange {
  /** The project's final status before this build; undefined for its first. */
  previous?: string;
  /** Whether this build's final status differs from the previous one (the first one always does). */
  changed: boolean;
}

/**
 * Records a build's final status as the project's last one, unless a newer build (higher build number)
 * was recorded already: builds finishing out of order never flip it back, and concurrent events settle
 * by conditional writes. A retry or replay of the same build gets the answer its first delivery got.
 */
export async function recordFinalStatus(
  table: StatusTable,
  tableName: string,
  event: BuildStateChangeEvent,
): Promise<StatusChange> {
  const project = event.detail?.["project-name"] ?? "";
  const status = event.detail?.["build-status"] ?? "";
  const buildId = event.detail?.["build-id"] ?? "";
  const buildNumber = event.detail?.["additional-information"]?.["build-number"];
  // Without a build number there is no order to keep: the notice goes out, nothing is recorded.
  if (!Number.isInteger(buildNumber)) return { changed: true };
  const key = {
    project: { S: `${STATUS_KEY_PREFIX}${project}` },
    hook_url_param_name: { S: STATUS_SORT_KEY },
  };
  try {
    const updated = (await table.updateItem({
      TableName: tableName,
      Key: key,
      UpdateExpression:
        "SET previous_status = if_not_exists(last_status, :none), last_status = :status, last_build_id = :build, last_build_number = :number",
      ConditionExpression: "attribute_not_exists(#project) OR last_build_number < :number",
      ExpressionAttributeNames: { "#project": "project" },
      ExpressionAttributeValues: {
        ":none": { S: NONE },
        ":status": { S: status },
        ":build": { S: buildId },
        ":number": { N: String(buildNumber) },
      },
      ReturnValues: "ALL_NEW",
    })) as { Attributes?: Record<string, { S?: string }> };
    return change(updated.Attributes?.previous_status?.S, status);
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  const existing = await table.getItem({ TableName: tableName, Key: key, ConsistentRead: true });
  if (existing.Item?.last_build_id?.S === buildId) return change(existing.Item.previous_status?.S, status);
  // An older build than the one recorded: not a change of the project's status.
  return { previous: existing.Item?.last_status?.S, changed: false };
}

function change(previous: string | undefined, status: string): StatusChange {
  const known = previous === undefined || previous === NONE ? undefined : previous;
  return { previous: known, changed: known !== status };
}
