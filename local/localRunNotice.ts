import type { BuildStateChangeEvent } from "../src/notifier/buildEvent";
import { buildEventValues } from "../src/notifier/buildEventValues";
import { buildNotice } from "../src/notifier/buildNotice";
import type { RegistryEntry } from "../src/notifier/registryEntries";
import type { Notice } from "../src/notifier/sendNotice";
import { eventIdOf, webhookId } from "../src/notifier/webhookId";

export interface RenderedNotice {
  headers: Record<string, string>;
  body: string;
  /** Placeholders the template names that the event has no value for; they are sent as written. */
  unknownNames: string[];
}

/**
 * The request the notifier sends a receiver for an event, built by the notifier's own `buildNotice` from
 * the receiver's registry entry and parameter values. `previousStatus` is the project's last final status,
 * when known. A reason is returned when a parameter is missing or malformed.
 */
export function renderNotice(
  entry: RegistryEntry,
  parameterValues: ReadonlyMap<string, string>,
  event: BuildStateChangeEvent,
  previousStatus = "",
): (RenderedNotice & Pick<Notice, "method">) | { reason: string } {
  const built = buildNotice(
    entry,
    parameterValues,
    { ...buildEventValues(event), PREVIOUS_STATUS: previousStatus },
    webhookId(eventIdOf(event), entry.urlParameter),
    Math.floor(Date.now() / 1000),
  );
  if ("reason" in built) return built;
  return {
    method: built.notice.method,
    headers: built.notice.headers,
    body: built.notice.body,
    unknownNames: built.unknownNames,
  };
}
