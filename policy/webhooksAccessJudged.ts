import { ResourceValidationPolicy } from "@pulumi/policy";
import { cloudFormationContent } from "./cloudFormationContent";
import { isJudged } from "./judgedTypes";
import { LAMBDA_FUNCTION } from "./stackResources";
import { WebhooksReference, webhooksReferences } from "./webhooksReferences";
import { isWebhooksProject, projectOfUrn, renamedCopyHint } from "./webhooksScope";

const POLICY_NAME = "webhooks-access-judged";

/** A resource the pack cannot judge, allowed after someone reviewed it: by URN or `<type>::<name>`. */
export interface ReviewedException {
  resource: string;
  reason: string;
}

/** How many references a message lists; the rest are counted. */
const SHOWN_REFERENCES = 5;

function listed(references: WebhooksReference[]): string {
  const shown = references
    .slice(0, SHOWN_REFERENCES)
    .map(({ at, shown: what }) => (at === "" ? what : `${at} ${what}`));
  const more = references.length - shown.length;
  return `${shown.join("; ")}${more > 0 ? `; and ${more} more` : ""}`;
}

/**
 * Fail closed: a resource whose inputs name the receiver parameters under /webhooks/, and whose type the
 * pack does not judge, is a violation. For a stack deploying CloudFormation content, each resource the
 * content declares is held to the same rule, under its own label. `exception` names the resource as
 * this policy's exceptions name it (`<type>::<name>`).
 */
export function unjudgedAccessViolations(
  resource: { type: string; name: string; props: Record<string, unknown> },
  project: string,
): string[] {
  const { type, name, props } = resource;
  const content = cloudFormationContent(type, props);
  const candidates = content
    ? content.resources.map((declared) => ({ ...declared, subject: declared.label }))
    : [{ type, props, candidateText: [], subject: `Resource "${name}" (${type})` }];
  const exception = JSON.stringify({ resource: `${type}::${name}`, reason: "<who reviewed it, and why>" });
  return candidates.flatMap((candidate) => {
    if (isJudged(candidate, project)) return [];
    const references = [
      ...webhooksReferences(candidate.props),
      ...candidate.candidateText.flatMap(({ at, value }) => webhooksReferences(value, at)),
    ];
    if (references.length === 0) return [];
    // Another project's function naming the parameters is, in a renamed copy of this project, its notifier:
    // judged once the copy is listed.
    const renamedCopy =
      candidate.type === LAMBDA_FUNCTION && !isWebhooksProject(project) ? ` ${renamedCopyHint(project)}` : "";
    return [
      `${candidate.subject} names the receiver parameters under /webhooks/: ${listed(references)}. The pack ` +
        `does not judge what resources of this type do with them, and fails closed: such a resource may ` +
        `read, share or hand out the receiver credentials. Remove the reference; or have the resource ` +
        `reviewed and add it, with the reason, to the exceptions of ${POLICY_NAME} in the pack's config: ` +
        `${exception}.${renamedCopy}`,
    ];
  });
}

/**
 * Whether a reason says something a reviewer can read: letters or digits, not only spaces, punctuation
 * or characters that show nothing (a zero-width space, a format character).
 */
function isReadable(reason: string): boolean {
  return /[\p{L}\p{N}]/u.test(reason);
}

/** The configured exception that names a resource (by URN or `<type>::<name>`), if any. */
export function exceptionFor(
  config: { exceptions?: unknown },
  resource: { urn: string; type: string; name: string },
): Partial<ReviewedException> | undefined {
  const exceptions: unknown[] = Array.isArray(config.exceptions) ? config.exceptions : [];
  return exceptions.find(
    (entry): entry is Partial<ReviewedException> =>
      typeof entry === "object" &&
      entry !== null &&
      [resource.urn, `${resource.type}::${resource.name}`].includes(
        String((entry as Partial<ReviewedException>).resource),
      ),
  );
}

export const webhooksAccessJudged: ResourceValidationPolicy = {
  name: POLICY_NAME,
  description:
    "The pack fails closed. A resource whose inputs name the receiver parameters under /webhooks/ in any " +
    "form (a parameter name, a parameter ARN, an ARN pattern whose wildcards reach one such as " +
    "arn:aws:ssm:*:*:parameter/*, text a CloudFormation template builds with Fn::Sub or Fn::Join, an IAM " +
    'statement allowing ssm:GetParameter* or a parameter write on them, "*" included) is a violation, ' +
    "unless the pack judges resources of its type precisely: IAM grants and IAM Identity Center permission " +
    "sets, SSM parameters, CloudFormation content (judged resource by resource), receiver registrations, " +
    "the notifier function of a codebuild-webhooks stack, and policies that only limit (organization " +
    "policies, VPC endpoint policies). Any other resource (KMS keys and grants, RAM shares, resource " +
    "policies, SSM documents and associations, other projects' functions, tasks and builds...) may read, " +
    "share or hand out the receiver credentials in ways the pack does not know. To fix: remove the " +
    "reference; or have the resource reviewed and list it in this policy's exceptions in the pack's config, " +
    'by URN or "<type>::<name>", with the reason.',
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      exceptions: {
        type: "array",
        description:
          "Resources that name the receiver parameters in ways the pack cannot judge, allowed after review.",
        items: {
          type: "object",
          properties: {
            resource: {
              type: "string",
              minLength: 1,
              description: 'The resource\'s URN, or "<type>::<name>" (any stack the config applies to).',
            },
            reason: {
              type: "string",
              minLength: 1,
              description: "Who reviewed the resource, and why what it does with the parameters is safe.",
            },
          },
          required: ["resource", "reason"],
          additionalProperties: false,
        },
      },
    },
  },
  validateResource: (args, reportViolation) => {
    const exception = exceptionFor(args.getConfig<{ exceptions?: unknown }>(), args);
    const reason = typeof exception?.reason === "string" ? exception.reason.trim() : "";
    if (isReadable(reason)) return args.notApplicable(`Excepted in the pack's config: ${reason}`);
    const violations = unjudgedAccessViolations(args, projectOfUrn(args.urn));
    if (violations.length === 0) return args.notApplicable("Policy applies to resources naming /webhooks/");
    const unexplained = exception
      ? " The exception for this resource in the pack's config gives no reason (a reason holds letters or " +
        "digits): an exception counts only with one."
      : "";
    // A template resource read each way its Fn::If conditions go may repeat a violation: reported once.
    for (const violation of new Set(violations)) reportViolation(`${violation}${unexplained}`);
  },
};
