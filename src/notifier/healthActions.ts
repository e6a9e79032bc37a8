import type { Transition } from "../shared/buildStatuses";
import type { ReceiverAction } from "../shared/registryFormat";
import type { DeliveryRecord } from "./deliveryLedger";
import type { RegistryEntry } from "./registryEntries";
import { renderTemplate } from "./renderTemplate";
import type { EndedOpener, StreakRecord } from "./streakRecords";
import type { Verdict } from "./verdict";

/** A right the decide step takes on the receiver's streak record before anything is sent. */
export interface StreakClaim {
  /** `opening`: to send the streak's opening action; `close-unopened`: to close a streak never opened. */
  kind: "opening" | "close-unopened";
  /** An opener whose invocations had ended without delivering, whose right is taken over. */
  over?: EndedOpener;
}

/** What the record stage writes of the receiver's streak after the delivery. */
export type StreakWrite = "opened" | "remember" | "closed" | "none";

/** What to do for a receiver with actions, given the build's transition and where its streak stands. */
export type ActionPlan =
  | {
      kind: "send";
      transition: Transition;
      action: ReceiverAction;
      /** The values remembered earlier in the streak, for the action's placeholders. */
      remembered: Record<string, string>;
      claim?: StreakClaim;
      /**
       * For a receiver whose fix names the alert by the project: the place this action takes in the
       * alert's order (see AlertOrder), taken before sending.
       */
      order?: "opening" | "closing";
      /** Written once the receiver answered 2xx. */
      record: StreakWrite;
      /**
       * The opener whose delivery was recorded while the streak record does not say it is open (its write
       * failed, or has the earlier format): the record stage writes it open, whatever this delivery does.
       */
      repairFrom?: string;
    }
  /** The streak's opening action may still be in flight in another invocation: wait for Lambda's retry. */
  | { kind: "wait"; reason: string }
  /** Nothing to send, and nothing failed; a claim to take first, if any. */
  | { kind: "skip"; reason: string; claim?: StreakClaim };

/** Where a receiver's failure streak stands, from its record and, when it is not open, its opener's delivery. */
export type StreakStanding =
  /** The opening action was delivered: `repairFrom` when only its opener's delivery record says so. */
  | { kind: "open"; values: Record<string, string>; opener?: string; repairFrom?: string }
  | { kind: "closed"; values: Record<string, string>; closer?: string }
  | { kind: "closed-without-opening"; closer?: string }
  /** The invocation expected to open it holds its event's lease and has not delivered it yet. */
  | { kind: "in-flight" }
  /** Not opened, and no invocation is opening it: it may be claimed (taking over `over`). */
  | { kind: "free"; over?: EndedOpener };

const WAIT_FOR_OPENING =
  "the failure streak's opening action is in flight in another invocation; left to Lambda's retry";

/** Whether a receiver with actions hears of a build with this transition (possibly as its opening). */
export function actsOn(entry: RegistryEntry, transition: Transition | undefined): boolean {
  if (!entry.actions || !transition) return false;
  return (
    entry.actions[transition] !== undefined ||
    (transition === "still-failing" && entry.actions.broken !== undefined)
  );
}

/**
 * The names any action of the receiver remembers (per transition, or its per-build post and update):
 * never filled from anything but its answers.
 */
export function rememberedNames(entry: RegistryEntry): Set<string> {
  return new Set(
    Object.values({ ...entry.actions, ...entry.perBuild }).flatMap((action) =>
      Object.keys(action.remember ?? {}),
    ),
  );
}

/** Whether an action's path or template names a value the receiver remembers. */
export function needsRemembered(entry: RegistryEntry, action: ReceiverAction): boolean {
  const names = rememberedNames(entry);
  const referenced = renderTemplate(`${action.path ?? ""} ${action.template}`, {}, "text").unknownNames;
  return referenced.some((name) => names.has(name));
}

