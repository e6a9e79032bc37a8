import type { InvocationRecord } from "./asyncLambda";

/** Why an invocation failed, in the words of the run's report. */
export function failureCause(invocation: InvocationRecord): string {
  const { name = "", message = "" } = invocation.error ?? {};
  if (invocation.killed) return "container killed";
  if (name === "Sandbox.Timedout") return "timed out";
  if (message.includes("holds its lease")) return "lease held by another invocation";
  if (message === "Rate exceeded") return `parameter store throttled (${name})`;
  if (/Throttl|ProvisionedThroughputExceeded/.test(name)) return `DynamoDB throttled (${name})`;
  if (message.includes("receivers not delivered")) return "a receiver not delivered";
  return `${name}: ${message.slice(0, 80)}`;
}

/** Failed invocations by cause, most frequent first. */
export function failureCauses(invocations: InvocationRecord[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const invocation of invocations) {
    if (invocation.ok) continue;
    const cause = failureCause(invocation);
    counts.set(cause, (counts.get(cause) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]);
}
