import * as dynamodb from "@pulumi/aws/dynamodb";

/**
 * The receiver registry: one item per receiver and project, in the AWS sample's item format (hash key
 * `project`, range key `hook_url_param_name`), beside the notifier's own records under `#` prefixes.
 * `deletionProtection` guards it twice, in AWS (`deletionProtectionEnabled`) and in Pulumi (`protect`):
 * it is the record of every receiver, so removing it takes a deliberate change of the stack's config.
 */
export function registryTable(options: { deletionProtection: boolean }): dynamodb.Table {
  return new dynamodb.Table(
    "registry",
    {
      attributes: [
        { name: "project", type: "S" },
        { name: "hook_url_param_name", type: "S" },
      ],
      hashKey: "project",
      rangeKey: "hook_url_param_name",
      billingMode: "PAY_PER_REQUEST",
      pointInTimeRecovery: { enabled: true },
      deletionProtectionEnabled: options.deletionProtection,
      // The notifier's records expire; registrations have no such attribute.
      ttl: { attributeName: "expires_at", enabled: true },
    },
    { protect: options.deletionProtection },
  );
}
