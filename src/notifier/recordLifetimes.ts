import type { AttributeValue } from "@aws-sdk/client-dynamodb";

/**
 * How long what an open failure streak needs is kept after its last change: its receivers' streak
 * records, and the delivery record of the event that opened it (which holds what the opening's answer
 * gave, should the streak record have missed it). A project may build once a month or less.
 */
export const OPEN_STREAK_LIFETIME_SECONDS = 180 * 24 * 3600;

/** The epoch second `seconds` from now, as DynamoDB's TTL reads a record's `expires_at`. */
export function expiresIn(seconds: number): AttributeValue {
  return { N: String(Math.floor(Date.now() / 1000) + seconds) };
}
