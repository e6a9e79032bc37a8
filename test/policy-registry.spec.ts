import * as assert from "node:assert/strict";
import { GrantedDocument } from "../policy/iamGrants";
import { NOTIFIER_RECORD_PREFIXES, registryWriteViolations } from "../policy/notifierRegistryWrites";
import { registryItemViolations } from "../policy/registryItemsOwned";
import { registryRecoveryViolations } from "../policy/registryRecoverable";
import { DELIVERY_KEY_PREFIX } from "../src/notifier/deliveryLedger";
import { STATUS_KEY_PREFIX } from "../src/notifier/projectStatus";
import { listingHint } from "./support/policyRun";
import { BUILD_KEY_PREFIX } from "../src/notifier/perBuildRecords";
import { REMEMBER_KEY_PREFIX } from "../src/notifier/streakRecords";

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

describe("policy notifier-registry-writes", () => {
  const FIX = `Add Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["#delivery:*","#status:*","#remember:*","#build:*"] } }.`;

  function grant(statement: Record<string, unknown>): GrantedDocument {
    const document = JSON.stringify({
      Statement: [{ Sid: "Records", Effect: "Allow", Resource: "*", ...statement }],
    });
    return { label: "Policy", document, holder: "role" };
  }

  const onRecords = {
    "ForAllValues:StringLike": {
      "dynamodb:LeadingKeys": ["#delivery:*", "#status:*", "#remember:*", "#build:*"],
    },
  };

  it("keeps the record prefixes the program grants the notifier, one constant for both", () => {
    // The notifier's role grants writes under exactly these (stack/notifierRole.ts), and the pack knows no other.
    assert.deepEqual(
      [...NOTIFIER_RECORD_PREFIXES].sort(),
      [DELIVERY_KEY_PREFIX, STATUS_KEY_PREFIX, REMEMBER_KEY_PREFIX, BUILD_KEY_PREFIX].sort(),
    );
  });

  it("passes writes held to the notifier's records, and reads of anything", () => {
    const documents = [
      grant({
        Action: ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"],
        Condition: onRecords,
      }),
      grant({
        Action: "dynamodb:DeleteItem",
        Condition: { "ForAllValues:StringLike": { "DynamoDB:LeadingKeys": "#status:*" } },
      }),
      grant({ Action: ["dynamodb:Query", "dynamodb:GetItem"] }),
    ];
    assert.deepEqual(registryWriteViolations(documents, "codebuild-webhooks"), []);
  });

  it("reports item writes without the condition, or with leading keys that reach registrations", () => {
    assert.deepEqual(registryWriteViolations([grant({ Action: "dynamodb:PutItem" })], "codebuild-webhooks"), [
      `Policy statement "Records" allows dynamodb:PutItem without a "ForAllValues:StringLike" condition on ` +
        `dynamodb:LeadingKeys, so it can overwrite or delete receiver registrations. ${FIX}`,
    ]);
    const cases: [Record<string, unknown>, string][] = [
      [
        { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["#delivery:*", "#*"] } },
        `on leading keys ["#*"]`,
      ],
      [{ "ForAllValues:StringLike": { "dynamodb:LeadingKeys": "*" } }, `on leading keys ["*"]`],
      [{ "ForAllValues:StringLike": { "dynamodb:LeadingKeys": "my-app" } }, `on leading keys ["my-app"]`],
      [{ "ForAnyValue:StringLike": { "dynamodb:LeadingKeys": "#status:*" } }, "without"],
      [{ StringLike: { "dynamodb:LeadingKeys": "#status:*" } }, "without"],
    ];
    for (const [condition, problem] of cases) {
      const [violation] = registryWriteViolations(
        [grant({ Action: ["dynamodb:UpdateItem", "dynamodb:PartiQLDelete"], Condition: condition })],
        "codebuild-webhooks",
      );
      assert.ok(
        violation.startsWith(
          `Policy statement "Records" allows dynamodb:UpdateItem, dynamodb:PartiQLDelete ${problem}`,
        ),
        violation,
      );
      assert.ok(
        violation.endsWith(`so it can overwrite or delete receiver registrations. ${FIX}`),
        violation,
      );
    }
  });

  it("reports table-level changes, which a leading-keys condition does not hold back", () => {
    assert.deepEqual(
      registryWriteViolations([grant({ Action: "dynamodb:*", Condition: onRecords })], "codebuild-webhooks"),
      [
        `Policy statement "Records" allows dynamodb:DeleteTable, dynamodb:UpdateTable, dynamodb:UpdateTimeToLive, ` +
          `dynamodb:UpdateContinuousBackups, dynamodb:DeleteBackup, dynamodb:PutResourcePolicy, ` +
          `dynamodb:DeleteResourcePolicy, which can delete or reconfigure the registry table and the receiver ` +
          `registrations in it (no dynamodb:LeadingKeys condition limits them). Remove them: the stack manages the table.`,
      ],
    );
  });

  it("leaves other projects' tables to them", () => {
    assert.deepEqual(registryWriteViolations([grant({ Action: "dynamodb:*" })], "platform"), []);
  });
});

describe("policy registry-items-owned", () => {
  const registration = { hashKey: "project", rangeKey: "hook_url_param_name", tableName: "registry-1a2b3c4" };

  it("passes the codebuild-webhooks stack's own registrations", () => {
    assert.deepEqual(registryItemViolations(registration, "codebuild-webhooks"), []);
  });

  it("reports a registration made by a stack of another project", () => {
    assert.deepEqual(registryItemViolations(registration, "platform"), [
      `Table item in table "registry-1a2b3c4" is a receiver registration (keys project and hook_url_param_name) ` +
        `made by a stack of project "platform": it would register a receiver outside the codebuild-webhooks stack ` +
        `that owns the registry and checks its receivers. Add the receiver to that stack (receivers/<name>.yaml) ` +
        `and remove this item. ${listingHint("platform")}`,
    ]);
  });

  it("leaves other projects' items of other tables alone", () => {
    assert.deepEqual(
      registryItemViolations({ hashKey: "project", rangeKey: "id", tableName: "builds" }, "platform"),
      [],
    );
    assert.deepEqual(registryItemViolations({ hashKey: "pk", tableName: "orders" }, "platform"), []);
  });
});
