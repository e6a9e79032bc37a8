import { actionPathEscape } from "../notifier/actionPath";
import { renderTemplate } from "../notifier/renderTemplate";
import { TRANSITIONS } from "../shared/buildStatuses";
import { BUILT_IN_PLACEHOLDERS } from "../shared/placeholders";
import { findJsonSyntaxError } from "./jsonSyntaxError";
import { perBuildTexts } from "./perBuildReceiver";
import { isRecord } from "./readReceiverFile";
import type { Report } from "./receiverFinding";
import { PLACEHOLDER_NAME } from "./schemaValues";
import { shownPlaceholder } from "./secretLikeText";

/** A text the notifier substitutes values into, and where it is. */
export interface PlaceholderText {
  fieldPath: readonly PropertyKey[];
  text: string;
  in: "template" | "path";
}

/** A file's texts that take placeholders, and the names its placeholders may take besides the built-in ones. */
export interface ReceiverTexts {
  texts: PlaceholderText[];
  /** The names the actions remember, each with the first action that does (`on.broken`). */
  remembers: Map<string, string>;
  /** The names the actions remember, each with every transition (or per-build step) whose action does. */
  rememberedBy: Map<string, string[]>;
  /** The names of its body secrets. */
  bodySecrets: Set<string>;
}

/**
 * Checks the texts of one file the notifier substitutes values into: each template is JSON when the body
 * is JSON, each action path keeps the request below the receiver's URL, and the names that `remember` and
 * `secrets` give are usable. Returns what the placeholder checks then judge the texts by.
 */
export function checkTemplatesAndPaths(
  fields: Record<string, unknown>,
  bodyIsJson: boolean | undefined,
  { report, warn }: { report: Report; warn: Report },
): ReceiverTexts {
  const { texts, remembers, rememberedBy } = substitutedTexts(fields);
  const fixedRemembers =
    isRecord(fields.on) && isRecord(fields.on.fixed) ? fields.on.fixed.remember : undefined;
  if (isRecord(fixedRemembers) && Object.keys(fixedRemembers).length > 0) {
    warn(
      ["on", "fixed", "remember"],
      "fixed ends the failure streak, and the next streak remembers afresh: no action can use what fixed " +
        "remembers; remove remember here",
    );
  }
  // Body secrets are known names of the templates; they may not take a name the actions remember.
  const bodySecrets = new Set(
    Object.keys(isRecord(fields.secrets) ? fields.secrets : {}).filter((secret) =>
      PLACEHOLDER_NAME.test(secret),
    ),
  );
  for (const secret of bodySecrets) {
    if (remembers.has(secret)) {
      report(
        ["secrets", secret],
        `${shownPlaceholder(secret)} is also a value ${remembers.get(secret)} remembers; a body secret needs a ` +
          "name of its own",
      );
    }
  }
  for (const { fieldPath, text, in: where } of texts) {
    if (where === "template") checkJsonBody(text, fieldPath, bodyIsJson, report);
    else checkPath(text, fieldPath, report);
  }
  return { texts, remembers, rememberedBy, bodySecrets };
}

/**
 * Every text the notifier substitutes values into, as written: the template, or each action's template
 * and path (per transition, or per build); and the names the actions remember, each with the first
 * action that does.
 */
function substitutedTexts(fields: Record<string, unknown>): Omit<ReceiverTexts, "bodySecrets"> {
  const texts: PlaceholderText[] = [];
  const remembers = new Map<string, string>();
  const rememberedBy = new Map<string, string[]>();
  if (typeof fields.template === "string") {
    texts.push({ fieldPath: ["template"], text: fields.template, in: "template" });
  }
  const actions = isRecord(fields.on) ? fields.on : {};
  for (const transition of TRANSITIONS) {
    const action = actions[transition];
    if (!isRecord(action)) continue;
    for (const field of ["template", "path"] as const) {
      const text = action[field];
      if (typeof text === "string") texts.push({ fieldPath: ["on", transition, field], text, in: field });
    }
    for (const name of Object.keys(isRecord(action.remember) ? action.remember : {})) {
      const usable = PLACEHOLDER_NAME.test(name) && !Object.hasOwn(BUILT_IN_PLACEHOLDERS, name);
      if (!usable) continue;
      if (!remembers.has(name)) remembers.set(name, `on.${transition}`);
      rememberedBy.set(name, [...(rememberedBy.get(name) ?? []), transition]);
    }
  }
  perBuildTexts(fields, { texts, remembers, rememberedBy });
  return { texts, remembers, rememberedBy };
}

/** A template, as JSON when the body is JSON (without a readable headers config the format is unknown). */
function checkJsonBody(
  template: string,
  fieldPath: readonly PropertyKey[],
  bodyIsJson: boolean | undefined,
  report: Report,
): void {
  const jsonError = bodyIsJson ? findJsonSyntaxError(template) : undefined;
  if (jsonError) {
    report(
      fieldPath,
      `not valid JSON at line ${jsonError.line}, column ${jsonError.column} of the template: ${jsonError.problem}`,
    );
  }
}

/**
 * What a URL path takes as written (RFC 3986: unreserved and sub-delimiter characters, ":", "@", "/"),
 * and "?" and "#", which the schema reports on their own.
 */
const URL_PATH = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#]|%[0-9A-Fa-f]{2})*$/;

/**
 * An action's path, placeholders aside: the notifier percent-encodes what it substitutes, not the rest.
 * What is written must keep the request below the receiver URL's path, whatever the values (each stands
 * for one ordinary segment here; a value that makes a dot segment is refused when the action is sent).
 */
function checkPath(urlPath: string, fieldPath: readonly PropertyKey[], report: Report): void {
  const names = renderTemplate(urlPath, {}, "text").unknownNames;
  const withValues = (value: string) =>
    renderTemplate(urlPath, Object.fromEntries(names.map((name) => [name, value])), "path").body;
  const escape = actionPathEscape(withValues("x"));
  if (escape) {
    report(fieldPath, escape);
  } else if (!URL_PATH.test(withValues(""))) {
    report(
      fieldPath,
      'holds a character a URL path takes only percent-encoded (a space, a quote, "{", a "%" not followed ' +
        "by two hex digits...); write it encoded, e.g. %20 for a space",
    );
  }
}
