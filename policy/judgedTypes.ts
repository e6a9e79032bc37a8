import { ResourceValidationArgs } from "@pulumi/policy";
import { cloudFormationContent } from "./cloudFormationContent";
import { grantsThroughIam } from "./iamGrants";
import { LAMBDA_FUNCTION } from "./stackResources";
import { isWebhooksProject } from "./webhooksScope";

/** Resource properties as the analyzer passes them. */
type Props = ResourceValidationArgs["props"];

/** The types whose parameter names and types the parameter policies check. */
const PARAMETER_TYPES = ["aws:ssm/parameter:Parameter", "aws-native:ssm:Parameter"];

/**
 * Policies that only limit what principals may do, never grant: an organization's service control and
 * resource control policies, and what a VPC endpoint lets through. Naming /webhooks/ in them hands out
 * nothing.
 */
const LIMITING_TYPES = [
  "aws:organizations/policy:Policy",
  "aws-native:organizations:Policy",
  "aws:ec2/vpcEndpoint:VpcEndpoint",
  "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy",
  "aws-native:ec2:VpcEndpoint",
];

/**
 * Whether the pack judges precisely what a resource does with the receiver parameters it names, so
 * naming them is for its other policies to judge: IAM grants (permission sets included), parameters,
 * CloudFormation content (whose declared resources are judged one by one), receiver registrations, the
 * notifier function of a codebuild-webhooks stack (whose role and path the stack policies check), and
 * policies that only limit. Any other resource naming them is judged by nothing, and fails closed.
 */
export function isJudged(resource: { type: string; props: Props }, project: string): boolean {
  const { type, props } = resource;
  if (grantsThroughIam(type) || PARAMETER_TYPES.includes(type) || LIMITING_TYPES.includes(type)) return true;
  if (cloudFormationContent(type, props) !== undefined) return true;
  if (type === "aws:dynamodb/tableItem:TableItem") {
    // A codebuild-webhooks stack's items are checked by stack-parameter-path; a registration in any
    // stack by registry-items-owned. Another table's item is data the pack knows nothing of.
    return (
      isWebhooksProject(project) || (props.hashKey === "project" && props.rangeKey === "hook_url_param_name")
    );
  }
  return type === LAMBDA_FUNCTION && isWebhooksProject(project);
}
