/**
 * IAM's wildcards in actions and resource ARNs: `*` stands for any run of characters (colons included),
 * `?` for exactly one character.
 */

function patternToRegExp(pattern: string, flags: string): RegExp {
  const source = Array.from(pattern, (char) =>
    char === "*" ? ".*" : char === "?" ? "." : char.replace(/[\\^$.|+()[\]{}]/g, "\\$&"),
  ).join("");
  return new RegExp(`^${source}$`, flags);
}

/** Whether an action pattern (`ssm:Get*`, `*`) covers an action. IAM compares actions case-insensitively. */
export function actionPatternMatches(pattern: string, action: string): boolean {
  return patternToRegExp(pattern, "i").test(action);
}

/**
 * Whether a granted resource pattern matches some ARN of the family an ARN template describes. In the
 * template, `*` stands for any run of characters within one ARN field: the family's ARNs have exactly the
 * template's colons (parameter names hold none), while the granted pattern's wildcards may span fields,
 * as IAM's do. ARNs compare case-sensitively.
 */
export function patternReachesArns(resourcePattern: string, arnTemplate: string): boolean {
  const known = new Map<number, boolean>();
  // reachesFrom(i, j): some string matches both resourcePattern[i..] and arnTemplate[j..].
  const reachesFrom = (i: number, j: number): boolean => {
    const key = i * (arnTemplate.length + 1) + j;
    const cached = known.get(key);
    if (cached !== undefined) return cached;
    const granted = resourcePattern[i];
    const templated = arnTemplate[j];
    let reaches: boolean;
    if (granted === undefined && templated === undefined) {
      reaches = true;
    } else if (granted === "*") {
      // The pattern's star stops here, or also covers what the template's next character stands for.
      reaches = reachesFrom(i + 1, j) || (templated !== undefined && reachesFrom(i, j + 1));
    } else if (templated === "*") {
      reaches = reachesFrom(i, j + 1) || (granted !== undefined && granted !== ":" && reachesFrom(i + 1, j));
    } else {
      reaches =
        granted !== undefined &&
        templated !== undefined &&
        (granted === templated || granted === "?") &&
        reachesFrom(i + 1, j + 1);
    }
    known.set(key, reaches);
    return reaches;
  };
  return reachesFrom(0, 0);
}
