import * as assert from "node:assert/strict";
import { policies } from "../policy/policies";
import {
  ResourceUnderPolicy,
  resourceViolations,
  stackResources,
  stackViolations,
} from "./support/policyRun";

// Breaks docs/policy-pack.md, notifier-only-reader: "One function runs as it: a second function running
// as the notifier's role reads what it reads" and "Every function of the stack runs as a role of the
// stack", and the guarantee "only one function runs as it ... every function of the stack runs as a
// role of the stack".
//
// The stack policies know one function type, aws.lambda.Function (LAMBDA_FUNCTION in
// policy/stackResources.ts). A Lambda function declared any other way (the aws-native provider, Cloud
// Control, a CloudFormation template) runs as the notifier's role, or as a role from anywhere, unseen.
// Its code lives in S3, so its inputs never name /webhooks/ and the fail-closed rule has nothing to
// find: it reads every receiver credential with the notifier's own grant (GetParameters on
// <parameterPath>*) and can also put forged records on the dead-letter queue, whose policy admits the
// notifier's role.

const PROJECT = "codebuild-webhooks";
const ROLE_ARN = "arn:aws:iam::123456789012:role/notifier-1a2b3c4";
const NOTIFIER_ROLE = "aws:iam/role:Role::notifier";
const LAMBDA_TRUST = {
  Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "lambda.amazonaws.com" } }],
};
const CODE_IN_S3 = { S3Bucket: "artifacts-123456789012", S3Key: "reporting.zip" };

type StackEntry = ResourceUnderPolicy & { dependsOn?: Record<string, string[]> };

/** Trusted by every principal of the account, as a CI or operator role is. */
const ACCOUNT_TRUST = {
  Statement: [
    { Effect: "Allow", Action: "sts:AssumeRole", Principal: { AWS: "arn:aws:iam::123456789012:root" } },
  ],
};

/** Another role of the stack, "ci", with `extra` props (inline policies). */
function ciRole(assumeRolePolicy: object, extra: Record<string, unknown> = {}): StackEntry {
  return {
    type: "aws:iam/role:Role",
    name: "ci",
    props: {
      name: "ci-9f8e7d6",
      arn: "arn:aws:iam::123456789012:role/ci-9f8e7d6",
      assumeRolePolicy,
      ...extra,
    },
  };
}

/** The stack as the program makes it: the tagged role, its read, and the notifier running as it. */
const PROGRAM: StackEntry[] = [
  {
    type: "aws:iam/role:Role",
    name: "notifier",
    props: {
      name: "notifier-1a2b3c4",
      arn: ROLE_ARN,
      assumeRolePolicy: LAMBDA_TRUST,
      tags: { "codebuild-webhooks:role": "notifier" },
    },
  },
  {
    type: "aws:iam/rolePolicy:RolePolicy",
    name: "notifier",
    props: {
      role: "notifier-1a2b3c4",
      policy: JSON.stringify({
        Statement: [
          {
            Effect: "Allow",
            Action: ["ssm:GetParameter", "ssm:GetParameters"],
            Resource: "arn:aws:ssm:us-east-1:123456789012:parameter/webhooks/*",
          },
        ],
      }),
    },
    dependsOn: { role: [NOTIFIER_ROLE] },
  },
  {
    type: "aws:lambda/function:Function",
    name: "notifier",
    props: { role: ROLE_ARN, environment: { variables: { PARAMETER_PATH: "/webhooks/" } } },
    dependsOn: { role: [NOTIFIER_ROLE] },
  },
];

const MANDATORY = new Set(
  policies.filter((policy) => policy.enforcementLevel === "mandatory").map((policy) => policy.name),
);

/** Every mandatory violation the pack reports on the stack: its resource policies and its stack policies. */
async function mandatoryViolations(entries: StackEntry[]) {
  const byResource = await Promise.all(entries.map((entry) => resourceViolations(entry, PROJECT)));
  const byStack = await stackViolations(stackResources(entries, PROJECT));
  return [...byResource.flat(), ...byStack].filter((violation) => MANDATORY.has(violation.policy));
}

const SECOND_FUNCTIONS: { row: string; entry: (role: string) => StackEntry }[] = [
  {
    row: "an aws-native lambda.Function",
    entry: (role) => ({
      type: "aws-native:lambda:Function",
      name: "reporting",
      props: {
        role,
        runtime: "nodejs22.x",
        handler: "index.handler",
        code: { s3Bucket: CODE_IN_S3.S3Bucket, s3Key: CODE_IN_S3.S3Key },
      },
      ...(role === ROLE_ARN ? { dependsOn: { role: [NOTIFIER_ROLE] } } : {}),
    }),
  },
  {
    row: "an AWS::Lambda::Function through Cloud Control (aws.cloudcontrol.Resource)",
    entry: (role) => ({
      type: "aws:cloudcontrol/resource:Resource",
      name: "reporting",
      props: {
        typeName: "AWS::Lambda::Function",
        desiredState: JSON.stringify({
          Role: role,
          Runtime: "nodejs22.x",
          Handler: "index.handler",
          Code: CODE_IN_S3,
        }),
      },
    }),
  },
  {
    row: "an AWS::Lambda::Function in a CloudFormation template (aws.cloudformation.Stack)",
    entry: (role) => ({
      type: "aws:cloudformation/stack:Stack",
      name: "reporting",
      props: {
        name: "reporting",
        parameters: { RoleArn: role },
        templateBody: JSON.stringify({
          Parameters: { RoleArn: { Type: "String" } },
          Resources: {
            Reporting: {
              Type: "AWS::Lambda::Function",
              Properties: {
                Role: { Ref: "RoleArn" },
                Runtime: "nodejs22.x",
                Handler: "index.handler",
                Code: CODE_IN_S3,
              },
            },
          },
        }),
      },
    }),
  },
];

