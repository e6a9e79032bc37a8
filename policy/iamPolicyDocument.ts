import { actionPatternMatches } from "./iamPattern";

/** An IAM policy statement with its one-or-many fields made lists. */
export interface IamStatement {
  /** How messages point at the statement: its Sid in quotes, or its 1-based position when it has none. */
  label: string;
  effect: unknown;
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  /** Who a resource-based policy (a role's trust policy) lets in, as written. */
  principal?: unknown;
  notPrincipal?: unknown;
  /** Condition operator (`StringLike`) to condition key to values, as written. */
  condition: Record<string, Record<string, string[]>>;
}

function stringList(value: unknown): string[] | undefined {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === "string");
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** Condition values are strings, booleans or numbers, one or many; IAM compares them as strings. */
function conditionBlock(value: unknown): Record<string, Record<string, string[]>> {
  if (!isRecord(value)) return {};
  const block: Record<string, Record<string, string[]>> = {};
  for (const [operator, keys] of Object.entries(value)) {
    if (!isRecord(keys)) continue;
    block[operator] = {};
    for (const [key, values] of Object.entries(keys)) {
      block[operator][key] = [values].flat().map((item) => String(item));
    }
  }
  return block;
}

/**
 * The statements of a policy document as Pulumi passes it: a JSON string (`JSON.stringify`,
 * `getPolicyDocument(...).json`) or the document object itself. A document that is not valid JSON has no
 * statements here: AWS rejects it before it can grant anything.
 */
export function iamStatements(document: unknown): IamStatement[] {
  let parsed: unknown = document;
  if (typeof document === "string") {
    try {
      parsed = JSON.parse(document);
    } catch {
      return [];
    }
  }
  if (!isRecord(parsed)) return [];
  const statements = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  return statements.filter(isRecord).map((statement, index) => ({
    label: typeof statement.Sid === "string" && statement.Sid !== "" ? `"${statement.Sid}"` : `${index + 1}`,
    effect: statement.Effect,
    action: stringList(statement.Action),
    notAction: stringList(statement.NotAction),
    resource: stringList(statement.Resource),
    notResource: stringList(statement.NotResource),
    principal: statement.Principal,
    notPrincipal: statement.NotPrincipal,
    condition: conditionBlock(statement.Condition),
  }));
}

/** Which of the given actions an Allow statement grants, through Action or what NotAction leaves. */
export function allowedActions(statement: IamStatement, actions: readonly string[]): string[] {
  if (statement.effect !== "Allow") return [];
  const covers = (patterns: string[], action: string) =>
    patterns.some((pattern) => actionPatternMatches(pattern, action));
  const { action, notAction } = statement;
  if (action) return actions.filter((candidate) => covers(action, candidate));
  if (notAction) return actions.filter((candidate) => !covers(notAction, candidate));
  return [];
}

/**
 * The values a statement's condition gives a key under one operator (exactly as written, `StringLike`
 * is not `StringLikeIfExists`); condition keys compare case-insensitively, as IAM compares them.
 */
export function conditionValues(
  statement: IamStatement,
  operator: string,
  key: string,
): string[] | undefined {
  const keys = statement.condition[operator];
  if (!keys) return undefined;
  const found = Object.keys(keys).find((candidate) => candidate.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : keys[found];
}
