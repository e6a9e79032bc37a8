import type { BuildStateChangeEvent } from "../src/notifier/buildEvent";
import { buildEventValues } from "../src/notifier/buildEventValues";
import { buildNotice } from "../src/notifier/buildNotice";
import type { RegistryEntry } from "../src/notifier/registryEntries";
import { DEFAULT_TEMPLATE, renderTemplate } from "../src/notifier/renderTemplate";
import type { Notice } from "../src/notifier/sendNotice";
import { eventIdOf, webhookId } from "../src/notifier/webhookId";

export interface RenderedNotice {
  headers: Record<string, string>;
  body: string;
  /** Placeholders the template names that the event has no value for; they are sent as written. */
  unknownNames: string[];
  /** Placeholders the template names whose value is empty for this event, e.g. a build not yet numbered. */
  emptyNames: string[];
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
  const values: Record<string, string> = { ...buildEventValues(event), PREVIOUS_STATUS: previousStatus };
  const built = buildNotice(
    entry,
    parameterValues,
    values,
    webhookId(eventIdOf(event), entry.urlParameter),
    Math.floor(Date.now() / 1000),
  );
  if ("reason" in built) return built;
  // The notifier's own parser finds the placeholders: those it cannot resolve once the empty values are
  // left out, apart from the ones it could not resolve at all, are the ones that came out empty.
  const nonEmpty = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== ""));
  const emptyNames = renderTemplate(entry.template ?? DEFAULT_TEMPLATE, nonEmpty, "text").unknownNames.filter(
    (name) => !built.unknownNames.includes(name),
  );
  return {
    method: built.notice.method,
    headers: built.notice.headers,
    body: built.notice.body,
    unknownNames: built.unknownNames,
    emptyNames,
  };
}
