import type { ReceiverDefinition } from "./receiverDefinition";

/** A DynamoDB attribute value, as `aws dynamodb put-item --item file://item.json` takes it. */
type AttributeValue = { S: string } | { L: { S: string }[] } | { BOOL: boolean };

/** What a receiver's SSM parameter holds. */
export type ParameterKind = "url" | "headers" | "signing-secret";

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
 * under the stack's `parameterPath`.
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
  if (receiver.template !== undefined) item.template = { S: receiver.template };
  if (receiver.onlyOnChange) item.only_on_change = { BOOL: true };
  return item;
}
