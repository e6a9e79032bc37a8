import { createHash } from "node:crypto";

/**
 * The Standard Webhooks `webhook-id` of one (event, receiver) delivery: derived from both, so it is the
 * same across every attempt and every Lambda retry of that delivery and differs between deliveries.
 * Receivers deduplicate on it.
 */
export function webhookId(eventId: string, receiver: string): string {
  return `msg_${createHash("sha256").update(`${eventId}\n${receiver}`).digest("base64url").slice(0, 32)}`;
}

/** The event's EventBridge id; an event replayed without one is identified by its content. */
export function eventIdOf(event: { id?: string }): string {
  return event.id ?? `sha256:${createHash("sha256").update(JSON.stringify(event)).digest("hex")}`;
}
