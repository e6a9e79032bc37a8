import type { BuildStateChangeEvent } from "../src/notifier/buildEvent";
import { buildEventValues } from "../src/notifier/buildEventValues";
import { buildNotice, dotSegmentReason } from "../src/notifier/buildNotice";
import type { RegistryEntry } from "../src/notifier/registryEntries";
import { DEFAULT_TEMPLATE, renderTemplate } from "../src/notifier/renderTemplate";
import type { Notice } from "../src/notifier/sendNotice";
import { eventIdOf, webhookId } from "../src/notifier/webhookId";
import { BUILT_IN_PLACEHOLDER_NAMES } from "../src/shared/placeholders";

export interface RenderedNotice {
  headers: Record<string, string>;
  body: string;
  /** Placeholders the template names that the event has no value for; they are sent as written. */
  unknownNames: string[];
  /** Placeholders the template names whose value is empty for this event, e.g. a build not yet numbered. */
  emptyNames: string[];
}

/**
 * The values the notifier fills in from the project's build health, which a local render can only
 * stand in for: empty unless given.
 */
function withBuildHealth(
  event: BuildStateChangeEvent,
  given: Readonly<Record<string, string>>,
): Record<string, string> {
  return { ...buildEventValues(event), PREVIOUS_STATUS: "", TRANSITION: "", FAILURE_COUNT: "", ...given };
}

/**
 * The request the notifier sends a receiver for an event, built by the notifier's own `buildNotice` from
 * the receiver's registry entry and parameter values. `given` holds what this event's build health would
 * give (`PREVIOUS_STATUS`, `TRANSITION`, `FAILURE_COUNT`) and the values the receiver's actions remembered,
 * when known. A reason is returned when a parameter is missing or malformed.
 */
export function renderNotice(
  entry: RegistryEntry,
  parameterValues: ReadonlyMap<string, string>,
  event: BuildStateChangeEvent,
  given: Readonly<Record<string, string>> = {},
): (RenderedNotice & Pick<Notice, "method">) | { reason: string } {
  const values: Record<string, string> = withBuildHealth(event, given);
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
  // Body secrets have values too, which the notifier adds itself.
  const nonEmpty = Object.fromEntries([
    ...Object.entries(values).filter(([, value]) => value !== ""),
    ...Object.keys(entry.bodySecretParameters ?? {}).map((name) => [name, "secret"]),
  ]);
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

/**
 * An action's path with the values substituted, each percent-encoded as one path segment, as the notifier
 * appends it to the receiver's URL, and the names it has no value for, which stay as written. A path
 * takes the built-in values and the given ones (remembered values), never build variables. `refusal`
 * says why the notifier would not send it (a value leaving its segment empty, `.` or `..`).
 */
export function renderPath(
  path: string,
  event: BuildStateChangeEvent,
  given: Readonly<Record<string, string>> = {},
): { path: string; unknownNames: string[]; refusal?: string } {
  const all = withBuildHealth(event, given);
  const builtIn = Object.fromEntries(BUILT_IN_PLACEHOLDER_NAMES.map((name) => [name, all[name]]));
  const values = { ...builtIn, ...given };
  const rendered = renderTemplate(path, values, "path");
  const refusal = dotSegmentReason(path, values);
  return { path: rendered.body, unknownNames: rendered.unknownNames, ...(refusal ? { refusal } : {}) };
}
