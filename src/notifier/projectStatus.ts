import type {
  AttributeValue,
  GetItemCommandInput,
  GetItemCommandOutput,
  PutItemCommandInput,
} from "@aws-sdk/client-dynamodb";
import type { BuildStateChangeEvent } from "./buildEvent";
import { buildStartedAt } from "./buildStartTime";
import type { CallOptions } from "./deliveryLedger";
import { isConditionFailure } from "./conditionFailure";
import { isFailure } from "./failedBuilds";
import type { Transition } from "../shared/buildStatuses";
import { type Verdict, verdictFromItem, verdictToItem } from "./verdict";
import { eventIdOf } from "./webhookId";

/**
 * Each project's status record is kept in the registry table under a hash key no CodeBuild project name
 * can have (`#` is not allowed in one).
 */
export const STATUS_KEY_PREFIX = "#status:";
export const STATUS_SORT_KEY = "#last-final-status";
/**
 * The verdicts of a project's newest builds are kept in its record, so a retry or replay of one of them
 * gets the verdict its first evaluation gave even after newer builds were recorded. Each takes about 60
 * bytes; a retry of an older build also finds its verdict in the event's delivery record.
 */
const KEPT_VERDICTS = 100;
/** Concurrent builds of one project rewrite its record in turns; each turn re-reads it. */
const MAX_TURNS = 10;
/**
 * Within one project, builds are numbered in the order they are started, and their start times follow
 * that order to within the second the event gives them in (and any jitter between two builds started
 * at once). Start times further apart than this are taken to order builds whatever their numbers say:
 * a build that started this much later than the newest recorded one, with a number not above it, is of
 * the project created again under its name; one that started this much earlier is of the project before.
 */
const START_TIME_MARGIN_MS = 60_000;

/** The registry table operations status records need; the notifier's role may use them on those only. */
export interface StatusTable {
  getItem(input: GetItemCommandInput, options?: CallOptions): Promise<GetItemCommandOutput>;
  putItem(input: PutItemCommandInput): Promise<unknown>;
}

/**
 * The verdict on a build's final status. Builds are ordered by build number within their project, and
 * by start time across the lives of a project deleted and created again under its name, whose build
 * numbers start again at 1 (see `orderAgainst`); the project's record keeps the newest build's status
 * and the verdicts of the newest builds, and changes only under a condition on the version it was read
 * at, so two builds finishing at once are recorded one after the other, each judged against the other's
 * status. A build older than the newest recorded one is no change and leaves the record alone. Every
 * retry and replay of a build gets the verdict its first evaluation gave. `project` is the key the
 * project's record lives under (see `projectKey`). The record also keeps the newest streak and the event
 * that began it, which the streak's verdicts carry (`streakEvent`).
 */
