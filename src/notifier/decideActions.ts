import { createAlertOrder, type AlertOrder } from "./alertOrder";
import { readDelivery, type CallOptions, type DeliveryRecord } from "./deliveryLedger";
import { openerToAsk, planAction, standingOf, type ActionPlan } from "./healthActions";
import { readNewestStreak, type StatusTable } from "./projectStatus";
import type { RegistryEntry } from "./registryEntries";
import { createStreakRecords, type Claimant, type StreakRecords, type StreakTable } from "./streakRecords";
import type { Verdict } from "./verdict";

/** What deciding the actions of an event needs. */
export interface ActionDecision {
  table: StreakTable & StatusTable;
  tableName: string;
  /** The key the project's status and streak records live under. */
  project: string;
  /** This invocation: its event, and its lease of the event. */
  claimant: Claimant;
  /** Until when (epoch ms) this invocation may send: its lease's end. */
  leaseUntil: number;
  verdict: Verdict;
  /** Bounds every table call of the decision by the invocation's deadline. */
  options: CallOptions;
}

const CLAIM_REFUSED = "another invocation is opening the failure streak for it; left to Lambda's retry";
const ORDER_REFUSED =
  "another invocation is sending an older failure streak's opening or fix of the same alert; left to Lambda's retry";

/**
 * Decides what each receiver with actions gets for the event, before anything is sent: reads every
 * receiver's record of the streak (one query), and, where a record does not say the streak is open, the
 * delivery record of the event expected to open it (the ledger knows an in-flight opening from one that
 * ended); then takes the rights the plans need (to open the streak, or to close it unopened, and the
 * alert's order). A right refused, or a table call that fails, leaves the receiver to Lambda's retry.
 */
export async function decideActions(
  entries: readonly RegistryEntry[],
  decision: ActionDecision,
): Promise<Map<RegistryEntry, ActionPlan>> {
  const { table, tableName, project, claimant, verdict, options } = decision;
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
      entries.map((entry) => [
        entry,
        openerToAsk(entry, records.get(entry.urlParameter), verdict, claimant.event),
      ]),
    );
    const deliveries = await readDeliveries(
      [...new Set(openers.values())].filter((event) => event !== undefined),
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
      plans.set(entry, planAction(entry, verdict, standing, newestStreak, claimant.event));
    }
  } catch (error) {
    const reason = `its failure streak's records could not be read (${(error as Error).name}); left to Lambda's retry`;
    return new Map(entries.map((entry) => [entry, { kind: "wait", reason }]));
  }
  const order = createAlertOrder(table, tableName, project);
  await Promise.all(
    [...plans].map(async ([entry, plan]) => {
      const refused = await takeRights(plan, entry.urlParameter, streak, decision, streaks, order).catch(
        (error: unknown) =>
          `its failure streak's record could not be written (${(error as Error).name}); left to Lambda's retry`,
      );
      if (refused) plans.set(entry, { kind: "wait", reason: refused });
    }),
  );
  return plans;
}

/**
 * Takes the rights a plan needs before anything is sent: its place in the alert's order, then its claim
 * on the streak record. Resolves with why one was refused, or undefined when all were taken.
 */
async function takeRights(
  plan: ActionPlan,
  receiver: string,
  streak: number,
  { claimant, leaseUntil, options }: ActionDecision,
  streaks: StreakRecords,
  order: AlertOrder,
): Promise<string | undefined> {
  if (plan.kind === "wait") return undefined;
  if (plan.kind === "send" && plan.order) {
    const placed =
      plan.order === "opening"
        ? await order.opening(receiver, streak, claimant.event, leaseUntil, options)
        : await order.closing(receiver, streak, claimant.event, leaseUntil, options);
    if (!placed) return ORDER_REFUSED;
  }
  if (!plan.claim) return undefined;
  const { kind, over } = plan.claim;
  const claimed =
    kind === "opening"
      ? await streaks.claimOpening(receiver, streak, claimant, over, options)
      : await streaks.closeUnopened(receiver, streak, claimant, over, options);
  if (claimed) return undefined;
  // Nothing is sent: a newer streak's opening or fix need not wait for this one.
  if (plan.kind === "send" && plan.order) await order.released(receiver, plan.order, claimant.event, options);
  return CLAIM_REFUSED;
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
