import type { TakenRequest } from "../../loadtest/streakReceivers";
import type { BuildStart, StreakBuild } from "../../loadtest/streakScenario";

/** The URL parameter of the streak run's receiver with one message per build, as records name it. */
export const MESSAGES = "/webhooks/messages/url";
const BUILD_ID = "arn:aws:codebuild:us-east-1:123456789012:build/app-1:0b7f3c1e";

/** Build #7 of app-1, for hand-built observations of the streak run's models: its final event. */
export const build: StreakBuild = {
  id: "final-7",
  project: "app-1",
  number: 7,
  status: "SUCCEEDED",
  event: { detail: { "build-id": BUILD_ID } },
  sendAtMs: 0,
};

/** Build #7's IN_PROGRESS event. */
export const start: BuildStart = {
  id: "start-7",
  build,
  event: { detail: { "build-id": BUILD_ID } },
  sendAtMs: 0,
};

/**
 * A request of build #7 as the per-build receiver takes it: its webhook-id names the event only (the
 * notifier derives it from the event and the receiver), as every request of one event is sent.
 */
export function taken(
  eventId: string,
  status: string,
  path: string,
  receivedAt: number,
  issued?: string,
): TakenRequest {
  return {
    receiver: "messages",
    webhookId: `msg_${eventId}`,
    eventId,
    path,
    body: { build: BUILD_ID, status },
    receivedAt,
    ...(issued ? { issued } : {}),
  };
}
