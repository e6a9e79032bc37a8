import * as assert from "node:assert/strict";
import type { MockedResource, ProgramRun } from "../../local/programUnderMocks";

/** The resources of a type the program registered. */
export function ofType(run: ProgramRun, type: string): MockedResource[] {
  return run.resources.filter((resource) => resource.type === type);
}

/** The one resource of a type (asserted). */
export function single(run: ProgramRun, type: string): MockedResource {
  const found = ofType(run, type);
  assert.equal(found.length, 1, `one ${type}`);
  return found[0];
}
