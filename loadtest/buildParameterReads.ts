import type { BuildStateChangeEvent } from "../src/notifier/buildEvent";

/**
 * The account's other reader of the parameter store in a burst: CodeBuild reads a build's
 * PARAMETER_STORE variables when the build starts, from the same per-account GetParameters quota the
 * notifier's cold containers read from. One GetParameters call per build start; true when throttled.
 */
export async function readBuildParameters(endpoint: string, event: BuildStateChangeEvent): Promise<boolean> {
  const names = (event.detail?.["additional-information"]?.environment?.["environment-variables"] ?? [])
    .filter((variable) => variable.type === "PARAMETER_STORE" && variable.value)
    .map((variable) => variable.value as string);
  if (names.length === 0) return false;
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AmazonSSM.GetParameters" },
    body: JSON.stringify({ Names: names, WithDecryption: true }),
  });
  const answer = (await response.json()) as { __type?: string };
  return answer.__type === "ThrottlingException";
}
