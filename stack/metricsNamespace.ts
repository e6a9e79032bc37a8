import { RunError } from "@pulumi/pulumi/errors";
import { DEFAULT_METRICS_NAMESPACE } from "../src/notifier/deliveryMetrics";
import { DEFAULT_PARAMETER_PATH } from "../src/notifier/registryEntries";
import { fullConfigKey, setCommand } from "../src/receivers/configKeys";

const CONFIG_KEY = "metricsNamespace";
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
    `${fullConfigKey(CONFIG_KEY)} ${JSON.stringify(namespace)} is not a CloudWatch namespace: ${problems.join("; ")}.\n` +
      `Set it with: ${setCommand(CONFIG_KEY, "CodeBuildWebhooks", false)}`,
  );
}

/**
 * A warning for a stack that keeps its parameters apart from other stacks' (`parameterPath`) but writes
 * its metrics to the default namespace, which the others share: a receiver of the same name in two
 * stacks then writes to one metric, and each stack's alarm goes off on the other's failures.
 */
export function sharedNamespaceWarning(namespace: string, parameterPath: string): string | undefined {
  if (namespace !== DEFAULT_METRICS_NAMESPACE || parameterPath === DEFAULT_PARAMETER_PATH) return undefined;
  const own = `${DEFAULT_METRICS_NAMESPACE}${parameterPath.slice(DEFAULT_PARAMETER_PATH.length - 1, -1)}`;
  return (
    `${fullConfigKey(CONFIG_KEY)}: this stack keeps its parameters under ${parameterPath}, apart from other stacks, but ` +
    `writes its metrics to the shared namespace ${DEFAULT_METRICS_NAMESPACE}: a receiver of the same name in ` +
    "another stack of the account and region writes to the same metrics, sets off this stack's receiver " +
    `alarm and shares its dashboard lines. Give the stack a namespace of its own: ${setCommand(CONFIG_KEY, own, false)}`
  );
}
