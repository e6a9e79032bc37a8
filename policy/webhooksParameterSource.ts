import { ResourceValidationPolicy } from "@pulumi/policy";
import { cloudFormationContent } from "./cloudFormationContent";
import { patternReachesArns } from "./iamPattern";
import {
  WEBHOOKS_PATH,
  isUnderWebhooksPath,
  isWebhooksProject,
  projectOfUrn,
  renamedCopyHint,
} from "./webhooksScope";

const SSM_PARAMETER = "aws:ssm/parameter:Parameter";
const NATIVE_PARAMETER = "aws-native:ssm:Parameter";

/** A parameter created through CloudFormation: how messages name its resource, and its name, if set. */
export interface CloudFormationParameter {
  label: string;
  name?: unknown;
}

/**
 * A parameter under /webhooks/ created by a stack of another project could take a name a receiver needs,
 * or replace a receiver's URL (`overwrite: true`).
 */
export function parameterOwnerViolations(parameter: { name?: string }, project: string): string[] {
  const { name } = parameter;
  if (isWebhooksProject(project) || !name || !isUnderWebhooksPath(name)) return [];
  return [
    `Parameter "${name}" is created by a stack of project "${project}", but names under /webhooks/ belong to ` +
      `codebuild-webhooks stacks: this one could take a receiver's name or replace its URL. Choose a name ` +
      `outside /webhooks/. ${renamedCopyHint(project)}`,
  ];
}

/**
 * CloudFormation (and Cloud Control, and so aws-native) creates String and StringList parameters only.
 * In a codebuild-webhooks stack every one is a violation; elsewhere, one whose name may be under
 * /webhooks/ (`*` stands for what the pack could not evaluate).
 */
export function cloudFormationParameterViolations(
  parameters: CloudFormationParameter[],
  project: string,
): string[] {
  return parameters.flatMap(({ label, name }) => {
    const pattern = name === undefined ? undefined : typeof name === "string" ? name : "*";
    const shown = pattern === undefined ? "An auto-named parameter" : `Parameter "${pattern}"`;
    if (isWebhooksProject(project)) {
      return [
        `${shown} (${label}) is created through CloudFormation, which creates String and StringList ` +
          `parameters only: a receiver's secret would be stored in plain text. Create receiver parameters ` +
          `as aws.ssm.Parameter with type: "SecureString".`,
      ];
    }
    if (pattern === undefined || !patternReachesArns(pattern, `${WEBHOOKS_PATH}*`)) return [];
    return [
      `${shown} (${label}) may be named under /webhooks/, where names belong to codebuild-webhooks stacks, ` +
        `and is created through CloudFormation, which stores it in plain text` +
        `${pattern.includes("*") ? " (* stands for what the pack cannot evaluate)" : ""}. Choose a name ` +
        `outside /webhooks/, written out or from a template parameter.`,
    ];
  });
}

export const webhooksParameterSource: ResourceValidationPolicy = {
  name: "webhooks-parameter-source",
  description:
    "Parameters under /webhooks/ are created by codebuild-webhooks stacks only, and only as " +
    "aws.ssm.Parameter, the one type whose name and SecureString type the pack checks. Checked: " +
    "aws.ssm.Parameter in stacks of other projects; aws-native:ssm:Parameter, aws.cloudcontrol.Resource and " +
    "the AWS::SSM::Parameter resources of CloudFormation templates (aws.cloudformation.Stack and StackSet, " +
    "their aws-native counterparts, stack sets nested in templates), which CloudFormation can only create " +
    "as String or StringList: all of them in a codebuild-webhooks stack, and in other stacks those whose " +
    "name may be under /webhooks/ (Ref and Fn::Sub of template parameters and Fn::Join are evaluated, " +
    "Fn::If both ways; anything else counts as any value). To fix: create receiver parameters in a codebuild-webhooks stack " +
    'as aws.ssm.Parameter with type: "SecureString"; other stacks name theirs outside /webhooks/.',
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const project = projectOfUrn(args.urn);
    const content = cloudFormationContent(args.type, args.props);
    let violations: string[];
    if (args.type === SSM_PARAMETER) {
      violations = parameterOwnerViolations(args.props, project);
    } else if (args.type === NATIVE_PARAMETER) {
      violations = cloudFormationParameterViolations(
        [{ label: NATIVE_PARAMETER, name: args.props.name }],
        project,
      );
    } else if (content) {
      const parameters = content.resources
        .filter((declared) => declared.type === NATIVE_PARAMETER)
        .map((declared) => ({ label: declared.label, name: declared.props.name }));
      violations = cloudFormationParameterViolations(parameters, project);
    } else {
      return args.notApplicable("Policy applies to resources that create SSM parameters");
    }
    // A template resource read each way its Fn::If conditions go may repeat a violation: reported once.
    for (const violation of new Set(violations)) reportViolation(violation);
  },
};
