import { renderTemplate } from "../notifier/renderTemplate";
import type { Transition } from "../shared/buildStatuses";
import { BUILT_IN_PLACEHOLDER_NAMES, BUILT_IN_PLACEHOLDERS, nearestName } from "../shared/placeholders";
import type { Report } from "./receiverFinding";
import { looksLikeSecret, shownPlaceholder } from "./secretLikeText";
import type { PlaceholderText, ReceiverTexts } from "./templateChecks";
import { perBuildRememberProblem } from "./perBuildReceiver";

/**
 * Judges the placeholders of a file's templates and paths, once every file is read: `rememberedElsewhere`
 * holds the names other receivers remember, each with where.
 */
export function checkPlaceholders(
  { texts, remembers, rememberedBy, bodySecrets }: ReceiverTexts,
  rememberedElsewhere: ReadonlyMap<string, string>,
  findings: { report: Report; warn: Report },
): void {
  for (const text of texts) {
    checkPlaceholderNames(text, { remembers, rememberedBy }, rememberedElsewhere, bodySecrets, findings);
  }
}

/**
 * The placeholders of a template or path that name neither a built-in value nor one the receiver's
 * actions remember. In a template such a name may be a build variable, which only the build knows: a
 * warning, unless it can never be filled (a value another receiver remembers, or a mistyped remembered
 * name). A path takes no build variable, as build variables never reach a URL: there it is a problem.
 */
function checkPlaceholderNames(
  { fieldPath, text, in: where }: PlaceholderText,
  {
    remembers,
    rememberedBy,
  }: { remembers: ReadonlyMap<string, string>; rememberedBy: ReadonlyMap<string, readonly string[]> },
  rememberedElsewhere: ReadonlyMap<string, string>,
  bodySecrets: ReadonlySet<string>,
  { report, warn }: { report: Report; warn: Report },
): void {
  const hasActions = fieldPath[0] === "on" || fieldPath[0] === "perBuild";
  const own = [...remembers.keys()];
  const shownOwn = own.filter((known) => !looksLikeSecret(known));
  const builtIn = Object.fromEntries(BUILT_IN_PLACEHOLDER_NAMES.map((name) => [name, ""]));
  // The notifier's own renderer finds the names, so `$$`, `${NAME}` and the rest read as it reads them.
  for (const name of renderTemplate(text, builtIn, "text").unknownNames) {
    const shown = shownPlaceholder(name);
    const at =
      where === "path"
        ? `${shown} in the path`
        : `${shown} at line ${placeholderLine(text, name)} of the template`;
    if (bodySecrets.has(name)) {
      if (where === "path") {
        report(
          fieldPath,
          `${at} is a body secret (${looksLikeSecret(name) ? "under secrets" : `secrets.${name}`}); secrets ` +
            "reach bodies only, never a URL, where proxies and servers log them: put it in the template",
        );
      }
      continue;
    }
    if (remembers.has(name)) {
      const rememberers = rememberedBy.get(name) ?? [];
      if (fieldPath[0] === "perBuild") {
        const problem = perBuildRememberProblem(at, fieldPath[1] as string, rememberers, where);
        if (problem) (problem.warning ? warn : report)(fieldPath, problem.message);
      } else {
        checkRememberedName(at, rememberers as Transition[], { fieldPath, where }, { report, warn });
      }
      continue;
    }
    const elsewhere = rememberedElsewhere.get(name);
    if (elsewhere !== undefined) {
      report(
        fieldPath,
        `${at} is remembered by ${elsewhere}, not by an action of this receiver; remembered values belong ` +
          "to the receiver that remembered them, so it could never be filled here",
      );
      continue;
    }
    // A remembered name that looks like a secret is never suggested, as it would be shown.
    const nearest = nearestName(name, [...BUILT_IN_PLACEHOLDER_NAMES, ...shownOwn]);
    const didYouMean =
      nearest === undefined
        ? ""
        : Object.hasOwn(BUILT_IN_PLACEHOLDERS, nearest)
          ? ` (did you mean $${nearest}, ${BUILT_IN_PLACEHOLDERS[nearest as keyof typeof BUILT_IN_PLACEHOLDERS]}?)`
          : ` (did you mean $${nearest}, which ${remembers.get(nearest)} remembers?)`;
    const rememberedNames =
      own.length === 0
        ? "no action of this receiver remembers a value (remember: { NAME: field } keeps one from an answer)"
        : `its actions remember ${rememberedList(shownOwn, own.length - shownOwn.length, remembers)}`;
    if (where === "path") {
      report(
        fieldPath,
        `${at} is neither a built-in placeholder nor a value an action of this receiver remembers` +
          `${didYouMean}; ${rememberedNames}; build variables never reach a URL, so it could never be filled`,
      );
    } else if (nearest !== undefined && remembers.has(nearest)) {
      report(
        fieldPath,
        `${at} is not a value an action of this receiver remembers${didYouMean}; as written it could never ` +
          "be filled",
      );
    } else {
      warn(
        fieldPath,
        `${at} is ${hasActions ? "neither a built-in placeholder nor a value this receiver remembers" : "not a built-in placeholder"}` +
          `${didYouMean}; unless the build sets a variable of that name it is sent as written (write $$ for a literal $)`,
      );
    }
  }
}