describe("red team: a second function on the notifier's role, declared as another resource type", () => {
  it("control: a second aws.lambda.Function on the notifier's role is a violation", async () => {
    const second: StackEntry = {
      type: "aws:lambda/function:Function",
      name: "reporting",
      props: { role: ROLE_ARN },
      dependsOn: { role: [NOTIFIER_ROLE] },
    };
    const violations = await mandatoryViolations([...PROGRAM, second]);
    assert.ok(violations.some((violation) => violation.policy === "notifier-only-reader"));
  });

  for (const { row, entry } of SECOND_FUNCTIONS) {
    it(`is a violation as ${row}`, async () => {
      const violations = await mandatoryViolations([...PROGRAM, entry(ROLE_ARN)]);
      assert.ok(
        violations.length > 0,
        `${row} running as the notifier's role (${ROLE_ARN}) passed every mandatory policy`,
      );
    });

    it(`is a violation as ${row} on a role the stack does not manage`, async () => {
      const foreignRole = "arn:aws:iam::123456789012:role/AdministratorAccess-reporting";
      const violations = await mandatoryViolations([...PROGRAM, entry(foreignRole)]);
      assert.ok(
        violations.length > 0,
        `${row} running as ${foreignRole}, a role this stack does not manage, passed every mandatory policy`,
      );
    });
  }

  // Beyond the letter of the docs, within their reason: notifier-only-reader holds the notifier's role to a
  // Lambda-only trust because "whoever assumes it reads what it reads". iam:PassRole on it, with
  // lambda:CreateFunction, is the same power: the holder creates a function running as the notifier's role
  // (outside Pulumi, after the update) and reads every receiver credential. A role of the stack granted
  // both on "*" passes every mandatory policy.
  it("is a violation to grant iam:PassRole on the notifier's role with lambda:CreateFunction to another role", async () => {
    const ci = ciRole(ACCOUNT_TRUST, {
      inlinePolicies: [
        {
          name: "deploy-functions",
          policy: JSON.stringify({
            Statement: [
              {
                Effect: "Allow",
                Action: ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"],
                Resource: "*",
              },
            ],
          }),
        },
      ],
    });
    const violations = await mandatoryViolations([...PROGRAM, ci]);
    assert.ok(
      violations.length > 0,
      "a role that may pass the notifier's role to a new function of its own passed every mandatory policy",
    );
  });

  // Breaks the same promise with the one function type the pack knows. policy/stackResources.ts,
  // roleNamedBy, takes a function's role from its property's dependencies whenever one role resource is
  // among them, and reads the value only otherwise, also after the update, when the value is known. A
  // function whose role is `ci.arn.apply(() => "<the notifier's role ARN>")` depends on the ci role and runs
  // as the notifier's: judged as ci's, it passes, before and after the update.
  it("is a violation for an aws.lambda.Function whose role value is the notifier's, though it depends on another role", async () => {
    const ci = ciRole(LAMBDA_TRUST);
    const second: StackEntry = {
      type: "aws:lambda/function:Function",
      name: "reporting",
      props: { role: ROLE_ARN },
      dependsOn: { role: ["aws:iam/role:Role::ci"] },
    };
    const violations = await mandatoryViolations([...PROGRAM, ci, second]);
    assert.ok(
      violations.length > 0,
      "a second aws.lambda.Function running as the notifier's role (by value) passed every mandatory policy",
    );
  });

  // The same trust in dependencies, the other way round: a role policy whose `role` is
  // `notifier.name.apply(() => "ci-9f8e7d6")` is judged the notifier's inline policy, so its read of
  // /webhooks/ is allowed, and the ci role (assumable by the whole account here) reads every receiver
  // credential. Breaks "No other role's inline policy reads parameters under /webhooks/".
  it("is a violation for a role policy on another role that depends on the notifier's role", async () => {
    const ci = ciRole(ACCOUNT_TRUST);
    const read: StackEntry = {
      type: "aws:iam/rolePolicy:RolePolicy",
      name: "ci-read",
      props: {
        role: "ci-9f8e7d6",
        policy: JSON.stringify({
          Statement: [
            {
              Effect: "Allow",
              Action: ["ssm:GetParameter", "ssm:GetParameters"],
              Resource: "arn:aws:ssm:us-east-1:123456789012:parameter/webhooks/*",
            },
          ],
        }),
      },
      dependsOn: { role: [NOTIFIER_ROLE] },
    };
    const violations = await mandatoryViolations([...PROGRAM, ci, read]);
    assert.ok(
      violations.length > 0,
      "a role policy granting the ci role GetParameter on /webhooks/* passed every mandatory policy",
    );
  });
});
