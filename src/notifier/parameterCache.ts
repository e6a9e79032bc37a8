import type { GetParametersCommandInput, GetParametersCommandOutput } from "@aws-sdk/client-ssm";

export type GetParameters = (input: GetParametersCommandInput) => Promise<GetParametersCommandOutput>;

/** GetParameters accepts at most this many names per call. */
const BATCH_SIZE = 10;

export interface ParameterValues {
  /** Values by name; a name that does not exist is in neither map. */
  values: Map<string, string>;
  /** Names the parameter store refused to read, with the error code it gave. */
  refused: Map<string, string>;
}

export interface ParameterCache {
  read(names: readonly string[]): Promise<ParameterValues>;
}

/**
 * Whether the parameter store refused the request itself (a name it may not read, or one it does not
 * accept), rather than failing for a while (throttling, a fault of its own), which a retry may overcome.
 */
function isRefusal(error: unknown): boolean {
  const { $fault, name } = error as { $fault?: string; name?: string };
  return $fault === "client" && !/Throttl|TooMany/.test(name ?? "");
}

/**
 * Reads SSM parameters with decryption in batched, concurrent GetParameters calls and keeps the values
 * for `maxAgeMs`, so a warm container makes no parameter-store call for receivers it has seen recently.
 * Missing names are not cached: a parameter created after a failure is picked up on the next event.
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

  async function readBatch(batch: string[], result: ParameterValues): Promise<void> {
    let response: GetParametersCommandOutput;
    try {
      response = await getParameters({ Names: batch, WithDecryption: true });
    } catch (error) {
      if (!isRefusal(error)) throw error;
      if (batch.length === 1) {
        result.refused.set(batch[0], (error as Error).name);
        return;
      }
      await Promise.all(batch.map((name) => readBatch([name], result)));
      return;
    }
    const expiresAt = now() + maxAgeMs;
    for (const parameter of response.Parameters ?? []) {
      if (parameter.Name === undefined || parameter.Value === undefined) continue;
      cached.set(parameter.Name, { value: parameter.Value, expiresAt });
      result.values.set(parameter.Name, parameter.Value);
    }
  }

  return {
    async read(names) {
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
      await Promise.all(batches.map((batch) => readBatch(batch, result)));
      return result;
    },
  };
}