export async function evaluateFinalStatus(
  table: StatusTable,
  tableName: string,
  event: BuildStateChangeEvent,
  project: string,
): Promise<Verdict> {
  const status = event.detail?.["build-status"] ?? "";
  const buildId = event.detail?.["build-id"] ?? "";
  const buildNumber = event.detail?.["additional-information"]?.["build-number"];
  // Without a build number there is no order to keep: the notice goes out, nothing is recorded.
  if (typeof buildNumber !== "number" || !Number.isInteger(buildNumber)) {
    return { changed: true, failureCount: 0 };
  }
  const key = statusKey(project);
  const eventId = eventIdOf(event);
  const startedAt = buildStartedAt(event);

  for (let turn = 0; turn < MAX_TURNS; turn += 1) {
    const record = (await table.getItem({ TableName: tableName, Key: key, ConsistentRead: true })).Item;
    const kept = record?.verdicts?.M?.[String(buildNumber)];
    if (kept?.M?.build_id?.S === buildId) {
      return { ...verdictFromItem(kept), newestStreak: newestStreakIn(record) };
    }
    const order = orderAgainst(record, buildNumber, startedAt);
    if (order === "older") {
      return { previous: record?.last_status?.S, changed: false, failureCount: 0 };
    }
    // Streaks are named by this position: the build number, counted on from the project's earlier lives.
    const position = buildNumber + order.offset;

    const previous = record?.last_status?.S;
    const health = judgeHealth(healthOf(record), status, position);
    const opens = health.transition === "broken";
    const streakEvent = opens ? eventId : record?.streak_event?.S;
    const newestStreak = opens ? position : newestStreakIn(record);
    const verdict: Verdict = {
      previous,
      changed: outcomeOf(previous) !== outcomeOf(status),
      failureCount: health.failureCount,
      ...(health.transition ? { transition: health.transition } : {}),
      ...(health.streak === undefined ? {} : { streak: health.streak }),
      ...(health.streak === undefined || streakEvent === undefined ? {} : { streakEvent }),
    };
    // A new life of the project numbers its builds afresh: the verdicts kept under the old numbers go.
    const verdicts = newestVerdicts({
      ...(order.newLife ? {} : record?.verdicts?.M),
      [String(buildNumber)]: { M: { ...verdictToItem(verdict).M, build_id: { S: buildId } } },
    });
    const version = Number(record?.version?.N ?? 0);
    try {
      await table.putItem({
        TableName: tableName,
        Item: {
          ...key,
          last_status: { S: status },
          last_build_id: { S: buildId },
          last_build_number: { N: String(buildNumber) },
          ...(startedAt === undefined ? {} : { last_started_at: { N: String(startedAt) } }),
          ...(order.offset === 0 ? {} : { number_offset: { N: String(order.offset) } }),
          ...healthItem(health.next),
          ...(newestStreak === undefined ? {} : { newest_streak: { N: String(newestStreak) } }),
          ...(streakEvent === undefined ? {} : { streak_event: { S: streakEvent } }),
          verdicts: { M: verdicts },
          version: { N: String(version + 1) },
        },
        ...readAtVersion(record),
      });
      return { ...verdict, ...(newestStreak === undefined ? {} : { newestStreak }) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
  throw new Error(`The status record of project ${project} kept changing under concurrent builds; retry`);
}

/**
 * The build number that began the project's newest failure streak (the current one, or the last one
 * fixed), as its status record says now; undefined before its first failure.
 */
export async function readNewestStreak(
  table: StatusTable,
  tableName: string,
  project: string,
  options?: CallOptions,
): Promise<number | undefined> {
  const record = await table.getItem(
    { TableName: tableName, Key: statusKey(project), ConsistentRead: true },
    options,
  );
  return newestStreakIn(record.Item);
}

/**
 * Where a build stands against the newest recorded one: older, or newer with the offset its project's
 * life adds to its number (`newLife` when it is the first recorded build of the project created again).
 * Builds are ordered by number, unless their start times are more than START_TIME_MARGIN_MS apart: then
 * by start time, since a project's builds start in number order and the numbers of a project created
 * again start at 1. Without a start time on either side, by number alone.
 */
function orderAgainst(
  record: Record<string, AttributeValue> | undefined,
  buildNumber: number,
  startedAt: number | undefined,
): "older" | { offset: number; newLife: boolean } {
  if (!record) return { offset: 0, newLife: false };
  const lastNumber = Number(record.last_build_number?.N);
  const offset = Number(record.number_offset?.N ?? 0);
  const lastStartedAt =
    record.last_started_at?.N === undefined ? undefined : Number(record.last_started_at.N);
  const apart =
    startedAt !== undefined && lastStartedAt !== undefined
      ? Math.abs(startedAt - lastStartedAt) > START_TIME_MARGIN_MS
      : false;
  if (apart && (startedAt as number) < (lastStartedAt as number)) return "older";
  if (buildNumber > lastNumber) return { offset, newLife: false };
  // Its number is not above the newest's, yet it started well after it: the project was created again.
  return apart ? { offset: offset + lastNumber, newLife: true } : "older";
}

function statusKey(project: string): Record<string, AttributeValue> {
  return { project: { S: `${STATUS_KEY_PREFIX}${project}` }, hook_url_param_name: { S: STATUS_SORT_KEY } };
}

/** Records written before the newest streak was kept know it only while the streak lasts. */
function newestStreakIn(record: Record<string, AttributeValue> | undefined): number | undefined {
  if (record?.newest_streak?.N !== undefined) return Number(record.newest_streak.N);
  return healthOf(record).streak;
}

/** The project's build health: its last SUCCEEDED or FAILED build, and the failure streak it is in. */
interface Health {
  status?: "SUCCEEDED" | "FAILED";
  /** Consecutive failed builds; 0 unless failing. */
  failureCount: number;
  /** The build number that opened the current failure streak. */
  streak?: number;
}

function healthOf(record: Record<string, AttributeValue> | undefined): Health {
  // Records written before health was kept have the last final status only.
  const status = record?.health_status?.S ?? record?.last_status?.S;
  if (status === "FAILED") {
    return {
      status,
      failureCount: Number(record?.failure_count?.N ?? 1),
      streak: Number(record?.streak_start?.N ?? record?.last_build_number?.N),
    };
  }
  return status === "SUCCEEDED" ? { status, failureCount: 0 } : { failureCount: 0 };
}

function healthItem(health: Health): Record<string, AttributeValue> {
  return {
    ...(health.status ? { health_status: { S: health.status } } : {}),
    failure_count: { N: String(health.failureCount) },
    ...(health.streak === undefined ? {} : { streak_start: { N: String(health.streak) } }),
  };
}

/**
 * The transition a build's final status makes from the project's health: `broken` for a failure after a
 * success (or none), `still-failing` for a failure after a failure, `fixed` for a success after a
 * failure. A failure is FAILED, FAULT or TIMED_OUT; a stopped build (a person stopped it) changes nothing.
 */
function judgeHealth(
  health: Health,
  status: string,
  buildNumber: number,
): { transition?: Transition; failureCount: number; streak?: number; next: Health } {
  if (isFailure(status)) {
    const next: Health =
      health.status === "FAILED"
        ? { status: "FAILED", failureCount: health.failureCount + 1, streak: health.streak }
        : { status: "FAILED", failureCount: 1, streak: buildNumber };
    const transition = health.status === "FAILED" ? "still-failing" : "broken";
    return { transition, failureCount: next.failureCount, streak: next.streak, next };
  }
  if (status === "SUCCEEDED") {
    const next: Health = { status: "SUCCEEDED", failureCount: 0 };
    return health.status === "FAILED"
      ? { transition: "fixed", failureCount: health.failureCount, streak: health.streak, next }
      : { failureCount: 0, next };
  }
  return { failureCount: health.failureCount, streak: health.streak, next: health };
}

/** The condition that the record is still the one read (records written before versions had none). */
function readAtVersion(
  record: Record<string, AttributeValue> | undefined,
): Pick<
  PutItemCommandInput,
  "ConditionExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues"
> {
  if (!record) {
    return {
      ConditionExpression: "attribute_not_exists(#project)",
      ExpressionAttributeNames: { "#project": "project" },
    };
  }
  if (record.version?.N !== undefined) {
    return {
      ConditionExpression: "version = :version",
      ExpressionAttributeValues: { ":version": record.version },
    };
  }
  return {
    ConditionExpression: "attribute_not_exists(version) AND last_build_number = :number",
    ExpressionAttributeValues: { ":number": record.last_build_number ?? { N: "0" } },
  };
}

function newestVerdicts(verdicts: Record<string, AttributeValue>): Record<string, AttributeValue> {
  const numbers = Object.keys(verdicts)
    .map(Number)
    .sort((a, b) => b - a)
    .slice(0, KEPT_VERDICTS);
  return Object.fromEntries(numbers.map((number) => [String(number), verdicts[String(number)]]));
}

/**
 * What a final status says of the build's outcome, for onlyOnChange: a build that timed out or faulted
 * failed like one that ended FAILED, so a streak of failures of any kind is no change.
 */
function outcomeOf(status: string | undefined): string | undefined {
  return status !== undefined && isFailure(status) ? "FAILED" : status;
}