/**
 * The event whose delivery record tells whether the receiver's streak was opened, when its record does
 * not: the opener its record names, or, without a record, the event of the build that began the streak.
 * Undefined when there is nothing to ask (the record settles it, or this event is that opener).
 */
export function openerToAsk(
  entry: RegistryEntry,
  record: StreakRecord | undefined,
  verdict: Verdict,
  eventId: string,
): string | undefined {
  if (!entry.actions?.broken || (record !== undefined && record.state !== "opening")) return undefined;
  const opener = record?.opener ?? verdict.streakEvent;
  return opener === eventId ? undefined : opener;
}

/** Where the receiver's streak stands, from its record and the delivery record of `openerToAsk`'s event. */
export function standingOf(
  receiver: string,
  record: StreakRecord | undefined,
  opener: { event: string; delivery: DeliveryRecord | undefined } | undefined,
): StreakStanding {
  if (record?.state === "open") {
    return {
      kind: "open",
      values: record.values,
      opener: record.opener,
      // A record of the earlier format is written anew, per streak.
      ...(record.earlierFormat && record.opener !== undefined ? { repairFrom: record.opener } : {}),
    };
  }
  if (record?.state === "closed") return { kind: "closed", values: record.values, closer: record.closer };
  if (record?.state === "closed-without-opening")
    return { kind: "closed-without-opening", closer: record.closer };
  if (opener === undefined) return { kind: "free" };
  const { event, delivery } = opener;
  if (delivery?.delivered.has(receiver)) {
    return {
      kind: "open",
      values: { ...delivery.remembered.get(receiver) },
      opener: event,
      repairFrom: event,
    };
  }
  if (delivery?.leaseHeld) return { kind: "in-flight" };
  // Its invocations ended without delivering (or never had the receiver): the right is free. A delivery
  // record that expired held no delivered opening (that one is kept as long as the streak record).
  return { kind: "free", over: delivery ? { event, generation: delivery.generation } : { event } };
}

/**
 * The action a receiver gets for a build's transition, given where its streak stands. The streak's
 * opening action (`broken`) goes out once per streak and receiver, under a claim taken before sending; a
 * later failure sends it instead of `still-failing` if it never got through. A follow-up of a streak
 * whose opening may still be in flight waits for Lambda's retry rather than go out without what the
 * opening's answer gave, or skip a ticket being opened. A streak's follow-ups addressed by remembered
 * values always go to that streak's own ticket; those that need none (an alert named by the project) are
 * skipped once a newer streak of the project began, which they would touch instead. A receiver without
 * `broken` is sent each transition it declares, with what its earlier actions of the streak remembered.
 */
export function planAction(
  entry: RegistryEntry,
  verdict: Verdict,
  standing: StreakStanding,
  newestStreak: number | undefined,
  eventId: string,
): ActionPlan {
  const planning = planningOf(entry, verdict, newestStreak, eventId);
  if (!entry.actions?.broken) {
    // Nothing opens the streak: each transition the receiver declares goes out when it happens.
    const { transition, action, over } = planning;
    if (!action) return { kind: "skip", reason: `no ${transition} action` };
    if (planning.superseded(action)) return { kind: "skip", reason: over as string };
    const values = standing.kind === "open" || standing.kind === "closed" ? standing.values : {};
    return planning.send(transition, values, transition === "fixed" ? "closed" : "remember");
  }
  return planOpenedStreak(planning, standing);
}

/** What planning a receiver's action for a build needs to know, and the plan to send an action. */
interface Planning {
  entry: RegistryEntry;
  transition: Transition;
  /** The receiver's action for the transition, if it has one. */
  action: ReceiverAction | undefined;
  streak: number;
  eventId: string;
  /** Why the build's streak is over, when a newer one began. */
  over: string | undefined;
  /** Whether a follow-up would touch the newer streak's alert instead of this streak's. */
  superseded(followUp: ReceiverAction | undefined): boolean;
  send(
    sent: Transition,
    values: Record<string, string>,
    record: StreakWrite,
    extra?: { claim?: StreakClaim; repairFrom?: string },
  ): ActionPlan;
}

