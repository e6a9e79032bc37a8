import type { AttributeValue, QueryCommandInput, QueryCommandOutput } from "@aws-sdk/client-dynamodb";
import { BUILT_IN_PLACEHOLDERS } from "../shared/placeholders";
import type { ReceiverAction, ReceiverSending } from "../shared/registryFormat";
import { parseActions, parseAnswer, parsePerBuild, PLACEHOLDER_NAME } from "./registryActions";

/** Where receivers' parameters live unless the stack's `parameterPath` says otherwise. */
export const DEFAULT_PARAMETER_PATH = "/webhooks/";

/** One receiver registration of a project, as stored in the registry table. */
export interface RegistryEntry extends ReceiverSending {
  project: string;
  /** SSM parameter holding the receiver URL; it also identifies the receiver in logs and records. */
  urlParameter: string;
  /** The receiver's name: its folder under the parameter path (`<path><name>/url`). */
  name: string;
  /** SSM parameter holding a JSON object of header names to values. */
  headersParameter?: string;
  /** SSM parameter holding the Standard Webhooks signing secret(s); deliveries are signed when set. */
  signingSecretParameter?: string;
  /** OAuth 2.0 client credentials: each delivery carries a bearer token from the token endpoint. */
  oauth?: OAuthRegistration;
  /** Body secrets: placeholder name to the SSM parameter holding its value (bodies only, never URLs). */
  bodySecretParameters?: Record<string, string>;
  statuses: string[];
  template?: string;
  method: string;
}

/** How a receiver gets its OAuth 2.0 access token (the client-credentials grant). */
export interface OAuthRegistration {
  tokenUrlParameter: string;
  clientIdParameter: string;
  clientSecretParameter: string;
  /** Sent as `scope` when set. */
  scope?: string;
  /** Sent as `audience` when set. */
  audience?: string;
  /** HTTP Basic (RFC 6749 section 2.3.1), or `client_id` and `client_secret` in the form body. */
  clientAuth: OAuthClientAuth;
}

export const OAUTH_CLIENT_AUTH = ["basic", "body"] as const;
export type OAuthClientAuth = (typeof OAUTH_CLIENT_AUTH)[number];

