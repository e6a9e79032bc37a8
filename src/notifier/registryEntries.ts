import type { AttributeValue, QueryCommandInput, QueryCommandOutput } from "@aws-sdk/client-dynamodb";
import { TRANSITIONS, type ReceiverAction, type Transition } from "../receiverDefinition";

/** Where receivers' parameters live unless the stack's `parameterPath` says otherwise. */
export const DEFAULT_PARAMETER_PATH = "/webhooks/";

/** One receiver registration of a project, as stored in the registry table. */
export interface RegistryEntry {
  project: string;
  /** SSM parameter holding the receiver URL; it also identifies the receiver in logs and records. */
  urlParameter: string;
  /** The receiver's name: its folder under the parameter path (`<path><name>/url`). */
  name: string;
  /** SSM parameter holding a JSON object of header names to values. */
  headersParameter?: string;
  /** SSM parameter holding the Standard Webhooks signing secret(s); deliveries are signed when set. */
  signingSecretParameter?: string;
  statuses: string[];
  template?: string;
  method: string;
  /** Notify only when the project's final status changed. */
  onlyOnChange: boolean;
  /** Actions per build-health transition; such a receiver hears of the transitions it has one for. */
  actions?: Partial<Record<Transition, ReceiverAction>>;
  /** Only builds of these AWS accounts; absent means any. */
  accounts?: string[];
  /** Only builds in these regions; absent means any. */
  regions?: string[];
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
  parameterPath: string,
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
      const parsed = parseRegistryItem(item, parameterPath);
      if ("reason" in parsed) invalid.push(parsed);
      else entries.push(parsed);
    }
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey);
  return { entries, invalid };
}

/** The item attributes that name SSM parameters, the URL's first. */
const PARAMETER_ATTRIBUTES = ["hook_url_param_name", "hook_headers_param_name", "signing_secret_param_name"];

/**
 * Reads an item in the AWS sample's format (`statuses` as a list or a string set), plus the optional
 * attributes this project adds: `method`, `signing_secret_param_name`, `only_on_change`. An item may
 * name only parameters of one receiver folder, `<parameterPath><receiver>/`: whoever can write an item
 * must not gain another receiver's headers or signing secret by naming them beside a URL of their own.
 */
export function parseRegistryItem(
  item: Record<string, AttributeValue>,
  parameterPath = DEFAULT_PARAMETER_PATH,
): RegistryEntry | InvalidRegistryItem {
  const urlParameter = item.hook_url_param_name?.S ?? "(no hook_url_param_name)";
  const actions = item.actions ? parseActions(item.actions) : undefined;
  if (typeof actions === "string") return { urlParameter, reason: actions };
  if (actions && (item.template || item.only_on_change)) {
    return { urlParameter, reason: "an item with actions takes neither template nor only_on_change" };
  }
  // The transitions an item acts on need both final statuses a transition can come from.
  const statuses = actions
    ? ["FAILED", "SUCCEEDED"]
    : (item.statuses?.SS ?? item.statuses?.L?.map((status) => status.S));
  if (!statuses || statuses.some((status) => typeof status !== "string")) {
    return { urlParameter, reason: "attribute statuses must be a list or string set of strings" };
  }
  const filters: { accounts?: string[]; regions?: string[] } = {};
  for (const attribute of ["accounts", "regions"] as const) {
    if (!item[attribute]) continue;
    const values = item[attribute].SS ?? item[attribute].L?.map((value) => value.S);
    if (!values || values.some((value) => typeof value !== "string")) {
      return { urlParameter, reason: `attribute ${attribute} must be a list or string set of strings` };
    }
    filters[attribute] = values as string[];
  }
  for (const attribute of ["hook_headers_param_name", "signing_secret_param_name", "template", "method"]) {
    if (item[attribute] && item[attribute].S === undefined) {
      return { urlParameter, reason: `attribute ${attribute} must be a string` };
    }
  }
  if (item.only_on_change && item.only_on_change.BOOL === undefined) {
    return { urlParameter, reason: "attribute only_on_change must be a boolean" };
  }
  const folder = receiverFolder(urlParameter, parameterPath);
  if (folder === undefined) {
    return {
      urlParameter,
      reason:
        `attribute hook_url_param_name must name a parameter in a receiver folder under ${parameterPath} ` +
        `(${parameterPath}<receiver>/url)`,
    };
  }
  for (const attribute of PARAMETER_ATTRIBUTES.slice(1)) {
    const name = item[attribute]?.S;
    if (name !== undefined && !name.startsWith(`${parameterPath}${folder}/`)) {
      return {
        urlParameter,
        reason:
          `attribute ${attribute} must name a parameter in the receiver's own folder ` +
          `${parameterPath}${folder}/, beside its URL parameter`,
      };
    }
  }
  return {
    project: item.project?.S ?? "",
    urlParameter,
    name: receiverName(urlParameter, parameterPath),
    headersParameter: item.hook_headers_param_name?.S,
    signingSecretParameter: item.signing_secret_param_name?.S,
    statuses: statuses as string[],
    // The AWS sample sends its default body for an empty template, and so does the notifier.
    template: item.template?.S || undefined,
    method: (item.method?.S ?? "POST").toUpperCase(),
    onlyOnChange: item.only_on_change?.BOOL ?? false,
    ...(actions ? { actions } : {}),
    ...filters,
  };
}

