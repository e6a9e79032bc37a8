import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { TRANSITIONS, type Transition } from "../shared/buildStatuses";

/** What a build's final status means for its project, decided once, when the build is first recorded. */
export interface Verdict {
  /** The project's final status before this build; undefined for its first. */
  previous?: string;
  /** Whether this build's final status differs from the previous one (the first one always does). */
  changed: boolean;
  /** The change of the project's build health this build made, if any. */
  transition?: Transition;
  /** Consecutive failed builds of the streak this build belongs to or ends; 0 outside a streak. */
  failureCount: number;
  /** The build number that opened the streak this build belongs to or ends. */
  streak?: number;
  /**
   * The event of the build that opened the streak: the one expected to send its opening action, whose
   * delivery record a follow-up reads while the receiver's streak record does not say the streak is open.
   * Unknown for streaks begun before it was kept.
   */
  streakEvent?: string;
  /**
   * Not kept with the verdict: the build number that began the project's newest streak when the verdict
   * was read. A retry, which takes the verdict from the delivery record, reads it anew when it needs it.
   */
  newestStreak?: number;
}

export function verdictToItem(verdict: Verdict): AttributeValue {
  return {
    M: {
      changed: { BOOL: verdict.changed },
      failure_count: { N: String(verdict.failureCount) },
      ...(verdict.previous === undefined ? {} : { previous: { S: verdict.previous } }),
      ...(verdict.transition === undefined ? {} : { transition: { S: verdict.transition } }),
      ...(verdict.streak === undefined ? {} : { streak: { N: String(verdict.streak) } }),
      ...(verdict.streakEvent === undefined ? {} : { streak_event: { S: verdict.streakEvent } }),
    },
  };
}

export function verdictFromItem(item: AttributeValue): Verdict {
  const fields = item.M ?? {};
  const transition = fields.transition?.S;
  return {
    changed: fields.changed?.BOOL === true,
    failureCount: Number(fields.failure_count?.N ?? 0),
    ...(fields.previous?.S === undefined ? {} : { previous: fields.previous.S }),
    ...(isTransition(transition) ? { transition } : {}),
    ...(fields.streak?.N === undefined ? {} : { streak: Number(fields.streak.N) }),
    ...(fields.streak_event?.S === undefined ? {} : { streakEvent: fields.streak_event.S }),
  };
}

function isTransition(value: string | undefined): value is Transition {
  return (TRANSITIONS as readonly (string | undefined)[]).includes(value);
}
