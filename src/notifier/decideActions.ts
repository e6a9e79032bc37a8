import { readDelivery, type CallOptions, type DeliveryRecord } from "./deliveryLedger";
import {
  needsRemembered,
  openerToAsk,
  planAction,
  standingOf,
  type ActionPlan,
  type StreakClaim,
} from "./healthActions";
import { readNewestStreak, type StatusTable } from "./projectStatus";
import type { RegistryEntry } from "./registryEntries";
import { createStreakRecords, type StreakRecords, type StreakTable } from "./streakRecords";
import type { Verdict } from "./verdict";

/** What deciding the actions of an event needs. */
export interface ActionDecision {
  table: StreakTable & StatusTable;
  tableName: string;
  /** The key the project's status and streak records live under. */
  project: string;
  eventId: string;
  verdict: Verdict;
  /** Bounds every table call of the decision by the invocation's deadline. */
  options: CallOptions;
}

const CLAIM_REFUSED = "another invocation is opening the failure streak for it; left to Lambda's retry";

/**
 * Decides what each receiver with actions gets for the event, before anything is sent: reads every
 * receiver's record of the streak (one query), and, where a record does not say the streak is open, the
 * delivery record of the event expected to open it (the ledger knows an in-flight opening from one that
 * ended); then takes the claims the plans need (the right to open the streak, or to close it unopened).
 * A claim refused, or a table call that fails, leaves the receiver to Lambda's retry.
 */
export async function decideActions(
  entries: readonly RegistryEntry[],
  decision: ActionDecision,
): Promise<Map<RegistryEntry, ActionPlan>> {
  const { table, tableName, project, eventId, verdict, options } = decision;
  const streak = verdict.streak;
  const plans = new Map<RegistryEntry, ActionPlan>();
  if (streak === undefined) return plans;
  const streaks = createStreakRecords(table, tableName, project);
  try {
    const [records, newestStreak] = await Promise.all([
      streaks.read(streak, options),
      verdict.newestStreak ?? readNewestStreak(table, tableName, project, options),
    ]);
    // A streak begun before records were kept per streak has its receivers' records in the earlier format.
    if (verdict.streakEvent === undefined) {
      await Promise.all(
        entries
          .filter((entry) => !records.has(entry.urlParameter))
          .map(async (entry) => {
            const earlier = await streaks.readEarlierFormat(entry.urlParameter, streak, options);
            if (earlier) records.set(entry.urlParameter, earlier);
          }),
      );
    }
    const openers = new Map(
      entries.map((entry) => [entry, openerToAsk(entry, records.get(entry.urlParameter), verdict, eventId)]),
    );
    const previousFix = needsPreviousFix(entries, verdict) ? verdict.previousFixEvent : undefined;
    const deliveries = await readDeliveries(
      [...new Set([...openers.values(), previousFix])].filter((event) => event !== undefined),
      decision,
    );
    for (const entry of entries) {
      const receiver = entry.urlParameter;
      const opener = openers.get(entry);
      const standing = standingOf(
        receiver,
        records.get(receiver),
        opener === undefined ? undefined : { event: opener, delivery: deliveries.get(opener) },
      );
      const fixed = entry.actions?.fixed;
      const fixDelivery = previousFix === undefined ? undefined : deliveries.get(previousFix);
      plans.set(
        entry,
        planAction(
          entry,
          verdict,
          standing,
          {
            newestStreak,
            previousFixInFlight:
              fixed !== undefined &&
              !needsRemembered(entry, fixed) &&
              fixDelivery?.leaseHeld === true &&
              !fixDelivery.delivered.has(receiver),
          },
          eventId,
        ),
      );
    }
  } catch (error) {
    const reason = `its failure streak's records could not be read (${(error as Error).name}); left to Lambda's retry`;
    return new Map(entries.map((entry) => [entry, { kind: "wait", reason }]));
  }
  await Promise.all(
    [...plans].map(async ([entry, plan]) => {
      if (plan.kind === "wait" || !plan.claim) return;
      const taken = await claim(streaks, entry.urlParameter, streak, eventId, plan.claim, options).catch(
        (error: unknown) => (error as Error).name,
      );
      if (taken === true) return;
      const reason =
        taken === false
          ? CLAIM_REFUSED
          : `its failure streak's record could not be written (${taken}); left to Lambda's retry`;
      plans.set(entry, { kind: "wait", reason });
    }),
  );
  return plans;
}

/**
 * Whether an opening of this event might overtake the previous streak's fix at some receiver: one whose
 * fix names the alert by the project (needs no remembered value), which the fix must close first.
 */
function needsPreviousFix(entries: readonly RegistryEntry[], verdict: Verdict): boolean {
  return (
    verdict.previousFixEvent !== undefined &&
    (verdict.transition === "broken" || verdict.transition === "still-failing") &&
    entries.some((entry) => {
      const fixed = entry.actions?.fixed;
      return entry.actions?.broken !== undefined && fixed !== undefined && !needsRemembered(entry, fixed);
    })
  );
}

async function readDeliveries(
  events: string[],
  { table, tableName, options }: ActionDecision,
): Promise<Map<string, DeliveryRecord | undefined>> {
  const read = await Promise.all(
    events.map(async (event) => [event, await readDelivery(table, tableName, event, options)] as const),
  );
  return new Map(read);
}

function claim(
  streaks: StreakRecords,
  receiver: string,
  streak: number,
  eventId: string,
  { kind, over }: StreakClaim,
  options: CallOptions,
): Promise<boolean> {
  return kind === "opening"
    ? streaks.claimOpening(receiver, streak, eventId, over, options)
    : streaks.closeUnopened(receiver, streak, eventId, over, options);
}
