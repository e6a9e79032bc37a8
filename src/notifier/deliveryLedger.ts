import type {
  AttributeValue,
  BatchWriteItemCommandInput,
  BatchWriteItemCommandOutput,
  GetItemCommandInput,
  GetItemCommandOutput,
  PutItemCommandInput,
  WriteRequest,
} from "@aws-sdk/client-dynamodb";
import { isConditionFailure } from "./conditionFailure";

/** The registry table operations the ledger uses; the notifier's role may use them on ledger items only. */
export interface LedgerTable {
  getItem(input: GetItemCommandInput): Promise<GetItemCommandOutput>;
  putItem(input: PutItemCommandInput): Promise<unknown>;
  batchWriteItem(input: BatchWriteItemCommandInput): Promise<BatchWriteItemCommandOutput>;
}

/**
 * Ledger items share the registry table: their hash key starts with a prefix no CodeBuild project name
 * can have (`#` is not allowed in one), so a project's registrations never see them.
 */
export const DELIVERY_KEY_PREFIX = "#delivery:";

/** Long enough to outlive the dead-letter queue's retention, so a replayed event is still deduplicated. */
const RECORD_LIFETIME_SECONDS = 15 * 24 * 3600;
/** BatchWriteItem takes at most 25 requests. */
const BATCH_SIZE = 25;
const BATCH_ATTEMPTS = 5;

export type Claim = "claimed" | "delivered" | "claimed-elsewhere";

/** How a claimed delivery ended. */
export interface Settlement {
  receiver: string;
  delivered: boolean;
  statusCode?: number;
  attempts: number;
}

export interface DeliveryLedger {
  /**
   * Claims the delivery of the event to a receiver until `leaseUntil` (epoch ms): "claimed" when this
   * invocation may send, "delivered" when an earlier invocation did, "claimed-elsewhere" while another
   * invocation holds an unexpired claim.
   */
  claim(receiver: string, leaseUntil: number): Promise<Claim>;
  /**
   * Records the claimed deliveries that succeeded and gives up the claims of those that failed, so the
   * next retry can claim them at once. Resolves with the receivers whose record could not be written.
   */
  settle(settlements: readonly Settlement[]): Promise<string[]>;
}

/**
 * Records each (event, receiver) delivery of one event in the registry table, so a Lambda retry sends
 * only to receivers not yet delivered and two invocations of one event never both send: a conditional
 * write claims a delivery before it is sent; the outcomes are written together once all are known, in
 * batches. The claims last past the invocation's deadline, so they are still this invocation's when it
 * settles them.
 */
export function createDeliveryLedger(
  table: LedgerTable,
  tableName: string,
  eventId: string,
  claimant: string,
): DeliveryLedger {
  const key = (receiver: string): Record<string, AttributeValue> => ({
    project: { S: `${DELIVERY_KEY_PREFIX}${eventId}` },
    hook_url_param_name: { S: receiver },
  });
  const expiresAt = () => ({ N: String(Math.floor(Date.now() / 1000) + RECORD_LIFETIME_SECONDS) });

  async function writeBatch(requests: WriteRequest[]): Promise<WriteRequest[]> {
    let pending = requests;
    for (let attempt = 0; attempt < BATCH_ATTEMPTS && pending.length > 0; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const result = await table.batchWriteItem({ RequestItems: { [tableName]: pending } });
      pending = result.UnprocessedItems?.[tableName] ?? [];
    }
    return pending;
  }

  return {
    async claim(receiver, leaseUntil) {
      const now = Date.now();
      try {
        await table.putItem({
          TableName: tableName,
          Item: {
            ...key(receiver),
            delivery_state: { S: "in_progress" },
            claimed_by: { S: claimant },
            lease_expires_at: { N: String(leaseUntil) },
            expires_at: expiresAt(),
          },
          ConditionExpression:
            "attribute_not_exists(#project) OR (#state = :inProgress AND lease_expires_at < :now)",
          ExpressionAttributeNames: { "#project": "project", "#state": "delivery_state" },
          ExpressionAttributeValues: { ":inProgress": { S: "in_progress" }, ":now": { N: String(now) } },
        });
        return "claimed";
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const existing = await table.getItem({
        TableName: tableName,
        Key: key(receiver),
        ConsistentRead: true,
      });
      return existing.Item?.delivery_state?.S === "delivered" ? "delivered" : "claimed-elsewhere";
    },

    async settle(settlements) {
      const requests: WriteRequest[] = settlements.map((settlement) =>
        settlement.delivered
          ? {
              PutRequest: {
                Item: {
                  ...key(settlement.receiver),
                  delivery_state: { S: "delivered" },
                  claimed_by: { S: claimant },
                  delivered_at: { S: new Date().toISOString() },
                  attempts: { N: String(settlement.attempts) },
                  status_code: { N: String(settlement.statusCode ?? 0) },
                  expires_at: expiresAt(),
                },
              },
            }
          : { DeleteRequest: { Key: key(settlement.receiver) } },
      );
      const batches: WriteRequest[][] = [];
      for (let start = 0; start < requests.length; start += BATCH_SIZE) {
        batches.push(requests.slice(start, start + BATCH_SIZE));
      }
      const unwritten = (await Promise.all(batches.map(writeBatch))).flat();
      return unwritten.map(
        (request) => (request.PutRequest?.Item ?? request.DeleteRequest?.Key)?.hook_url_param_name?.S ?? "",
      );
    },
  };
}