function planningOf(
  entry: RegistryEntry,
  verdict: Verdict,
  newestStreak: number | undefined,
  eventId: string,
): Planning {
  const actions = entry.actions ?? {};
  const transition = verdict.transition as Transition;
  const streak = verdict.streak ?? 0;
  const over =
    newestStreak !== undefined && newestStreak > streak
      ? `the failure streak that began with build #${streak} is over: a newer one began with build #${newestStreak}`
      : undefined;
  // Openings and fixes of an alert the fix names by the project (no remembered value) keep their order.
  const ordered =
    actions.broken !== undefined && actions.fixed !== undefined && !needsRemembered(entry, actions.fixed);
  return {
    entry,
    transition,
    action: actions[transition],
    streak,
    eventId,
    over,
    superseded: (followUp) =>
      over !== undefined && followUp !== undefined && !needsRemembered(entry, followUp),
    send: (sent, values, record, extra = {}) => ({
      kind: "send",
      transition: sent,
      action: actions[sent] as ReceiverAction,
      remembered: values,
      record,
      ...extra,
      ...(ordered && sent !== "still-failing" ? { order: sent === "broken" ? "opening" : "closing" } : {}),
    }),
  };
}

/** The plan for a receiver whose streaks are opened (it has a `broken` action), by where its streak stands. */
function planOpenedStreak(planning: Planning, standing: StreakStanding): ActionPlan {
  const { entry, transition, action, streak, eventId, over, superseded, send } = planning;
  const repairFrom = standing.kind === "open" ? standing.repairFrom : undefined;
  const opening = (claim: StreakClaim): ActionPlan =>
    over ? { kind: "skip", reason: over } : send("broken", {}, "opened", { claim });

  switch (standing.kind) {
    case "in-flight":
      return { kind: "wait", reason: WAIT_FOR_OPENING };
    case "closed-without-opening":
      if (
        transition === "fixed" &&
        action &&
        standing.closer === eventId &&
        !needsRemembered(entry, action)
      ) {
        // This fix closed the streak unopened before, and its own send failed: it goes out again.
        return send("fixed", {}, "none");
      }
      return {
        kind: "skip",
        reason:
          over ??
          `the failure streak that began with build #${streak} was fixed before it was opened for this receiver`,
      };
    case "closed":
      if (transition === "broken" || transition === "fixed" || !action) {
        return {
          kind: "skip",
          reason: over ?? `the failure streak that began with build #${streak} was fixed`,
        };
      }
      if (superseded(action)) return { kind: "skip", reason: over as string };
      return send(transition, standing.values, "remember");
    case "open":
      if (transition === "broken") {
        const reason =
          standing.opener === eventId
            ? "it opened the streak already"
            : "a later failure of the streak opened it already";
        return { kind: "skip", reason: over ?? reason };
      }
      if (!action) return { kind: "skip", reason: `no ${transition} action` };
      if (superseded(action)) return { kind: "skip", reason: over as string };
      return send(transition, standing.values, transition === "fixed" ? "closed" : "remember", {
        ...(repairFrom === undefined ? {} : { repairFrom }),
      });
    case "free": {
      const claim = { ...(standing.over === undefined ? {} : { over: standing.over }) };
      if (transition !== "fixed") return opening({ kind: "opening", ...claim });
      // The streak was never opened for this receiver: its opening failed for good, or came too late.
      // Closing it keeps a late or replayed opening from opening a ticket nothing would close.
      if (superseded(action)) return { kind: "skip", reason: over as string };
      if (action && !needsRemembered(entry, action)) {
        return send("fixed", {}, "none", { claim: { kind: "close-unopened", ...claim } });
      }
      return {
        kind: "skip",
        reason: "the failure streak was never opened for this receiver; nothing to close",
        claim: { kind: "close-unopened", ...claim },
      };
    }
  }
}
