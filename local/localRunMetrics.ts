import { DELIVERY_METRICS, RECEIVER_DIMENSION } from "../src/notifier/deliveryMetrics";
import { formatTable } from "./localRunReport";

/** One receiver's delivery metrics from one EMF line, as CloudWatch would read them. */
export interface EmittedMetrics {
  namespace: string;
  receiver: string;
  /** Each metric's values: EMF takes a number or a list of them. */
  values: Record<string, number[]>;
}

/** A notifier output line that is a JSON object; an EMF line has the `_aws` directive. */
interface JsonLine {
  _aws?: { CloudWatchMetrics?: { Namespace?: string; Metrics?: { Name?: string }[] }[] };
  [field: string]: unknown;
}

/**
 * The delivery metrics in a notifier's output, its lines parsed as JSON (undefined where not): the
 * embedded metric format lines, one per receiver.
 */
export function emittedMetrics(lines: readonly (JsonLine | undefined)[]): EmittedMetrics[] {
  return lines.flatMap((entry) => {
    const directive = entry?._aws?.CloudWatchMetrics?.[0];
    const receiver = entry?.[RECEIVER_DIMENSION];
    if (!entry || !directive?.Namespace || typeof receiver !== "string") return [];
    const values: Record<string, number[]> = {};
    for (const { Name } of directive.Metrics ?? []) {
      if (Name !== undefined && entry[Name] !== undefined) values[Name] = [entry[Name]].flat().map(Number);
    }
    return [{ namespace: directive.Namespace, receiver, values }];
  });
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function latency(values: number[]): string {
  if (values.length === 0) return "-";
  if (values.length === 1) return `${Math.round(values[0])} ms`;
  return `avg ${Math.round(sum(values) / values.length)} ms, max ${Math.round(Math.max(...values))} ms`;
}

/** What the run's metrics add up to per receiver, as the dashboard would show them for the run. */
export function formatMetrics(metrics: readonly EmittedMetrics[]): string {
  if (metrics.length === 0) return "Metrics\nNone emitted: no event reached a receiver.";
  const namespaces = [...new Set(metrics.map((line) => line.namespace))].join(", ");
  const receivers = [...new Set(metrics.map((line) => line.receiver))].sort();
  const rows: string[][] = [["RECEIVER", "DELIVERED", "FAILED", "ATTEMPTS", "LATENCY"]];
  for (const receiver of receivers) {
    const lines = metrics.filter((line) => line.receiver === receiver);
    const total = (metric: string) => String(sum(lines.flatMap((line) => line.values[metric] ?? [])));
    rows.push([
      receiver,
      total(DELIVERY_METRICS.delivered),
      total(DELIVERY_METRICS.failed),
      total(DELIVERY_METRICS.attempts),
      latency(lines.flatMap((line) => line.values[DELIVERY_METRICS.latency] ?? [])),
    ]);
  }
  return [`Metrics the notifier emitted (CloudWatch namespace ${namespaces})`, ...formatTable(rows)].join(
    "\n",
  );
}
