import type {
  DeleteItemCommandInput,
  GetItemCommandInput,
  GetItemCommandOutput,
  PutItemCommandInput,
  UpdateItemCommandInput,
} from "@aws-sdk/client-dynamodb";

/** The registry table operations the ledger uses; the notifier's role may use them on ledger items only. */
export interface LedgerTable {
  getItem(input: GetItemCommandInput): Promise<GetItemCommandOutput>;
  putItem(input: PutItemCommandInput): Promise<unknown>;
  updateItem(input: UpdateItemCommandInput): Promise<unknown>;
  deleteItem(input: DeleteItemCommandInput): Promise<unknown>;
}

/**
 * Ledger items share the registry table: their hash key starts with a prefix no CodeBuild project name
 * can have (`#` is not allowed in one), so a project's registrations never see them.
 */
export const DELIVERY_KEY_PREFIX = "#delivery:";

/** Long enough to outlive the dead-letter queue's retention, so a replayed event is still deduplicated. */
const RECORD_LIFETIME_SECONDS = 15 * 24 * 3600;

export type Claim = "claimed" | "delivered" | "claimed-elsewhere";

export interface DeliveryLedger {
  /**
   * Claims the delivery of an event to a receiver until `leaseUntil` (epoch ms): "claimed" when this
   * invocation may send, "delivered" when an earlier invocation did, "claimed-elsewhere" while another
   * invocation holds an unexpired claim.
   */
  claim(eventId: string, receiver: string, leaseUntil: number): Promise<Claim>;
  recordDelivered(
    eventId: string,
    receiver: string,
    details: { statusCode?: number; attempts: number },
  ): Promise<void>;
  /** Gives the claim up after a failed delivery, so the next retry can claim it at once. */
  release(eventId: string, receiver: string): Promise<void>;
}

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string }).name === "ConditionalCheckFailedException";
}

/**
 * Records each (event, receiver) delivery in the registry table with conditional writes, so a Lambda
 * retry sends only to receivers not yet delivered and two invocations of one event never both send.
 * `claimant` identifies this invocation (its request id): only the claimant records or releases.
 */
export function createDeliveryLedger(
  table: LedgerTable,
  tableName: string,
  claimant: string,
): DeliveryLedger {
  const key = (eventId: string, receiver: string) => ({
    project: { S: `${DELIVERY_KEY_PREFIX}${eventId}` },
    hook_url_param_name: { S: receiver },
  });
  const names = { "#project": "project", "#state": "delivery_state" };
  return {
    async claim(eventId, receiver, leaseUntil) {
      const now = Date.now();
      try {
        await table.putItem({
          TableName: tableName,
          Item: {
            ...key(eventId, receiver),
            delivery_state: { S: "in_progress" },
            claimed_by: { S: claimant },
            lease_expires_at: { N: String(leaseUntil) },
            expires_at: { N: String(Math.floor(now / 1000) + RECORD_LIFETIME_SECONDS) },
          },
          ConditionExpression:
            "attribute_not_exists(#project) OR (#state = :inProgress AND lease_expires_at < :now)",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ":inProgress": { S: "in_progress" }, ":now": { N: String(now) } },
        });
        return "claimed";
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const existing = await table.getItem({
        TableName: tableName,
        Key: key(eventId, receiver),
        ConsistentRead: true,
      });
      return existing.Item?.delivery_state?.S === "delivered" ? "delivered" : "claimed-elsewhere";
    },
    async recordDelivered(eventId, receiver, details) {
      await table.updateItem({
        TableName: tableName,
        Key: key(eventId, receiver),
        UpdateExpression:
          "SET #state = :delivered, delivered_at = :at, attempts = :attempts, status_code = :status REMOVE lease_expires_at",
        ConditionExpression: "claimed_by = :claimant",
        ExpressionAttributeNames: { "#state": "delivery_state" },
        ExpressionAttributeValues: {
          ":delivered": { S: "delivered" },
          ":at": { S: new Date().toISOString() },
          ":attempts": { N: String(details.attempts) },
          ":status": { N: String(details.statusCode ?? 0) },
          ":claimant": { S: claimant },
        },
      });
    },
    async release(eventId, receiver) {
      try {
        await table.deleteItem({
          TableName: tableName,
          Key: key(eventId, receiver),
          ConditionExpression: "claimed_by = :claimant AND #state = :inProgress",
          ExpressionAttributeNames: { "#state": "delivery_state" },
          ExpressionAttributeValues: { ":claimant": { S: claimant }, ":inProgress": { S: "in_progress" } },
        });
      } catch (error) {
        // Someone else's claim now (ours had expired): theirs to settle.
        if (!isConditionFailure(error)) throw error;
      }
    },
  };
}
