import * as assert from "node:assert/strict";
import { policies } from "../policy/policies";
import { resourceViolations } from "./support/policyRun";

// Breaks docs/policy-pack.md, "What the pack guarantees": "no IAM policy document the stack declares ...
// lets anyone ... read [a parameter under /webhooks/], except the inline policy of the notifier's role".
//
// Parameter Store authorizes GetParametersByPath against the *path in the request*, not against the
// parameters it returns (AWS Systems Manager user guide, "How Parameter Store authorizes parameter
// retrieval"; and the API reference of Recursive: "If a user has access to a path, then the user can
// access all levels of that path"). So `ssm:GetParametersByPath` on the path's own ARN,
// `arn:aws:ssm:<region>:<account>:parameter/webhooks` (no trailing slash), lets the principal run
//   aws ssm get-parameters-by-path --path /webhooks --recursive --with-decryption
// and read every receiver credential of every stack. The pack only counts ARN patterns that reach a
// parameter *under* `parameter/webhooks/`, so this grant passes with no violation at all, in any
// principal's policy, in every stack of another project.

const PROJECT = "billing-service";
const PATH_ARN = "arn:aws:ssm:us-east-1:123456789012:parameter/webhooks";

const MANDATORY = new Set(
  policies.filter((policy) => policy.enforcementLevel === "mandatory").map((policy) => policy.name),
);

const READ_BY_PATH = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "ssm:GetParametersByPath", Resource: PATH_ARN }],
});

const GRANTS: { row: string; type: string; props: Record<string, unknown> }[] = [
  {
    row: "a managed policy (aws.iam.Policy)",
    type: "aws:iam/policy:Policy",
    props: { policy: READ_BY_PATH },
  },
  {
    row: "a role's inline policy (aws.iam.RolePolicy)",
    type: "aws:iam/rolePolicy:RolePolicy",
    props: { role: "reporting", policy: READ_BY_PATH },
  },
  {
    row: "a user's inline policy (aws.iam.UserPolicy)",
    type: "aws:iam/userPolicy:UserPolicy",
    props: { user: "ci", policy: READ_BY_PATH },
  },
  {
    row: "an IAM Identity Center permission set (aws.ssoadmin.PermissionSetInlinePolicy)",
    type: "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",
    props: {
      instanceArn: "arn:aws:sso:::instance/ssoins-1234567890abcdef",
      permissionSetArn: "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef",
      inlinePolicy: READ_BY_PATH,
    },
  },
  {
    row: "an IAM role in a CloudFormation template",
    type: "aws:cloudformation/stack:Stack",
    props: {
      name: "reporting",
      templateBody: JSON.stringify({
        Resources: {
          Reader: {
            Type: "AWS::IAM::Role",
            Properties: {
              AssumeRolePolicyDocument: {
                Statement: [
                  { Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "ec2.amazonaws.com" } },
                ],
              },
              Policies: [{ PolicyName: "read", PolicyDocument: JSON.parse(READ_BY_PATH) as object }],
            },
          },
        },
      }),
    },
  },
];

describe("red team: ssm:GetParametersByPath granted on the /webhooks path's own ARN", () => {
  for (const { row, type, props } of GRANTS) {
    it(`is a mandatory violation in ${row} of another project's stack`, async () => {
      const violations = await resourceViolations({ type, name: "reader", props }, PROJECT);
      const mandatory = violations.filter((violation) => MANDATORY.has(violation.policy));
      assert.ok(
        mandatory.length > 0,
        `${row} granting ssm:GetParametersByPath on ${PATH_ARN} (every receiver credential, recursively) ` +
          `passed the pack with no mandatory violation: ${JSON.stringify(violations)}`,
      );
    });
  }
});

// Breaks docs/policy-pack.md, webhooks-access-judged ("Any resource whose inputs name the receiver
// parameters ... is a violation") for the same reason: the pack's pattern for a name is "/webhooks/"
// followed by more (WEBHOOKS_NAME in policy/webhooksReferences.ts), but the path that GetParametersByPath
// reads everything under is written without the trailing slash: `--path /webhooks --recursive`.
describe("red team: a resource reading the /webhooks path whole, by GetParametersByPath", () => {
  const ROWS: { row: string; type: string; props: Record<string, unknown> }[] = [
    {
      row: "an SSM association running a shell command on every managed instance",
      type: "aws:ssm/association:Association",
      props: {
        name: "AWS-RunShellScript",
        targets: [{ key: "InstanceIds", values: ["*"] }],
        parameters: {
          commands:
            "aws ssm get-parameters-by-path --path /webhooks --recursive --with-decryption --output json > /tmp/r.json",
        },
      },
    },
    {
      row: "a state machine calling Parameter Store through the AWS SDK integration",
      type: "aws:sfn/stateMachine:StateMachine",
      props: {
        roleArn: "arn:aws:iam::123456789012:role/reporting-states",
        definition: JSON.stringify({
          StartAt: "Read",
          States: {
            Read: {
              Type: "Task",
              Resource: "arn:aws:states:::aws-sdk:ssm:getParametersByPath",
              Parameters: { Path: "/webhooks", Recursive: true, WithDecryption: true },
              End: true,
            },
          },
        }),
      },
    },
  ];
  for (const { row, type, props } of ROWS) {
    it(`fails closed for ${row}`, async () => {
      const violations = await resourceViolations({ type, name: "reader", props }, PROJECT);
      const mandatory = violations.filter((violation) => MANDATORY.has(violation.policy));
      assert.ok(mandatory.length > 0, `${row} reading /webhooks recursively passed the pack`);
    });
  }
});
