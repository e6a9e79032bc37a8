import { FINAL_BUILD_STATUSES } from "../shared/buildStatuses";
import { EVERY_PROJECT } from "../shared/registryFormat";
import type { AdmittedEvent } from "./admitEvent";
import { hearsStatus } from "./failedBuilds";
import { findRegistryEntries, type QueryRegistry, type RegistryEntry } from "./registryEntries";
import type { ReceiverOutcome } from "./receiverOutcome";

/** Where the registrations are read. */
export interface Registry {
  table: { query: QueryRegistry };
  tableName: string;
  /** Where the receivers' parameters live: a registration may only name its own receiver folder there. */
  parameterPath: string;
}

/** The event's receivers, as the registry has them. */
export interface FoundReceivers {
  /** Registrations of the project and catch-all ones, valid or not, for the build's account and region. */
  registered: number;
  /** Registrations that cannot be used, each failed with its reason. */
  invalid: ReceiverOutcome[];
  /** Registrations for the event's status: the project's own first, then the catch-all ones. */
  forStatus: RegistryEntry[];
  /**
   * Whether the project's final status is kept with this event. It is kept only where a receiver needs it,
   * but then for every final event of the project, whichever receivers it matches, so "previous" is
   * always the one before.
   */
  tracksStatus: boolean;
}

/** Placeholders whose values come from the project's build health, which must then be kept. */
const BUILD_HEALTH_PLACEHOLDERS = /PREVIOUS_STATUS|FAILURE_COUNT|TRANSITION/;

/**
 * Finds the registrations of the event's project and the catch-all ones, keeps those for the build's
 * account and region, and of those the ones for its status.
 */
export async function findReceivers(
  { event, project, status }: AdmittedEvent,
  { table, tableName, parameterPath }: Registry,
): Promise<FoundReceivers> {
  const [own, catchAll] = await Promise.all([
    findRegistryEntries(table.query, tableName, project, parameterPath),
    findRegistryEntries(table.query, tableName, EVERY_PROJECT, parameterPath),
  ]);
  // Registrations for other accounts or regions than the build's are none of this event's business.
  const account = event.account ?? "";
  const region = event.region ?? "";
  const entries = [...own.entries, ...catchAll.entries].filter(
    (entry) =>
      (entry.accounts === undefined || entry.accounts.includes(account)) &&
      (entry.regions === undefined || entry.regions.includes(region)),
  );
  const invalid = [...own.invalid, ...catchAll.invalid];
  const isFinal = (FINAL_BUILD_STATUSES as readonly string[]).includes(status);
  return {
    registered: entries.length + invalid.length,
    invalid: invalid.map((item) => ({
      receiver: item.urlParameter,
      delivered: false,
      reason: `invalid registry item: ${item.reason}`,
      attempts: 0,
      durationMs: 0,
    })),
    forStatus: entries.filter((entry) => hearsStatus(entry.statuses, status)),
    tracksStatus:
      isFinal &&
      entries.some(
        (entry) =>
          entry.actions !== undefined ||
          entry.onlyOnChange ||
          BUILD_HEALTH_PLACEHOLDERS.test(entry.template ?? ""),
      ),
  };
}
