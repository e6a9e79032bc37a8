import type { AdmittedEvent } from "./admitEvent";
import { decideActions } from "./decideActions";
import { createDeliveryLedger, type Lease, type UnrecordedDeliveries } from "./deliveryLedger";
import type { FoundReceivers } from "./findReceivers";
import { actsOn, type ActionPlan } from "./healthActions";
import type { NotifierLog } from "./notifierLog";
import { decideBuildMessages, type PerBuildPlan } from "./perBuildPlans";
import { evaluateFinalStatus, type StatusTable } from "./projectStatus";
import type { RegistryEntry } from "./registryEntries";
import type { StreakTable } from "./streakRecords";
import type { Verdict } from "./verdict";

/**
 * What one receiver gets for the event: the build's notice, nothing (an earlier invocation delivered it),
 * for a receiver with actions, its transition's action, a skip or a wait (see ActionPlan), and for one
 * with a message per build, its post or update, a skip or a wait (see PerBuildPlan).
 */
export type Plan = { kind: "notice" } | { kind: "already-delivered" } | ActionPlan | PerBuildPlan;

export interface ReceiverPlan {
  entry: RegistryEntry;
  plan: Plan;
}

/** What was decided for the event, before anything is sent. */
export interface Decision {
  /** What earlier invocations of the event left; undefined when no receiver hears of it (nothing is recorded). */
  lease?: Lease;
  /** The build's verdict, where the project's status is kept. */
  verdict?: Verdict;
  /** The failure streak whose records the receivers' actions read and write; undefined when none acts. */
  streak?: number;
  /** The build whose message records the per-build receivers read and write; undefined when none posts. */
  build?: string;
  /**
   * One plan per receiver, in the order the outcomes are told: those an earlier invocation delivered, then
   * the others, those that failed an earlier invocation last.
   */
  plans: ReceiverPlan[];
}

export interface DecisionDependencies {
  table: StatusTable & StreakTable;
  tableName: string;
  /** Receivers delivered but not recorded by this container, by event (see UnrecordedDeliveries). */
  unrecorded: UnrecordedDeliveries;
  log: NotifierLog;
}

/**
 * Decides what each receiver gets: takes the event's lease (refusing the event while another invocation
 * holds it), evaluates the build's verdict where the project's status is kept, keeps the receivers the
 * verdict lets hear of the event, one registration per receiver, and plans the actions of those with
 * actions (claiming what their streaks need) before anything is sent.
 */
export async function decidePlans(
  admitted: AdmittedEvent,
  found: FoundReceivers,
  deps: DecisionDependencies,
): Promise<Decision> {
  const { event, project, status, eventId, projectKey, lambdaDeadline, deadline } = admitted;
  const { forStatus, tracksStatus } = found;
  const lease = await claimLease(admitted, forStatus.length, deps);
  const verdict: Verdict | undefined =
    lease?.verdict ??
    (tracksStatus ? await evaluateFinalStatus(deps.table, deps.tableName, event, projectKey) : undefined);

  // A receiver registered for the project and for every project gets one notice, from whichever
  // registration matches the event.
  const seen = new Set<string>();
  const matching = forStatus
    .filter((entry) =>
      entry.actions ? actsOn(entry, verdict?.transition) : !entry.onlyOnChange || verdict?.changed === true,
    )
    .filter((entry) => !seen.has(entry.urlParameter) && seen.add(entry.urlParameter));
  deps.log.info("Receivers found", {
    project,
    status,
    eventId,
    registered: found.registered,
    matching: matching.length,
    ...(verdict
      ? {
          previousStatus: verdict.previous ?? null,
          statusChanged: verdict.changed,
          transition: verdict.transition ?? null,
          failureCount: verdict.failureCount,
        }
      : {}),
  });

  const alreadyDelivered = lease ? matching.filter((entry) => lease.delivered.has(entry.urlParameter)) : [];
  // Receivers that failed an earlier invocation of this event go last, so those that answer are not
  // kept waiting behind those that hang.
  const toSend = matching
    .filter((entry) => !lease?.delivered.has(entry.urlParameter))
    .sort((a, b) => Number(lease?.failed.has(a.urlParameter)) - Number(lease?.failed.has(b.urlParameter)));

  // What receivers with actions get is decided before anything is sent, the rights to open or close
  // their streaks claimed; only events that have such receivers read or write streak records.
  const withActions = verdict ? toSend.filter((entry) => entry.actions) : [];
  const actions: Map<RegistryEntry, ActionPlan> =
    verdict && withActions.length > 0
      ? await decideActions(withActions, {
          table: deps.table,
          tableName: deps.tableName,
          project: projectKey,
          claimant: { event: eventId, generation: lease?.generation ?? 0 },
          leaseUntil: lambdaDeadline,
          verdict,
          options: { abortSignal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) },
        })
      : new Map();
  // Whether the event posts each per-build receiver's message or updates it is decided the same way, the
  // right to post claimed.
  const messages = await decideBuildMessages(
    toSend.filter((entry) => entry.perBuild),
    {
      table: deps.table,
      tableName: deps.tableName,
      projectKey,
      buildId: event.detail?.["build-id"],
      eventTime: event.time,
      status,
      claimant: { event: eventId, generation: lease?.generation ?? 0 },
      deadline,
    },
  );

  // One plan per receiver, of a kind prepareRequests knows how to prepare.
  return {
    ...(lease ? { lease } : {}),
    ...(verdict ? { verdict } : {}),
    ...(actions.size > 0 && verdict?.streak !== undefined ? { streak: verdict.streak } : {}),
    ...(messages.build !== undefined ? { build: messages.build } : {}),
    plans: [
      ...alreadyDelivered.map((entry): ReceiverPlan => ({ entry, plan: { kind: "already-delivered" } })),
      ...toSend.map((entry): ReceiverPlan => ({
        entry,
        plan: actions.get(entry) ?? messages.plans.get(entry) ?? { kind: "notice" },
      })),
    ],
  };
}

/**
 * Takes the event's lease: what earlier invocations of it left, or undefined when no receiver hears of it
 * (nothing is recorded of such an event). Throws while another invocation holds the lease.
 */
async function claimLease(
  { eventId, requestId, lambdaDeadline }: AdmittedEvent,
  receivers: number,
  { table, tableName, unrecorded }: DecisionDependencies,
): Promise<Lease | undefined> {
  if (receivers === 0) return undefined;
  const lease = await createDeliveryLedger(table, tableName, eventId, requestId, unrecorded).claim(
    lambdaDeadline,
  );
  if (lease === "held-elsewhere") {
    throw new Error(
      `${receivers} receivers not delivered: another invocation of this event holds its lease; ` +
        "Lambda's retry finds them delivered, or delivers them",
    );
  }
  return lease;
}
