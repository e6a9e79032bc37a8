import type { GetParametersCommandInput, GetParametersCommandOutput } from "@aws-sdk/client-ssm";

export type GetParameters = (input: GetParametersCommandInput) => Promise<GetParametersCommandOutput>;

/** GetParameters accepts at most this many names per call. */
const BATCH_SIZE = 10;

export interface ParameterCache {
  /** Values by name; a name that does not exist is absent from the result. */
  read(names: readonly string[]): Promise<Map<string, string>>;
}

/**
 * Reads SSM parameters with decryption in batched, concurrent GetParameters calls and keeps the values
 * for `maxAgeMs`, so a warm container makes no parameter-store call for receivers it has seen recently.
 * Missing names are not cached: a parameter created after a failure is picked up on the next event.
 */
export function createParameterCache(
  getParameters: GetParameters,
  maxAgeMs: number,
  now: () => number = Date.now,
): ParameterCache {
  const cached = new Map<string, { value: string; expiresAt: number }>();
  return {
    async read(names) {
      const values = new Map<string, string>();
      const toFetch: string[] = [];
      for (const name of new Set(names)) {
        const hit = cached.get(name);
        if (hit && hit.expiresAt > now()) values.set(name, hit.value);
        else toFetch.push(name);
      }
      const batches: string[][] = [];
      for (let start = 0; start < toFetch.length; start += BATCH_SIZE) {
        batches.push(toFetch.slice(start, start + BATCH_SIZE));
      }
      const responses = await Promise.all(
        batches.map((batch) => getParameters({ Names: batch, WithDecryption: true })),
      );
      const expiresAt = now() + maxAgeMs;
      for (const parameter of responses.flatMap((response) => response.Parameters ?? [])) {
        if (parameter.Name === undefined || parameter.Value === undefined) continue;
        cached.set(parameter.Name, { value: parameter.Value, expiresAt });
        values.set(parameter.Name, parameter.Value);
      }
      return values;
    },
  };
}
