import * as ssm from "@pulumi/aws/ssm";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isUnderWebhooksPath } from "./webhooksScope";

/** Any stack's parameter under /webhooks/ holds a receiver URL or auth headers: a credential. */
export function parameterTypeViolations(parameter: { name?: string; type?: string }): string[] {
  const { name, type } = parameter;
  if (!name || !isUnderWebhooksPath(name) || type === "SecureString") return [];
  const actual = type === undefined ? "no type" : `type "${type}"`;
  return [`Parameter "${name}" has ${actual}; set type: "SecureString".`];
}

export const webhooksParameterSecureString: ResourceValidationPolicy = {
  name: "webhooks-parameter-securestring",
  description:
    "Every SSM parameter under /webhooks/ is a SecureString: receiver URLs (chat webhook URLs embed their " +
    "token) and auth headers are credentials, and a String parameter shows them to anyone who can describe " +
    'parameters. To fix: set type: "SecureString" (with keyId to encrypt with a customer managed KMS key).',
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(ssm.Parameter, (parameter, _args, reportViolation) => {
    for (const violation of parameterTypeViolations(parameter)) reportViolation(violation);
  }),
};
