import { ResourceValidationPolicy } from "@pulumi/policy";
import { cloudFormationContent } from "./cloudFormationContent";

/** What CloudFormation would create that the pack cannot see, one violation each. */
export function unreadableContentViolations(unreadable: string[]): string[] {
  return unreadable.map(
    (what) =>
      `The pack cannot read ${what}, so it cannot tell whether that creates parameters under /webhooks/ or ` +
      `grants on them. Pass the template itself as templateBody, with transforms and nested stacks ` +
      `expanded, or create those resources with Pulumi.`,
  );
}

export const cloudFormationReadable: ResourceValidationPolicy = {
  name: "cloudformation-readable",
  description:
    "What a stack has CloudFormation create is readable by the pack, in any stack, so no parameter under " +
    "/webhooks/ and no grant on them hides in it. Refused: a template given by templateUrl (or a nested " +
    "stack's TemplateURL), a template with a Transform or Fn::Transform (SAM, AWS::Include and other " +
    "macros rewrite it before CloudFormation creates anything), a template that is neither JSON nor YAML, " +
    "a resource whose Fn::If choose on more than 6 conditions, Service Catalog provisioned products and " +
    "Serverless Application Repository stacks (aws.serverlessrepository.CloudFormationStack). To fix: pass " +
    "the processed template as templateBody, or create the resources with Pulumi.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const content = cloudFormationContent(args.type, args.props);
    if (!content) return args.notApplicable("Policy applies to resources that deploy CloudFormation content");
    // A template resource read each way its Fn::If conditions go may repeat a violation: reported once.
    for (const violation of new Set(unreadableContentViolations(content.unreadable)))
      reportViolation(violation);
  },
};
