import type { AttributeValue, UpdateItemCommandInput } from "@aws-sdk/client-dynamodb";
import { isConditionFailure } from "./conditionFailure";
import type { CallOptions, LedgerTable } from "./deliveryLedger";
import { REMEMBER_KEY_PREFIX } from "./streakRecords";

/** Kept as long as an open streak's record, and extended by every write. */
const ORDER_LIFETIME_SECONDS = 180 * 24 * 3600;

/**
 * The order of the openings and closings of an alert named by the project (as Opsgenie's alias and
 * PagerDuty's dedup_key name it) at one receiver: every streak's opening and fix address the same
 * alert, so a fix of an older streak still being sent must not reach the receiver after a newer
 * streak's opening, which it would close. One item per project and receiver, beside its streak records
 * (`#remember:<project>`, range key `#alert#<receiver>`): the newest streak whose opening was claimed,
 * and the fix being sent, with its invocation's deadline.
 */
export interface AlertOrder {
  /** Before a streak's opening is sent: false while a fix of an older streak is being sent. */
  opening(receiver: string, streak: number, options?: CallOptions): Promise<boolean>;
  /**
   * Before a fix is sent, until `until` (epoch ms, the invocation's deadline): false once a newer streak's
   * opening was claimed, or while another fix is being sent.
   */
  closing(
    receiver: string,
    streak: number,
    eventId: string,
    until: number,
    options?: CallOptions,
  ): Promise<boolean>;
  /** Once the fix was sent, or failed: gives the closing up. */
  closed(receiver: string, eventId: string, options?: CallOptions): Promise<void>;
}

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

  return {
    opening(receiver, streak, options) {
      return update(
        receiver,
        {
          UpdateExpression: "SET opened_streak = :streak, expires_at = :expires_at",
          ConditionExpression:
            "(attribute_not_exists(opened_streak) OR opened_streak <= :streak) AND " +
            "(attribute_not_exists(closing_until) OR closing_until < :now OR closing_streak >= :streak)",
        },
        { ":streak": { N: String(streak) }, ":now": now() },
        options,
      );
    },

    closing(receiver, streak, eventId, until, options) {
      return update(
        receiver,
        {
          UpdateExpression:
            "SET closing_streak = :streak, closing_by = :event, closing_until = :until, expires_at = :expires_at",
          ConditionExpression:
            "(attribute_not_exists(opened_streak) OR opened_streak <= :streak) AND " +
            "(attribute_not_exists(closing_until) OR closing_until < :now OR closing_by = :event)",
        },
        {
          ":streak": { N: String(streak) },
          ":event": { S: eventId },
          ":until": { N: String(until) },
          ":now": now(),
        },
        options,
      );
    },

    async closed(receiver, eventId, options) {
      await update(
        receiver,
        {
          UpdateExpression: "SET closing_until = :released, expires_at = :expires_at",
          ConditionExpression: "closing_by = :event",
        },
        { ":released": { N: "0" }, ":event": { S: eventId } },
        options,
      );
    },
  };
}
