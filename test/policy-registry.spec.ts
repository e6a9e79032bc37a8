import * as assert from "node:assert/strict";
import { registryRecoveryViolations } from "../policy/registryRecoverable";

const NO_RECOVERY = [
  "Registry table has no point-in-time recovery; set pointInTimeRecovery: { enabled: true }.",
];
const REGISTRY_KEYS = { hashKey: "project", rangeKey: "hook_url_param_name" };

describe("policy registry-recoverable", () => {
  it("passes a registry with point-in-time recovery", () => {
    const table = { ...REGISTRY_KEYS, pointInTimeRecovery: { enabled: true } };
    assert.deepEqual(registryRecoveryViolations(table, "codebuild-webhooks"), []);
  });

  it("reports a registry without it, or with it disabled", () => {
    assert.deepEqual(registryRecoveryViolations(REGISTRY_KEYS, "codebuild-webhooks"), NO_RECOVERY);
    const disabled = { ...REGISTRY_KEYS, pointInTimeRecovery: { enabled: false } };
    assert.deepEqual(registryRecoveryViolations(disabled, "codebuild-webhooks"), NO_RECOVERY);
  });

  it("reports a table with the registry's keys in a stack of another project", () => {
    assert.deepEqual(registryRecoveryViolations(REGISTRY_KEYS, "platform"), NO_RECOVERY);
  });

  it("leaves other projects' tables alone", () => {
    assert.deepEqual(registryRecoveryViolations({ hashKey: "id" }, "platform"), []);
  });
});
