import type { AttributeValue, QueryCommandInput, QueryCommandOutput } from "@aws-sdk/client-dynamodb";

/** One receiver registration of a project, as stored in the registry table. */
export interface RegistryEntry {
  project: string;
  /** SSM parameter holding the receiver URL; it also identifies the receiver in logs. */
  urlParameter: string;
  /** SSM parameter holding a JSON object of header names to values. */
  headersParameter?: string;
  /** SSM parameter holding the Standard Webhooks signing secret(s); deliveries are signed when set. */
  signingSecretParameter?: string;
  statuses: string[];
  template?: string;
  method: string;
  /** Notify only when the project's final status changed. */
  onlyOnChange: boolean;
}

/** A registry item that cannot be used, with the reason (it names attributes, never values of secrets). */
export interface InvalidRegistryItem {
  urlParameter: string;
  reason: string;
}

export type QueryRegistry = (input: QueryCommandInput) => Promise<QueryCommandOutput>;

/**
 * Reads every registration of a project, following `LastEvaluatedKey` because a project's registrations
 * can exceed one 1 MB query page. `project` is a DynamoDB reserved word, hence the attribute name alias.
 */
export async function findRegistryEntries(
  query: QueryRegistry,
  tableName: string,
  project: string,
): Promise<{ entries: RegistryEntry[]; invalid: InvalidRegistryItem[] }> {
  const entries: RegistryEntry[] = [];
  const invalid: InvalidRegistryItem[] = [];
  let exclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await query({
      TableName: tableName,
      KeyConditionExpression: "#project = :project",
      ExpressionAttributeNames: { "#project": "project" },
      ExpressionAttributeValues: { ":project": { S: project } },
      ExclusiveStartKey: exclusiveStartKey,
    });
    for (const item of page.Items ?? []) {
      const parsed = parseRegistryItem(item);
      if ("reason" in parsed) invalid.push(parsed);
      else entries.push(parsed);
    }
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey);
  return { entries, invalid };
}

/**
 * Reads an item in the AWS sample's format (`statuses` as a list or a string set), plus the optional
 * attributes this project adds: `method`, `signing_secret_param_name`, `only_on_change`.
 */
export function parseRegistryItem(item: Record<string, AttributeValue>): RegistryEntry | InvalidRegistryItem {
  const urlParameter = item.hook_url_param_name?.S ?? "(no hook_url_param_name)";
  const statuses = item.statuses?.SS ?? item.statuses?.L?.map((status) => status.S);
  if (!statuses || statuses.some((status) => typeof status !== "string")) {
    return { urlParameter, reason: "attribute statuses must be a list or string set of strings" };
  }
  for (const attribute of ["hook_headers_param_name", "signing_secret_param_name", "template", "method"]) {
    if (item[attribute] && item[attribute].S === undefined) {
      return { urlParameter, reason: `attribute ${attribute} must be a string` };
    }
  }
  if (item.only_on_change && item.only_on_change.BOOL === undefined) {
    return { urlParameter, reason: "attribute only_on_change must be a boolean" };
  }
  return {
    project: item.project?.S ?? "",
    urlParameter,
    headersParameter: item.hook_headers_param_name?.S,
    signingSecretParameter: item.signing_secret_param_name?.S,
    statuses: statuses as string[],
    template: item.template?.S,
    method: (item.method?.S ?? "POST").toUpperCase(),
    onlyOnChange: item.only_on_change?.BOOL ?? false,
  };
}
