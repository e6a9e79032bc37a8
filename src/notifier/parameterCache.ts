import type { GetParametersCommandInput, GetParametersCommandOutput } from "@aws-sdk/client-ssm";
import { createReadPace } from "./readPace";

/** One GetParameters call; the signal ends it when the reads run out of time. */
export type GetParameters = (
  input: GetParametersCommandInput,
  options: { abortSignal: AbortSignal },
) => Promise<GetParametersCommandOutput>;

/** GetParameters accepts at most this many names per call. */
const BATCH_SIZE = 10;
export interface ParameterValues {
  /** Values by name; a name that does not exist is in neither map. */
  values: Map<string, string>;
  /** Names the parameter store refused to read, or did not read in time, with the error code it gave. */
  refused: Map<string, string>;
}

export interface ParameterCache {
  /** Reads `names`, retrying throttled and failed calls until `deadline` (epoch milliseconds). */
  read(names: readonly string[], deadline: number): Promise<ParameterValues>;
}

/**
 * Whether the parameter store refused the request itself (a name it may not read, or one it does not
 * accept), rather than failing for a while (throttling, a fault of its own, the network), which a later
 * call may overcome.
 */
function isRefusal(error: unknown): boolean {
  const { $fault, name } = error as { $fault?: string; name?: string };
  return $fault === "client" && !/Throttl|TooMany/.test(name ?? "");
}

/**
 * Reads SSM parameters with decryption in GetParameters calls of 10 names and keeps the values for
 * `maxAgeMs`, so a warm container makes no parameter-store call for receivers it has seen recently.
 * Missing names are not cached: a parameter created after a failure is picked up on the next event.
 *
 * A cold container with many receivers needs many calls, from a quota of 40 per second that CodeBuild
 * and the other containers share. The calls are paced (readPace.ts): 40 a second, 10 of them at once,
 * slower after a throttled second. A throttled or failed call is made
 * again, paced, until `deadline`; the names still unread then are refused with the last error's code,
 * so their receivers fail and the others are delivered. What was read stays cached for Lambda's retry.
 *
 * GetParameters refuses a whole call when one of its names may not be read or is malformed; the names of
 * a refused batch are then read one by one, so one bad registration fails only itself.
 */
export function createParameterCache(
  getParameters: GetParameters,
  maxAgeMs: number,
  now: () => number = Date.now,
): ParameterCache {
  const cached = new Map<string, { value: string; expiresAt: number }>();
  // The container's pace, kept across invocations: a warm container that was throttled stays careful.
  const pace = createReadPace(now);

  /** `failure` holds the code of the read's last call that failed for a while: why names were left unread. */
  async function readBatch(
    batch: string[],
    result: ParameterValues,
    deadline: number,
    failure: { code: string },
  ): Promise<void> {
    while (await pace.turn(deadline)) {
      let response: GetParametersCommandOutput;
      try {
        response = await getParameters(
          { Names: batch, WithDecryption: true },
          { abortSignal: AbortSignal.timeout(Math.max(1, Math.ceil(deadline - now()))) },
        );
      } catch (error) {
        if (isRefusal(error)) {
          if (batch.length === 1) result.refused.set(batch[0], (error as Error).name);
          else await Promise.all(batch.map((name) => readBatch([name], result, deadline, failure)));
          return;
        }
        failure.code = (error as Error).name;
        if (/Throttl|TooMany/.test(failure.code)) pace.slowDown();
        continue;
      }
      pace.speedUp();
      const expiresAt = now() + maxAgeMs;
      for (const parameter of response.Parameters ?? []) {
        if (parameter.Name === undefined || parameter.Value === undefined) continue;
        cached.set(parameter.Name, { value: parameter.Value, expiresAt });
        result.values.set(parameter.Name, parameter.Value);
      }
      return;
    }
    for (const name of batch) result.refused.set(name, failure.code);
  }

  return {
    async read(names, deadline) {
      const result: ParameterValues = { values: new Map(), refused: new Map() };
      const toFetch: string[] = [];
      for (const name of new Set(names)) {
        const hit = cached.get(name);
        if (hit && hit.expiresAt > now()) result.values.set(name, hit.value);
        else toFetch.push(name);
      }
      const batches: string[][] = [];
      for (let start = 0; start < toFetch.length; start += BATCH_SIZE) {
        batches.push(toFetch.slice(start, start + BATCH_SIZE));
      }
      const failure = { code: "TimeoutError" };
      await Promise.all(batches.map((batch) => readBatch(batch, result, deadline, failure)));
      return result;
    },
  };
}
