import { ResourceValidationPolicy } from "@pulumi/policy";
import { GrantedDocument, validateGrants } from "./iamGrants";
import { allowedActions, conditionValues, iamStatements } from "./iamPolicyDocument";
import { isWebhooksProject } from "./webhooksScope";

/**
 * The hash key prefixes of the notifier's own records in the registry table (never a CodeBuild project
 * name, which cannot hold `#`): the only items it may write. One line per kind of record.
 */
export const NOTIFIER_RECORD_PREFIXES = [
  "#delivery:", // the exactly-once delivery ledger
  "#status:", // each project's last final status and build health
  "#remember:", // each receiver's record of a project's failure streak
  "#build:", // each per-build receiver's record of a build's message
];

/** The DynamoDB actions that write items, each of which names the items' hash keys (`dynamodb:LeadingKeys`). */
const ITEM_WRITE_ACTIONS = [
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:BatchWriteItem",
  "dynamodb:PartiQLInsert",
  "dynamodb:PartiQLUpdate",
  "dynamodb:PartiQLDelete",
];

/**
 * Actions that delete or reconfigure a whole table or its backups. They name no item, so a
 * `ForAllValues` condition on dynamodb:LeadingKeys (true when the request has no such key) lets them pass.
 */
const TABLE_CHANGE_ACTIONS = [
  "dynamodb:DeleteTable",
  "dynamodb:UpdateTable",
  "dynamodb:UpdateTimeToLive",
  "dynamodb:UpdateContinuousBackups",
  "dynamodb:DeleteBackup",
  "dynamodb:PutResourcePolicy",
  "dynamodb:DeleteResourcePolicy",
];

/** The `dynamodb:LeadingKeys` values that keep a write to the notifier's records. */
export const NOTIFIER_LEADING_KEYS = NOTIFIER_RECORD_PREFIXES.map((prefix) => `${prefix}*`);

/**
 * In a codebuild-webhooks stack, receiver registrations stay read-only to every grant (the notifier's is
 * the only one): item writes carry a `ForAllValues:StringLike` condition on `dynamodb:LeadingKeys` whose
 * every value is a record prefix followed by `*`, and no grant may change the table itself.
 */
export function registryWriteViolations(documents: GrantedDocument[], project: string): string[] {
  if (!isWebhooksProject(project)) return [];
  const violations: string[] = [];
  const fix = `Add Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ${JSON.stringify(NOTIFIER_LEADING_KEYS)} } }.`;
  for (const { label, document } of documents) {
    for (const statement of iamStatements(document)) {
      const grant = `${label} statement ${statement.label} allows`;
      const tableChanges = allowedActions(statement, TABLE_CHANGE_ACTIONS);
      if (tableChanges.length > 0) {
        violations.push(
          `${grant} ${tableChanges.join(", ")}, which can delete or reconfigure the registry table and the ` +
            `receiver registrations in it (no dynamodb:LeadingKeys condition limits them). Remove them: the ` +
            `stack manages the table.`,
        );
      }
      const writes = allowedActions(statement, ITEM_WRITE_ACTIONS);
      if (writes.length === 0) continue;
      const leadingKeys = conditionValues(statement, "ForAllValues:StringLike", "dynamodb:LeadingKeys") ?? [];
      const foreign = leadingKeys.filter((value) => !NOTIFIER_LEADING_KEYS.includes(value));
      if (leadingKeys.length === 0) {
        violations.push(
          `${grant} ${writes.join(", ")} without a "ForAllValues:StringLike" condition on ` +
            `dynamodb:LeadingKeys, so it can overwrite or delete receiver registrations. ${fix}`,
        );
      } else if (foreign.length > 0) {
        violations.push(
          `${grant} ${writes.join(", ")} on leading keys ${JSON.stringify(foreign)}, which are not the ` +
            `notifier's record prefixes, so it can overwrite or delete receiver registrations. ${fix}`,
        );
      }
    }
  }
  return violations;
}

export const notifierRegistryWrites: ResourceValidationPolicy = {
  name: "notifier-registry-writes",
  description:
    "In a codebuild-webhooks stack, receiver registrations stay read-only to the notifier: it writes only " +
    "its own records, whose hash keys start with " +
    `${NOTIFIER_RECORD_PREFIXES.map((prefix) => `"${prefix}"`).join(" or ")}. Every grant of ` +
    "dynamodb:PutItem, UpdateItem, DeleteItem, BatchWriteItem or PartiQLInsert/Update/Delete carries a " +
    '"ForAllValues:StringLike" condition on dynamodb:LeadingKeys whose every value is one of those prefixes ' +
    "followed by *, and no grant deletes or reconfigures the table (DeleteTable, UpdateTable, " +
    "UpdateTimeToLive, UpdateContinuousBackups, DeleteBackup, PutResourcePolicy, DeleteResourcePolicy). " +
    `To fix: add Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ${JSON.stringify(NOTIFIER_LEADING_KEYS)} } } ` +
    "to the write statement, and remove table actions.",
  enforcementLevel: "mandatory",
  validateResource: validateGrants(({ documents }, project) => registryWriteViolations(documents, project)),
};
