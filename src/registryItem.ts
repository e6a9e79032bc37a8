import type { ReceiverDefinition } from "./receiverDefinition";

/** A DynamoDB attribute value, as `aws dynamodb put-item --item file://item.json` takes it. */
type AttributeValue = { S: string } | { L: { S: string }[] } | { BOOL: boolean };

/** The name of a receiver's SSM parameter; the notifier's IAM grant covers `/webhooks/*` only. */
export function parameterName(receiver: string, kind: "url" | "headers" | "signing-secret"): string {
  return `/webhooks/${receiver}/${kind}`;
}

/**
 * The registry item for one receiver and project, in the AWS sample's format, so items written by
 * this stack and items registered by hand are read the same way.
 */
export function registryItem(receiver: ReceiverDefinition, project: string): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    project: { S: project },
    hook_url_param_name: { S: parameterName(receiver.name, "url") },
    statuses: { L: receiver.statuses.map((status) => ({ S: status })) },
    method: { S: receiver.method },
  };
  if (receiver.headersConfigKey)
    item.hook_headers_param_name = { S: parameterName(receiver.name, "headers") };
  if (receiver.signingSecretConfigKey) {
    item.signing_secret_param_name = { S: parameterName(receiver.name, "signing-secret") };
  }
  if (receiver.template !== undefined) item.template = { S: receiver.template };
  if (receiver.onlyOnChange) item.only_on_change = { BOOL: true };
  return item;
}
