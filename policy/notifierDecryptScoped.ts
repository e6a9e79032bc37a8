import { ResourceValidationPolicy } from "@pulumi/policy";
import { GrantedDocument, validateGrants } from "./iamGrants";
import { IamStatement, allowedActions, conditionValues, iamStatements } from "./iamPolicyDocument";
import { staysUnder } from "./parameterArns";
import { WEBHOOKS_PATH, isWebhooksProject } from "./webhooksScope";

/** The operators that hold a single-valued key to its values; `...IfExists` would pass requests without it. */
const MATCHING_OPERATORS = ["StringEquals", "StringLike"];

/** Parameter Store's endpoints, the value `kms:ViaService` takes when Parameter Store calls KMS. */
const PARAMETER_STORE_ENDPOINT = /^ssm\.[a-z0-9*?-]+\.amazonaws\.com(\.cn)?$/;

/** The encryption context Parameter Store passes to KMS for a SecureString: the parameter's ARN. */
export const PARAMETER_ARN_CONTEXT = "kms:EncryptionContext:PARAMETER_ARN";

/** Every value the statement's `StringEquals`/`StringLike` conditions give a key (several lists are ANDed). */
export function matchingConditionValues(statement: IamStatement, key: string): string[][] {
  return MATCHING_OPERATORS.map((operator) => conditionValues(statement, operator, key) ?? []).filter(
    (values) => values.length > 0,
  );
}

/** The statements of the documents that allow kms:Decrypt. */
export function decryptStatements(
  documents: GrantedDocument[],
): { label: string; statement: IamStatement }[] {
  return documents.flatMap(({ label, document }) =>
    iamStatements(document)
      .filter((statement) => allowedActions(statement, ["kms:Decrypt"]).length > 0)
      .map((statement) => ({ label, statement })),
  );
}

/**
 * In a codebuild-webhooks stack, every kms:Decrypt grant is held to Parameter Store (`kms:ViaService`)
 * and to the parameters under /webhooks/ (`kms:EncryptionContext:PARAMETER_ARN`): without them it
 * decrypts whatever the key encrypts, the other parameters and secrets of the account included.
 */
export function decryptViolations(documents: GrantedDocument[], project: string): string[] {
  if (!isWebhooksProject(project)) return [];
  const violations: string[] = [];
  for (const { label, statement } of decryptStatements(documents)) {
    const problems: string[] = [];
    const services = matchingConditionValues(statement, "kms:ViaService");
    if (!services.some((values) => values.every((value) => PARAMETER_STORE_ENDPOINT.test(value)))) {
      problems.push(
        services.length === 0
          ? "without a kms:ViaService condition"
          : `with kms:ViaService ${JSON.stringify(services.flat())}, which is not Parameter Store only`,
      );
    }
    const contexts = matchingConditionValues(statement, PARAMETER_ARN_CONTEXT);
    if (!contexts.some((values) => values.every((value) => staysUnder(value, WEBHOOKS_PATH)))) {
      problems.push(
        contexts.length === 0
          ? `without a ${PARAMETER_ARN_CONTEXT} condition`
          : `with ${PARAMETER_ARN_CONTEXT} ${JSON.stringify(contexts.flat())}, which reaches beyond the parameters under /webhooks/`,
      );
    }
    if (problems.length === 0) continue;
    violations.push(
      `${label} statement ${statement.label} allows kms:Decrypt ${problems.join(" and ")}, so it decrypts more ` +
        `than the receiver parameters. Add Condition: { StringEquals: { "kms:ViaService": ` +
        `"ssm.<region>.amazonaws.com" }, StringLike: { "${PARAMETER_ARN_CONTEXT}": ` +
        `"arn:aws:ssm:<region>:<account>:parameter/webhooks/*" } }.`,
    );
  }
  return violations;
}

export const notifierDecryptScoped: ResourceValidationPolicy = {
  name: "notifier-decrypt-scoped",
  description:
    "In a codebuild-webhooks stack, every grant of kms:Decrypt decrypts the receiver parameters only, and " +
    "only through Parameter Store: it carries a kms:ViaService condition naming Parameter Store " +
    "(ssm.<region>.amazonaws.com) and a kms:EncryptionContext:PARAMETER_ARN condition (the ARN Parameter " +
    "Store passes to KMS for a SecureString) limited to parameters under /webhooks/, both as StringEquals or " +
    'StringLike. To fix: add Condition: { StringEquals: { "kms:ViaService": "ssm.<region>.amazonaws.com" }, ' +
    'StringLike: { "kms:EncryptionContext:PARAMETER_ARN": "arn:aws:ssm:<region>:<account>:parameter/webhooks/*" } }.',
  enforcementLevel: "mandatory",
  validateResource: validateGrants(({ documents }, project) => decryptViolations(documents, project)),
};
