import * as assert from "node:assert/strict";
import { runProgramUnderMocks, type MockedResource } from "../../local/programUnderMocks";
import { RECEIVER_SECRET_KEYS, SHIPPED_RECEIVERS, SPEC_STACK } from "./specStack";

/**
 * The error of a run of the spec stack that must fail (asserted), with the resources it registered before
 * failing. `config` is all the config given over the stack's settings, secrets included: the shipped
 * receivers' secrets are set only as it sets them.
 */
export async function failedRun(
  config: Record<string, string>,
  what: string,
): Promise<{ error: Error; registered: MockedResource[] }> {
  const registered: MockedResource[] = [];
  const error = await runProgramUnderMocks({
    stack: SPEC_STACK,
    config: { receiversDir: SHIPPED_RECEIVERS, ...config },
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
