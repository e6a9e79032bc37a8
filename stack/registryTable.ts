import * as aws from "@pulumi/aws";

/**
 * The receiver registry: one item per receiver and project, in the AWS sample's item format (hash key
 * `project`, range key `hook_url_param_name`), beside the notifier's own records under `#` prefixes.
 */
export function registryTable(): aws.dynamodb.Table {
  return new aws.dynamodb.Table(
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
      deletionProtectionEnabled: true,
      // The notifier's records expire; registrations have no such attribute.
      ttl: { attributeName: "expires_at", enabled: true },
    },
    { protect: true },
  );
}