/** Whether a registration hears of builds of this account and region (its filters, when it has them). */
export function coversBuildOrigin(entry: RegistryEntry, account: string, region: string): boolean {
  return (
    (entry.accounts === undefined || entry.accounts.includes(account)) &&
    (entry.regions === undefined || entry.regions.includes(region))
  );
}

/** A placeholder name, as remembered values are named. */
const PLACEHOLDER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The `actions` attribute: a map from transition to `{template, path?, method?, remember?}`, with
 * `remember` a map from placeholder name to a dotted field path. Returns the problem when malformed.
 */
function parseActions(attribute: AttributeValue): Partial<Record<Transition, ReceiverAction>> | string {
  if (!attribute.M) return "attribute actions must be a map of transitions to actions";
  const actions: Partial<Record<Transition, ReceiverAction>> = {};
  for (const [transition, value] of Object.entries(attribute.M)) {
    if (!(TRANSITIONS as readonly string[]).includes(transition)) {
      return `attribute actions has ${JSON.stringify(transition)}, not one of ${TRANSITIONS.join(", ")}`;
    }
    const fields = value.M;
    const at = `attribute actions.${transition}`;
    if (fields?.template?.S === undefined) return `${at} must be a map with a template string`;
    for (const field of ["path", "method"]) {
      if (fields[field] && fields[field].S === undefined) return `${at}.${field} must be a string`;
    }
    let remember: Record<string, string> | undefined;
    if (fields.remember) {
      const entries = Object.entries(fields.remember.M ?? {});
      if (!fields.remember.M || entries.some(([name, path]) => !PLACEHOLDER_NAME.test(name) || !path.S)) {
        return `${at}.remember must be a map of placeholder names to field paths`;
      }
      remember = Object.fromEntries(entries.map(([name, path]) => [name, path.S as string]));
    }
    actions[transition as Transition] = {
      template: fields.template.S,
      method: (fields.method?.S ?? "POST").toUpperCase(),
      ...(fields.path?.S === undefined ? {} : { path: fields.path.S }),
      ...(remember ? { remember } : {}),
    };
  }
  return Object.keys(actions).length > 0 ? actions : "attribute actions names no transition";
}

/**
 * What logs and metrics call a receiver: `<name>` of its URL parameter `<parameterPath><name>/url`, or,
 * for an item registered by hand outside that naming, the URL parameter's name.
 */
export function receiverName(urlParameter: string, parameterPath: string): string {
  const folder = receiverFolder(urlParameter, parameterPath);
  return folder !== undefined && urlParameter === `${parameterPath}${folder}/url` ? folder : urlParameter;
}

/** The receiver folder of a URL parameter `<parameterPath><folder>/<name>`; undefined outside one. */
function receiverFolder(urlParameter: string, parameterPath: string): string | undefined {
  if (!urlParameter.startsWith(parameterPath)) return undefined;
  const inPath = urlParameter.slice(parameterPath.length);
  const slash = inPath.lastIndexOf("/");
  return slash > 0 && slash < inPath.length - 1 ? inPath.slice(0, slash) : undefined;
}
