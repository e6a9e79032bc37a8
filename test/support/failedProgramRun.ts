import * as assert from "node:assert/strict";
import { runProgramUnderMocks, type MockedResource } from "../../local/programUnderMocks";
import { RECEIVER_SECRET_KEYS } from "./stackSecrets";

/** The error of a run that must fail (asserted), with the resources it registered before failing. */
export async function failedRun(
  config: Record<string, string>,
  what: string,
): Promise<{ error: Error; registered: MockedResource[] }> {
  const registered: MockedResource[] = [];
  const error = await runProgramUnderMocks({
    config,
    secretKeys: RECEIVER_SECRET_KEYS,
    materialize: async (resource) => {
      registered.push(resource);
      return undefined;
    },
  }).then(
    () => assert.fail(`the program ran without an error with ${what}`),
    (reason: Error) => reason,
  );
  return { error, registered };
}

/** The error of a run that must fail before registering any resource (asserted). */
export async function failureBeforeAnyResource(config: Record<string, string>, what: string): Promise<Error> {
  const { error, registered } = await failedRun(config, what);
  assert.equal(registered.length, 0, `no resource was registered with ${what}`);
  return error;
}
