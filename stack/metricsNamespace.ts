import { RunError } from "@pulumi/pulumi";

const CONFIG_KEY = "codebuild-webhooks:metricsNamespace";
/** The characters CloudWatch allows in a namespace. */
const NAMESPACE = /^[A-Za-z0-9.\-_/#: ]{1,255}$/;

/**
 * The stack's `metricsNamespace`, checked before any resource is registered: a namespace CloudWatch
 * accepts, so that the notifier's metrics are not dropped without a word and the alarms watch them.
 */
export function checkedMetricsNamespace(namespace: string): string {
  const problems: string[] = [];
  if (!NAMESPACE.test(namespace)) {
    problems.push(
      "use 1 to 255 letters, digits, spaces and the characters . - _ / # :, e.g. CodeBuildWebhooks/prod",
    );
  }
  if (namespace.startsWith(":")) problems.push('it must not start with ":"');
  if (namespace.startsWith("AWS/")) problems.push('"AWS/" namespaces belong to AWS services');
  if (problems.length === 0) return namespace;
  throw new RunError(
    `${CONFIG_KEY} ${JSON.stringify(namespace)} is not a CloudWatch namespace: ${problems.join("; ")}.\n` +
      `Set it with: pulumi config set ${CONFIG_KEY} CodeBuildWebhooks`,
  );
}
