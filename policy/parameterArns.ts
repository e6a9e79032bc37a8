import { patternReachesArns } from "./iamPattern";
import { IamStatement } from "./iamPolicyDocument";

/** Every parameter ARN, of any partition, region and account. */
const ANY_PARAMETER_ARN = "arn:*:ssm:*:*:parameter/*";

/**
 * IAM policy variables (`${aws:username}`, `${aws:PrincipalTag/team}`) are filled in from the request,
 * and a value can hold anything, slashes and colons included: for what a grant reaches, each is a `*`.
 */
export function withVariablesAsWildcards(pattern: string): string {
  return pattern.replace(/\$\{[^}]*\}/g, "*");
}

/**
 * True when the pattern reaches the parameters under the path (of any partition, region and account):
 * it matches one of their ARNs, or the ARN of a prefix of the path (`parameter/webhooks`, `parameter/`).
 * Parameter Store authorizes `GetParametersByPath` by the path the request names, not by the parameters
 * it returns, and a path reaches every parameter below it: a grant on `parameter/webhooks` reads
 * `/webhooks/` whole (`--path /webhooks --recursive`). Every prefix counts, at a `/` or not, so no way
 * of cutting the path is left out.
 */
export function reachesParametersUnder(resource: string, path: string): boolean {
  return reachesNamesUnder(resource, path) || reachesPathAbove(resource, path);
}

function reachesNamesUnder(resource: string, path: string): boolean {
  return patternReachesArns(withVariablesAsWildcards(resource), `arn:*:ssm:*:*:parameter${path}*`);
}

/** True when the pattern matches the ARN of a prefix of the path (`parameter/webhooks`, `parameter/`). */
function reachesPathAbove(resource: string, path: string): boolean {
  const pattern = withVariablesAsWildcards(resource);
  return Array.from({ length: path.length }, (_, end) => path.slice(0, end)).some((prefix) =>
    patternReachesArns(pattern, `arn:*:ssm:*:*:parameter${prefix}`),
  );
}

/**
 * True when the pattern reaches the parameters under the path only as a path above them, which
 * `GetParametersByPath` reads whole: `parameter/webhooks`, and no parameter ARN under it.
 */
export function reachesOnlyAsPathAbove(resource: string, path: string): boolean {
  return !reachesNamesUnder(resource, path) && reachesPathAbove(resource, path);
}

/**
 * True when every ARN the pattern matches is a parameter under the path. Parameter names hold no colon,
 * so a pattern with the ARN's five colons cannot let a wildcard of one field spill into the next.
 */
export function staysUnder(resource: string, path: string): boolean {
  const fields = withVariablesAsWildcards(resource).split(":");
  return (
    fields.length === 6 &&
    fields[0] === "arn" &&
    fields[2] === "ssm" &&
    fields[5].startsWith(`parameter${path}`)
  );
}

/** True when the pattern matches some parameter outside the path. */
export function reachesParametersOutside(resource: string, path: string): boolean {
  return (
    !staysUnder(resource, path) && patternReachesArns(withVariablesAsWildcards(resource), ANY_PARAMETER_ARN)
  );
}

/** What a statement's grant applies to: one Resource pattern, or everything a NotResource leaves. */
export interface GrantTarget {
  /** The Resource pattern, or the NotResource list, as messages show it. */
  shown: string;
  /** The Resource pattern; none for NotResource, which no list of exceptions keeps inside a path. */
  pattern?: string;
}

export function grantTargets(statement: IamStatement): GrantTarget[] {
  if (statement.resource) return statement.resource.map((pattern) => ({ shown: `"${pattern}"`, pattern }));
  if (statement.notResource)
    return [{ shown: `every resource but ${JSON.stringify(statement.notResource)}` }];
  return [];
}

export function targetReachesUnder(target: GrantTarget, path: string): boolean {
  return target.pattern === undefined || reachesParametersUnder(target.pattern, path);
}

export function targetReachesOutside(target: GrantTarget, path: string): boolean {
  return target.pattern === undefined || reachesParametersOutside(target.pattern, path);
}

export function targetStaysUnder(target: GrantTarget, path: string): boolean {
  return target.pattern !== undefined && staysUnder(target.pattern, path);
}
