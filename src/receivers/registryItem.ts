import { TRANSITIONS } from "../shared/buildStatuses";
import type { ReceiverAction } from "../shared/registryFormat";
import type { ReceiverDefinition } from "./receiverDefinition";

/** A DynamoDB attribute value, as `aws dynamodb put-item --item file://item.json` takes it. */
type AttributeValue =
  | { S: string }
  | { N: string }
  | { L: { S: string }[] }
  | { BOOL: boolean }
  | { M: Record<string, AttributeValue> };

/** What a receiver's SSM parameter holds: `secrets/<NAME>` for a body secret. */
export type ParameterKind =
  | "url"
  | "headers"
  | "signing-secret"
  | "oauth-token-url"
  | "oauth-client-id"
  | "oauth-client-secret"
  | `secrets/${string}`;

/** The kind of the parameter holding a body secret: `secrets/<NAME>`. */
export function bodySecretKind(name: string): ParameterKind {
  return `secrets/${name}`;
}

/**
 * The name of a receiver's SSM parameter: `<parameterPath><receiver>/<kind>`, with the stack's
 * `parameterPath` (`/webhooks/` by default). The notifier's IAM grant covers `<parameterPath>*` only.
 */
export function parameterName(parameterPath: string, receiver: string, kind: ParameterKind): string {
  return `${parameterPath}${receiver}/${kind}`;
}

/**
 * The registry item for one receiver and project, in the AWS sample's format, so items written by
 * this stack and items registered by hand are read the same way. It names the receiver's parameters
 * under the stack's `parameterPath`: its URL, and its headers, signing secret, OAuth credentials and body
 * secrets when it has them. A receiver with actions per transition has `actions` (a map of the
 * transitions it declares) instead of `template` and `only_on_change`, and the statuses its transitions
 * fall on, FAILED and SUCCEEDED. A receiver with one message per build has `per_build` (its post and
 * update) instead of `template`, and `answer` holds what any receiver's 2xx answers must hold.
 */
export function registryItem(
  receiver: ReceiverDefinition,
  project: string,
  parameterPath: string,
): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    project: { S: project },
    hook_url_param_name: { S: parameterName(parameterPath, receiver.name, "url") },
    statuses: { L: receiver.statuses.map((status) => ({ S: status })) },
    method: { S: receiver.method },
  };
  if (receiver.headersConfigKey)
    item.hook_headers_param_name = { S: parameterName(parameterPath, receiver.name, "headers") };
  if (receiver.signingSecretConfigKey) {
    item.signing_secret_param_name = { S: parameterName(parameterPath, receiver.name, "signing-secret") };
  }
  if (receiver.oauth) {
    const { scope, audience, clientAuth } = receiver.oauth;
    item.oauth_token_url_param_name = { S: parameterName(parameterPath, receiver.name, "oauth-token-url") };
    item.oauth_client_id_param_name = { S: parameterName(parameterPath, receiver.name, "oauth-client-id") };
    item.oauth_client_secret_param_name = {
      S: parameterName(parameterPath, receiver.name, "oauth-client-secret"),
    };
    if (scope !== undefined) item.oauth_scope = { S: scope };
    if (audience !== undefined) item.oauth_audience = { S: audience };
    item.oauth_client_auth = { S: clientAuth };
  }
  if (receiver.bodySecretConfigKeys) {
    item.secret_param_names = {
      M: Object.fromEntries(
        Object.keys(receiver.bodySecretConfigKeys).map((name) => [
          name,
          { S: parameterName(parameterPath, receiver.name, bodySecretKind(name)) },
        ]),
      ),
    };
  }
  if (receiver.template !== undefined) item.template = { S: receiver.template };
  if (receiver.onlyOnChange) item.only_on_change = { BOOL: true };
  if (receiver.actions) {
    const actions: Record<string, AttributeValue> = {};
    for (const transition of TRANSITIONS) {
      const action = receiver.actions[transition];
      if (action) actions[transition] = actionAttribute(action);
    }
    item.actions = { M: actions };
  }
  if (receiver.perBuild) {
    item.per_build = {
      M: { post: actionAttribute(receiver.perBuild.post), update: actionAttribute(receiver.perBuild.update) },
    };
  }
  if (receiver.answer) {
    item.answer = {
      M: Object.fromEntries(
        Object.entries(receiver.answer).map(([fieldPath, value]) => [fieldPath, answerAttribute(value)]),
      ),
    };
  }
  if (receiver.accounts) item.accounts = { L: receiver.accounts.map((account) => ({ S: account })) };
  if (receiver.regions) item.regions = { L: receiver.regions.map((region) => ({ S: region })) };
  return item;
}

/** One action: its template, and its path, method and remembered fields when it has them. */
function actionAttribute(action: ReceiverAction): AttributeValue {
  const fields: Record<string, AttributeValue> = { template: { S: action.template } };
  if (action.path !== undefined) fields.path = { S: action.path };
  // Written out, so that the item says what is sent without knowing the receiver's default.
  fields.method = { S: action.method };
  if (action.remember !== undefined) {
    fields.remember = {
      M: Object.fromEntries(Object.entries(action.remember).map(([name, field]) => [name, { S: field }])),
    };
  }
  return { M: fields };
}

/** A value an answer must hold, in its JSON type. */
function answerAttribute(value: string | number | boolean): AttributeValue {
  if (typeof value === "boolean") return { BOOL: value };
  return typeof value === "number" ? { N: String(value) } : { S: value };
}