/**
 * A remembered value named in an action: each streak remembers afresh, from the answers to its own
 * actions: broken's (which opens it), then each still-failing's; fixed ends it, and what it remembers
 * with it. So broken can use no remembered value, nothing can use one only fixed remembers, and one only
 * still-failing remembers is missing for the first still-failing of a streak and for the fix of a
 * streak of one failed build (the path is then not sent, the template sent with it as written).
 */
function checkRememberedName(
  at: string,
  rememberedBy: readonly Transition[],
  { fieldPath, where }: { fieldPath: readonly PropertyKey[]; where: "template" | "path" },
  { report, warn }: { report: Report; warn: Report },
): void {
  const transition = fieldPath[1] as Transition;
  if (transition === "broken") {
    report(
      fieldPath,
      `${at} is a value on.${rememberedBy[0]} remembers from an answer, and broken opens the failure ` +
        "streak: nothing of the streak is remembered yet when it is sent, so it could never be filled here",
    );
  } else if (rememberedBy.every((rememberer) => rememberer === "fixed")) {
    report(
      fieldPath,
      `${at} is a value only on.fixed remembers from an answer, and fixed ends the failure streak, whose ` +
        "remembered values end with it: it could never be filled here",
    );
  } else if (!rememberedBy.includes("broken")) {
    const without =
      transition === "still-failing"
        ? "the first still-failing of each streak"
        : "the fix of a streak without a still-failing (a single failed build)";
    warn(
      fieldPath,
      `${at} is a value only on.still-failing remembers from an answer, so ${without} has none: for it, ` +
        (where === "path" ? "the action is not sent" : "the placeholder is sent as written"),
    );
  }
}

/** `$JIRA_ISSUE (on.broken), $ALERT (on.broken) and 1 name that looks like a secret (not shown)`. */
function rememberedList(
  shown: readonly string[],
  hidden: number,
  remembers: ReadonlyMap<string, string>,
): string {
  const listed = shown.map((known) => `$${known} (${remembers.get(known)})`).join(", ");
  if (hidden === 0) return listed;
  const notShown =
    hidden === 1 ? "1 name that looks like a secret" : `${hidden} names that look like secrets`;
  return `${listed === "" ? "" : `${listed} and `}${notShown} (not shown)`;
}

/** The template line where `$name` or `${name}` first stands as a placeholder (not after `$$`). */
function placeholderLine(template: string, name: string): number {
  const occurrence = new RegExp(`\\$\\$|\\$(?:${name}(?![A-Za-z0-9_])|\\{${name}\\})`, "g");
  for (const match of template.matchAll(occurrence)) {
    if (match[0] !== "$$") return template.slice(0, match.index).split("\n").length;
  }
  return 1;
}
