import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { TRANSITIONS, type Transition } from "../receiverDefinition";

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
}

export function verdictToItem(verdict: Verdict): AttributeValue {
  return {
    M: {
      changed: { BOOL: verdict.changed },
      failure_count: { N: String(verdict.failureCount) },
      ...(verdict.previous === undefined ? {} : { previous: { S: verdict.previous } }),
      ...(verdict.transition === undefined ? {} : { transition: { S: verdict.transition } }),
      ...(verdict.streak === undefined ? {} : { streak: { N: String(verdict.streak) } }),
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
  };
}

function isTransition(value: string | undefined): value is Transition {
  return (TRANSITIONS as readonly (string | undefined)[]).includes(value);
}
