import type { ReceiverAction, Transition } from "../receiverDefinition";
import type { RegistryEntry } from "./registryEntries";
import { renderTemplate } from "./renderTemplate";
import type { StreakRecord } from "./streakRecords";
import type { Verdict } from "./verdict";

/** What to do for a receiver with actions, given the build's transition and its record of the streak. */
export type ActionPlan =
  | {
      kind: "send";
      transition: Transition;
      action: ReceiverAction;
      /** This action opens the streak for the receiver: only the invocation that claims that may send it. */
      opening: boolean;
      /** The values remembered earlier in the streak, for the action's placeholders. */
      remembered: Record<string, string>;
    }
  /** The streak's opening action is in flight in another invocation: wait for Lambda's retry. */
  | { kind: "wait"; reason: string }
  /** Nothing to send, and nothing failed. */
  | { kind: "skip"; reason: string };

/** Whether a receiver with actions hears of a build with this transition (possibly as its opening). */
export function actsOn(entry: RegistryEntry, transition: Transition | undefined): boolean {
  if (!entry.actions || !transition) return false;
  return (
    entry.actions[transition] !== undefined ||
    (transition === "still-failing" && entry.actions.broken !== undefined)
  );
}

/** The names any action of the receiver remembers. */
function rememberedNames(entry: RegistryEntry): Set<string> {
  return new Set(Object.values(entry.actions ?? {}).flatMap((action) => Object.keys(action.remember ?? {})));
}

/** Whether an action's path or template names a value the receiver remembers. */
function needsRemembered(entry: RegistryEntry, action: ReceiverAction): boolean {
  const names = rememberedNames(entry);
  const referenced = renderTemplate(`${action.path ?? ""} ${action.template}`, {}, "text").unknownNames;
  return referenced.some((name) => names.has(name));
}

/**
 * The action a receiver gets for a build's transition. The streak's opening action (`broken`) goes out
 * once per streak and receiver: a later failure sends it instead of `still-failing` if it never got
 * through (it ended in the dead-letter queue), and a follow-up that needs what the opening action's
 * answer gave waits while that action is in flight elsewhere, rather than go out without it. An event
 * of a streak older than the receiver's record (a replayed dead letter) sends nothing.
 */
export function planAction(
  entry: RegistryEntry,
  verdict: Verdict,
  record: StreakRecord | undefined,
  eventId: string,
  now: number,
): ActionPlan {
  const actions = entry.actions ?? {};
  const transition = verdict.transition as Transition;
  // Streaks are named by the build number that began them: a replayed event of an older streak finds
  // the record taken over by a newer one, whose ticket and values its action must not touch.
  if (record !== undefined && verdict.streak !== undefined && verdict.streak < record.streak) {
    return {
      kind: "skip",
      reason:
        `the failure streak that began with build #${verdict.streak} is over: a newer one began with ` +
        `build #${record.streak}`,
    };
  }
  const current = record !== undefined && record.streak === verdict.streak;
  const open = current && record.state === "open";
  const remembered = open ? record.values : {};
  if (current && !open && record.openerLeaseUntil > now && record.opener !== eventId) {
    return {
      kind: "wait",
      reason:
        "the failure streak's opening action is in flight in another invocation; left to Lambda's retry",
    };
  }
  const opening = (): ActionPlan =>
    actions.broken
      ? { kind: "send", transition: "broken", action: actions.broken, opening: true, remembered: {} }
      : { kind: "skip", reason: "no broken action opens the failure streak" };

  if (transition === "broken") {
    return open ? { kind: "skip", reason: "a later failure of the streak opened it already" } : opening();
  }
  const action = actions[transition];
  if (open) {
    return action
      ? { kind: "send", transition, action, opening: false, remembered }
      : { kind: "skip", reason: `no ${transition} action` };
  }
  // The streak was never opened for this receiver: its opening action failed for good, or came too late.
  if (transition === "still-failing") return opening();
  if (action && !needsRemembered(entry, action)) {
    return { kind: "send", transition, action, opening: false, remembered: {} };
  }
  return { kind: "skip", reason: "the failure streak was never opened for this receiver; nothing to close" };
}
