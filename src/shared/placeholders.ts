/**
 * The placeholders the notifier fills in itself, each with what it takes. A template may also name any
 * environment variable of the build, which only the build event tells; these names win over those. A
 * receiver with actions per transition may also name the values its actions remember.
 */
export const BUILT_IN_PLACEHOLDERS = {
  PROJECT: "the CodeBuild project name",
  STATUS: "the build status: IN_PROGRESS, SUCCEEDED, FAILED, FAULT, TIMED_OUT or STOPPED",
  STATUS_EMOJI:
    "an emoji for the build status: ⏳ started, ✅ succeeded, ❌ failed, ⚠️ fault, ⏰ timed out, ⏹️ stopped",
  PREVIOUS_STATUS: "the project's previous final status, empty for its first",
  TRANSITION: "the build-health transition the action is taken on: broken, still-failing or fixed",
  FAILURE_COUNT: "the consecutive failed builds of the project's current failure streak",
  BUILD_ID: "the build's ARN",
  BUILD_NUMBER: "the build's number within the project",
  BUILD_URL: "the build's page in the CodeBuild console",
  LOGS_URL: "the build's logs in CloudWatch",
  INITIATOR: "who or what started the build",
  SOURCE_VERSION: "the commit or version built",
  SOURCE_LOCATION: "the source location",
  FAILED_PHASE: "the phase that did not succeed",
  FAILED_PHASE_CONTEXT: "CodeBuild's message for the phase that did not succeed",
  REGION: "the region the build ran in",
  ACCOUNT: "the account the build ran in",
  TIME: "when the state changed",
  EVENT_ID: "the event's ID",
} as const satisfies Record<string, string>;

export type BuiltInPlaceholder = keyof typeof BUILT_IN_PLACEHOLDERS;

export const BUILT_IN_PLACEHOLDER_NAMES = Object.keys(BUILT_IN_PLACEHOLDERS) as BuiltInPlaceholder[];

/**
 * The built-in placeholder a mistyped name most likely means: the nearest by edit distance (letter case
 * aside), when it is near enough to be a typo rather than a build variable of another name.
 */
export function nearestBuiltInPlaceholder(name: string): BuiltInPlaceholder | undefined {
  return nearestName(name, BUILT_IN_PLACEHOLDER_NAMES);
}

/**
 * The candidate a mistyped name most likely means, by the same measure: a built-in placeholder, or a
 * value a receiver's actions remember.
 */
export function nearestName<Name extends string>(
  name: string,
  candidates: readonly Name[],
): Name | undefined {
  const typed = name.toUpperCase();
  // One slip in a short name, two in a longer one: beyond that most names are simply other names.
  const allowed = typed.length <= 6 ? 1 : 2;
  let nearest: Name | undefined;
  let nearestDistance = allowed + 1;
  for (const candidate of candidates) {
    const distance = editDistance(typed, candidate.toUpperCase());
    if (distance < nearestDistance) {
      nearest = candidate;
      nearestDistance = distance;
    }
  }
  return nearest;
}

/** Insertions, deletions, substitutions and swaps of neighbours (optimal string alignment distance). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
      }
    }
  }
  return rows[a.length][b.length];
}
