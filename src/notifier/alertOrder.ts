import type { AttributeValue, UpdateItemCommandInput } from "@aws-sdk/client-dynamodb";
import { isConditionFailure } from "./conditionFailure";
import type { CallOptions, LedgerTable } from "./deliveryLedger";
import { REMEMBER_KEY_PREFIX } from "./streakRecords";

/** Kept as long as an open streak's record, and extended by every write. */
const ORDER_LIFETIME_SECONDS = 180 * 24 * 3600;

/** A place in an alert's order: an opening's, or a fix's. */
export type AlertPlace = "opening" | "closing";

/**
 * The order of the openings and closings of an alert named by the project (as Opsgenie's alias and
 * PagerDuty's dedup_key name it) at one receiver: every streak's opening and fix address the same
 * alert, so neither an older streak's fix nor its opening, while still being sent (retrying a `429`,
 * say), may reach the receiver after a newer streak's opening or fix: the alert would end closed while
 * the project fails, or open while it passes. One item per project and receiver, beside its streak
 * records (`#remember:<project>`, range key `#alert#<receiver>`): the newest streak whose opening was
 * claimed, and the opening and the fix being sent, each with its invocation's deadline.
 */
export interface AlertOrder {
  /**
   * Before a streak's opening is sent, until `until` (epoch ms, the invocation's deadline): false once a
   * newer streak's opening was claimed, while an older streak's fix is being sent, or another opening.
   */
  opening: TakePlace;
  /**
   * Before a fix is sent, until `until`: false once a newer streak's opening was claimed, while another
   * fix is being sent, or while an older streak's opening is.
   */
  closing: TakePlace;
  /** Once the opening or fix was sent, or failed: gives its place up. */
  released(receiver: string, place: AlertPlace, eventId: string, options?: CallOptions): Promise<void>;
}

/** Takes a place in the order for the event, until `until`; false when it must wait or not be sent. */
type TakePlace = (
  receiver: string,
  streak: number,
  eventId: string,
  until: number,
  options?: CallOptions,
) => Promise<boolean>;

/**
 * An opening's conditions: no older streak's fix being sent, and no other opening (two events of a
 * streak may both find the right to open it free: the one whose claim wins sends, in this place).
 */
const OPENING_CONDITION =
  "(attribute_not_exists(closing_until) OR closing_until < :now OR closing_streak >= :streak) AND " +
  "(attribute_not_exists(opening_until) OR opening_until < :now OR opening_by = :event)";
/**
 * A fix's conditions: no other fix being sent, and no older streak's opening (its own streak's opening
 * is waited for by its claim).
 */
const CLOSING_CONDITION =
  "(attribute_not_exists(closing_until) OR closing_until < :now OR closing_by = :event) AND " +
  "(attribute_not_exists(opening_until) OR opening_until < :now OR opening_streak >= :streak)";

export function createAlertOrder(table: LedgerTable, tableName: string, project: string): AlertOrder {
  const key = (receiver: string) => ({
    project: { S: `${REMEMBER_KEY_PREFIX}${project}` },
    hook_url_param_name: { S: `#alert#${receiver}` },
  });
  const update = async (
    receiver: string,
    input: Pick<UpdateItemCommandInput, "UpdateExpression" | "ConditionExpression">,
    values: Record<string, AttributeValue>,
    options: CallOptions | undefined,
  ): Promise<boolean> => {
    try {
      await table.updateItem(
        {
          TableName: tableName,
          Key: key(receiver),
          ...input,
          ExpressionAttributeValues: {
            ...values,
            ":expires_at": { N: String(Math.floor(Date.now() / 1000) + ORDER_LIFETIME_SECONDS) },
          },
        },
        options,
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  };
  const now = () => ({ N: String(Date.now()) });

  /**
   * Takes the place of an opening or a fix of `streak` for the event, until `until`, unless a newer
   * streak's opening was claimed, and on the place's own `condition`.
   */
  const take = (
    receiver: string,
    place: AlertPlace,
    { streak, eventId, until }: { streak: number; eventId: string; until: number },
    set: string,
    condition: string,
    options: CallOptions | undefined,
  ) =>
    update(
      receiver,
      {
        UpdateExpression: `SET ${set}${place}_streak = :streak, ${place}_by = :event, ${place}_until = :until, expires_at = :expires_at`,
        ConditionExpression:
          "(attribute_not_exists(opened_streak) OR opened_streak <= :streak) AND " + condition,
      },
      {
        ":streak": { N: String(streak) },
        ":event": { S: eventId },
        ":until": { N: String(until) },
        ":now": now(),
      },
      options,
    );

  return {
    opening(receiver, streak, eventId, until, options) {
      const place = { streak, eventId, until };
      return take(receiver, "opening", place, "opened_streak = :streak, ", OPENING_CONDITION, options);
    },

    closing(receiver, streak, eventId, until, options) {
      return take(receiver, "closing", { streak, eventId, until }, "", CLOSING_CONDITION, options);
    },

    async released(receiver, place, eventId, options) {
      await update(
        receiver,
        {
          UpdateExpression: `SET ${place}_until = :released, expires_at = :expires_at`,
          ConditionExpression: `${place}_by = :event`,
        },
        { ":released": { N: "0" }, ":event": { S: eventId } },
        options,
      );
    },
  };
}
