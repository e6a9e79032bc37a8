/** An IAM policy statement with its one-or-many fields made lists. */
export interface IamStatement {
  /** How messages point at the statement: its Sid in quotes, or its 1-based position when it has none. */
  label: string;
  effect: unknown;
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
}

function stringList(value: unknown): string[] | undefined {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === "string");
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
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
  }));
}
