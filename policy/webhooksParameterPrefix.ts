import * as ssm from "@pulumi/aws/ssm";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isWebhooksProject, isUnderWebhooksPath, looksLikeWebhooksPath, projectOfUrn } from "./webhooksScope";

/**
 * A parameter belongs to codebuild-webhooks when its stack is of that project (all of them, including one
 * left to auto-naming), or, in any stack, when its name starts like the /webhooks/ path. Other stacks'
 * own parameters are none of this policy's business.
 */
export function parameterPrefixViolations(parameter: { name?: string }, project: string): string[] {
  const { name } = parameter;
  if (!name) {
    return isWebhooksProject(project)
      ? [
          `Parameter has no name, so Pulumi would name it outside /webhooks/. Set name: "/webhooks/<receiver>/url".`,
        ]
      : [];
  }
  if (isUnderWebhooksPath(name) || !(isWebhooksProject(project) || looksLikeWebhooksPath(name))) return [];
  return [
    `Parameter name "${name}" is not under /webhooks/, so the notifier's grant on parameter/webhooks/* does ` +
      `not cover it. Name it "/webhooks/<receiver>/url", ".../headers" or ".../signing-secret".`,
  ];
}

export const webhooksParameterPrefix: ResourceValidationPolicy = {
  name: "webhooks-parameter-prefix",
  description:
    "SSM parameters of codebuild-webhooks are named under /webhooks/: the notifier's IAM grant covers " +
    "parameter/webhooks/* and nothing else. Checked: every parameter of a codebuild-webhooks stack, and in " +
    "any stack a parameter whose path starts like /webhooks/ (/webhooksx/..., /Webhooks/..., webhooks/... " +
    'without the leading slash). To fix: set name: "/webhooks/<receiver>/url" (or ".../headers", ' +
    '".../signing-secret") ' +
    "explicitly instead of leaving the name to auto-naming.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(ssm.Parameter, (parameter, args, reportViolation) => {
    for (const violation of parameterPrefixViolations(parameter, projectOfUrn(args.urn))) {
      reportViolation(violation);
    }
  }),
};