/** A registry item that cannot be used, with the reason (it names attributes, never values of secrets). */
export interface InvalidRegistryItem {
  /** Its URL parameter's name, or, when that is no parameter name of a receiver, words naming the item. */
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

/** The item attributes that name one SSM parameter each, besides the URL's. */
const PARAMETER_ATTRIBUTES = [
  "hook_headers_param_name",
  "signing_secret_param_name",
  "oauth_token_url_param_name",
  "oauth_client_id_param_name",
  "oauth_client_secret_param_name",
];
/** The OAuth attributes that name parameters: an item has all three or none. */
const OAUTH_PARAMETER_ATTRIBUTES = PARAMETER_ATTRIBUTES.slice(2);

/**
 * Reads an item in the AWS sample's format (`statuses` as a list or a string set), plus the optional
 * attributes this project adds: `method`, `signing_secret_param_name`, `only_on_change`. An item may
 * name only parameters of one receiver folder, `<parameterPath><receiver>/<name>`, exactly one level
 * deep (no `/` in `<receiver>` nor in `<name>`; body secrets may also be `.../secrets/<name>`): whoever
 * can write an item must not gain another receiver's headers or signing secret by naming them beside a
 * URL of their own. A receiver with only a URL may keep it where the AWS sample did,
 * `<parameterPath><name>`, named `<name>`. An attribute's value is echoed only when it is such a
 * parameter name: a URL pasted in its place must not reach a log.
 */
export function parseRegistryItem(
  item: Record<string, AttributeValue>,
  parameterPath = DEFAULT_PARAMETER_PATH,
): RegistryEntry | InvalidRegistryItem {
  const hookUrlParameter = item.hook_url_param_name?.S;
  const layout = hookUrlParameter === undefined ? undefined : urlLayout(hookUrlParameter, parameterPath);
  const urlParameter =
    hookUrlParameter === undefined
      ? "(no hook_url_param_name)"
      : layout
        ? hookUrlParameter
        : `(the item of project ${item.project?.S ?? "?"} with an invalid hook_url_param_name, not shown)`;
  const actions = item.actions ? parseActions(item.actions) : undefined;
  if (typeof actions === "string") return { urlParameter, reason: actions };
  if (actions && (item.template || item.only_on_change)) {
    return { urlParameter, reason: "an item with actions takes neither template nor only_on_change" };
  }
  const perBuild = item.per_build ? parsePerBuild(item.per_build) : undefined;
  if (typeof perBuild === "string") return { urlParameter, reason: perBuild };
  if (perBuild && (item.template || item.only_on_change || item.actions)) {
    return {
      urlParameter,
      reason: "an item with per_build takes neither template, only_on_change nor actions",
    };
  }
  const answer = item.answer ? parseAnswer(item.answer) : undefined;
  if (typeof answer === "string") return { urlParameter, reason: answer };
  // The transitions an item acts on need both final statuses a transition can come from.
  const statuses = actions
    ? ["FAILED", "SUCCEEDED"]
    : (item.statuses?.SS ?? item.statuses?.L?.map((status) => status.S));
  if (!statuses || statuses.some((status) => typeof status !== "string")) {
    return { urlParameter, reason: "attribute statuses must be a list or string set of strings" };
  }
  const filters = parseFilters(item);
  if (typeof filters === "string") return { urlParameter, reason: filters };
  const notString = STRING_ATTRIBUTES.find((attribute) => item[attribute] && item[attribute].S === undefined);
  if (notString !== undefined) return { urlParameter, reason: `attribute ${notString} must be a string` };
  const oauth = parseOAuth(item);
  if (typeof oauth === "string") return { urlParameter, reason: oauth };
  const bodySecrets = item.secret_param_names ? parseBodySecrets(item.secret_param_names) : undefined;
  if (typeof bodySecrets === "string") return { urlParameter, reason: bodySecrets };
  const problem =
    shadowedSecretProblem({ ...actions, ...perBuild }, bodySecrets) ??
    (item.only_on_change && item.only_on_change.BOOL === undefined
      ? "attribute only_on_change must be a boolean"
      : undefined) ??
    folderProblem(item, bodySecrets, layout, parameterPath);
  if (problem !== undefined) return { urlParameter, reason: problem };
  return {
    project: item.project?.S ?? "",
    urlParameter,
    name: receiverName(urlParameter, parameterPath),
    headersParameter: item.hook_headers_param_name?.S,
    signingSecretParameter: item.signing_secret_param_name?.S,
    ...(oauth ? { oauth } : {}),
    ...(bodySecrets ? { bodySecretParameters: bodySecrets } : {}),
    statuses: statuses as string[],
    // The AWS sample sends its default body for an empty template, and so does the notifier.
    template: item.template?.S || undefined,
    method: (item.method?.S ?? "POST").toUpperCase(),
    onlyOnChange: item.only_on_change?.BOOL ?? false,
    ...(actions ? { actions } : {}),
    ...(perBuild ? { perBuild } : {}),
    ...(answer ? { answer } : {}),
    ...filters,
  };
}

/** The attributes that, when present, must be strings. */
const STRING_ATTRIBUTES = [
  ...PARAMETER_ATTRIBUTES,
  "oauth_scope",
  "oauth_audience",
  "oauth_client_auth",
  "template",
  "method",
];

/** The `accounts` and `regions` filters, each a list or string set; the problem when malformed. */
function parseFilters(
  item: Record<string, AttributeValue>,
): { accounts?: string[]; regions?: string[] } | string {
  const filters: { accounts?: string[]; regions?: string[] } = {};
  for (const attribute of ["accounts", "regions"] as const) {
    if (!item[attribute]) continue;
    const values = item[attribute].SS ?? item[attribute].L?.map((value) => value.S);
    if (!values || values.some((value) => typeof value !== "string")) {
      return `attribute ${attribute} must be a list or string set of strings`;
    }
    filters[attribute] = values as string[];
  }
  return filters;
}

/** A body secret named as a value an action remembers would stand in for the receiver's answer. */
function shadowedSecretProblem(
  actions: Record<string, ReceiverAction>,
  bodySecrets: Record<string, string> | undefined,
): string | undefined {
  const remembered = Object.values(actions).flatMap((action) => Object.keys(action.remember ?? {}));
  const shadowed = Object.keys(bodySecrets ?? {}).find((name) => remembered.includes(name));
  return shadowed === undefined
    ? undefined
    : `attribute secret_param_names names ${shadowed}, which an action remembers; give one another name`;
}

/**
 * Why the item's URL parameter, or another parameter it names, lies outside the one receiver folder the
 * item may name parameters of (see parseRegistryItem); undefined when they all lie in it.
 */
function folderProblem(
  item: Record<string, AttributeValue>,
  bodySecrets: Record<string, string> | undefined,
  layout: { folder?: string } | undefined,
  parameterPath: string,
): string | undefined {
  if (!layout) {
    return (
      `attribute hook_url_param_name must name a parameter in a receiver folder, ${parameterPath}<receiver>/url ` +
      `(one level: no / in <receiver> nor after it), or ${parameterPath}<name> for a receiver with only a URL`
    );
  }
  const named: [string, string | undefined][] = [
    ...PARAMETER_ATTRIBUTES.map((attribute): [string, string | undefined] => [attribute, item[attribute]?.S]),
    ...Object.entries(bodySecrets ?? {}).map(([name, parameter]): [string, string] => [
      `secret_param_names.${name}`,
      parameter,
    ]),
  ];
  for (const [attribute, name] of named) {
    if (name === undefined) continue;
    if (layout.folder === undefined) {
      return (
        `attribute ${attribute}: an item whose URL parameter is in no receiver folder names no other ` +
        `parameter; put its parameters in a folder of their own, ${parameterPath}<receiver>/`
      );
    }
    if (!isInFolder(name, `${parameterPath}${layout.folder}/`, attribute.startsWith("secret_param_names."))) {
      return (
        `attribute ${attribute} must name a parameter in the receiver's own folder ` +
        `${parameterPath}${layout.folder}/, beside its URL parameter`
      );
    }
  }
  return undefined;
}

/**
 * The OAuth attributes: the three parameters together, a scope and an audience as plain strings, and the
 * client authentication (`basic` by default). Returns the problem when malformed, undefined without OAuth.
 */
function parseOAuth(item: Record<string, AttributeValue>): OAuthRegistration | string | undefined {
  const [tokenUrl, clientId, clientSecret] = OAUTH_PARAMETER_ATTRIBUTES.map(
    (attribute) => item[attribute]?.S,
  );
  const others = ["oauth_scope", "oauth_audience", "oauth_client_auth"].filter(
    (attribute) => item[attribute],
  );
  if (tokenUrl === undefined && clientId === undefined && clientSecret === undefined) {
    return others.length > 0
      ? `attribute ${others[0]} needs ${OAUTH_PARAMETER_ATTRIBUTES.join(", ")}`
      : undefined;
  }
  if (tokenUrl === undefined || clientId === undefined || clientSecret === undefined) {
    return `attributes ${OAUTH_PARAMETER_ATTRIBUTES.join(", ")} go together: an item has all three or none`;
  }
  const clientAuth = item.oauth_client_auth?.S ?? "basic";
  if (!(OAUTH_CLIENT_AUTH as readonly string[]).includes(clientAuth)) {
    return `attribute oauth_client_auth must be ${OAUTH_CLIENT_AUTH.join(" or ")}`;
  }
  return {
    tokenUrlParameter: tokenUrl,
    clientIdParameter: clientId,
    clientSecretParameter: clientSecret,
    ...(item.oauth_scope?.S ? { scope: item.oauth_scope.S } : {}),
    ...(item.oauth_audience?.S ? { audience: item.oauth_audience.S } : {}),
    clientAuth: clientAuth as OAuthClientAuth,
  };
}

/**
 * The `secret_param_names` attribute: a map from placeholder name to the parameter holding its value.
 * A name may not be a built-in placeholder, which the notifier fills itself.
 */
function parseBodySecrets(attribute: AttributeValue): Record<string, string> | string {
  const entries = Object.entries(attribute.M ?? {});
  if (
    !attribute.M ||
    entries.length === 0 ||
    entries.some(([name, parameter]) => !PLACEHOLDER_NAME.test(name) || !parameter.S)
  ) {
    return "attribute secret_param_names must be a map of placeholder names to parameter names";
  }
  const builtIn = entries.find(([name]) => Object.hasOwn(BUILT_IN_PLACEHOLDERS, name));
  if (builtIn) {
    return `attribute secret_param_names names ${builtIn[0]}, a built-in placeholder; give the secret another name`;
  }
  return Object.fromEntries(entries.map(([name, parameter]) => [name, parameter.S as string]));
}

/** A segment of a parameter name between two `/`: the characters SSM takes in a name, but `/`. */
const SEGMENT = /^[A-Za-z0-9_.-]+$/;

/**
 * Where a URL parameter puts its receiver: in a folder, `<parameterPath><folder>/<name>`, or flat,
 * `<parameterPath><name>` (the AWS sample's layout, for a receiver with only a URL); undefined when it
 * is neither (outside the path, deeper, or no parameter name at all).
 */
function urlLayout(urlParameter: string, parameterPath: string): { folder?: string } | undefined {
  if (!urlParameter.startsWith(parameterPath)) return undefined;
  const segments = urlParameter.slice(parameterPath.length).split("/");
  if (segments.length > 2 || !segments.every((segment) => SEGMENT.test(segment))) return undefined;
  return segments.length === 2 ? { folder: segments[0] } : {};
}

/**
 * Whether `name` is a parameter of the receiver folder `folderPath` (`<parameterPath><receiver>/`): one
 * level below it, or, for a body secret, in its `secrets/` (where the stack keeps them).
 */
function isInFolder(name: string, folderPath: string, bodySecret: boolean): boolean {
  if (!name.startsWith(folderPath)) return false;
  const segments = name.slice(folderPath.length).split("/");
  const inSecrets = bodySecret && segments.length === 2 && segments[0] === "secrets";
  return (segments.length === 1 || inSecrets) && segments.every((segment) => SEGMENT.test(segment));
}

/**
 * Whether `name` could be a receiver's URL parameter under `parameterPath` (what logs and metrics may
 * name): a parameter name, not a URL or other text pasted in its place.
 */
export function isReceiverParameter(name: string, parameterPath: string): boolean {
  return urlLayout(name, parameterPath) !== undefined;
}

/**
 * What logs and metrics call a receiver: `<name>` of its URL parameter `<parameterPath><name>/url`, or
 * `<name>` of one kept where the AWS sample kept it, `<parameterPath><name>`; for an item registered by
 * hand with another name in its folder, the URL parameter's name.
 */
export function receiverName(urlParameter: string, parameterPath: string): string {
  const layout = urlLayout(urlParameter, parameterPath);
  if (layout?.folder === undefined) return layout ? urlParameter.slice(parameterPath.length) : urlParameter;
  return urlParameter === `${parameterPath}${layout.folder}/url` ? layout.folder : urlParameter;
}
