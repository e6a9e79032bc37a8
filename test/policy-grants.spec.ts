import * as assert from "node:assert/strict";
import { iamGrantsOf } from "../policy/iamGrants";
import { resourceViolations } from "./support/policyRun";

const THIS_PROJECT = "codebuild-webhooks";
const OTHER_PROJECT = "billing-service";
const WEBHOOKS_ARN = "arn:aws:ssm:us-east-1:123456789012:parameter/webhooks/*";
const READ_WEBHOOKS = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "ssm:GetParameter", Resource: WEBHOOKS_ARN }],
});

describe("IAM grants of every principal type (policy pack)", () => {
  it("reads the documents of users, groups and managed policies as not the notifier's", () => {
    for (const type of [
      "aws:iam/userPolicy:UserPolicy",
      "aws:iam/groupPolicy:GroupPolicy",
      "aws:iam/policy:Policy",
    ]) {
      assert.deepEqual(
        iamGrantsOf({ type, props: { policy: READ_WEBHOOKS } }),
        { documents: [{ label: "Policy", document: READ_WEBHOOKS, holder: "other" }], attachments: [] },
        type,
      );
    }
  });

  it("reads roles' inline policies, whatever provider declares them, as a role's", () => {
    assert.deepEqual(
      iamGrantsOf({ type: "aws:iam/rolePolicy:RolePolicy", props: { policy: READ_WEBHOOKS } })?.documents,
      [{ label: "Policy", document: READ_WEBHOOKS, holder: "role" }],
    );
    const nativeRole = iamGrantsOf({
      type: "aws-native:iam:Role",
      props: {
        policies: [{ policyName: "read", policyDocument: READ_WEBHOOKS }],
        managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      },
    });
    assert.deepEqual(nativeRole, {
      documents: [{ label: `Inline policy "read"`, document: READ_WEBHOOKS, holder: "role" }],
      attachments: [
        {
          policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
          shown: `Managed policy "arn:aws:iam::aws:policy/ReadOnlyAccess"`,
          attachedTo: "a role",
        },
      ],
    });
  });

  it("finds managed policies however they are attached, and to whom", () => {
    const arn = "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess";
    const cases: [string, Record<string, unknown>, string][] = [
      ["aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "r", policyArn: arn }, "a role"],
      ["aws:iam/userPolicyAttachment:UserPolicyAttachment", { user: "u", policyArn: arn }, "a user"],
      ["aws:iam/groupPolicyAttachment:GroupPolicyAttachment", { group: "g", policyArn: arn }, "a group"],
      ["aws:iam/policyAttachment:PolicyAttachment", { users: ["u"], policyArn: arn }, "a user"],
      [
        "aws:iam/policyAttachment:PolicyAttachment",
        { groups: ["g"], roles: ["r"], policyArn: arn },
        "roles, groups",
      ],
      ["aws:iam/role:Role", { assumeRolePolicy: "{}", managedPolicyArns: [arn] }, "a role"],
      [
        "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
        { roleName: "r", policyArns: [arn] },
        "a role",
      ],
      [
        "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
        { userName: "u", policyArns: [arn] },
        "a user",
      ],
      [
        "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
        { groupName: "g", policyArns: [arn] },
        "a group",
      ],
      ["aws-native:iam:User", { managedPolicyArns: [arn] }, "a user"],
      ["aws-native:iam:Group", { managedPolicyArns: [arn] }, "a group"],
    ];
    for (const [type, props, attachedTo] of cases) {
      assert.deepEqual(
        iamGrantsOf({ type, props })?.attachments,
        [{ policyArn: arn, shown: `Managed policy "${arn}"`, attachedTo }],
        type,
      );
    }
    assert.equal(
      iamGrantsOf({ type: "aws:iam/policyAttachment:PolicyAttachment", props: { policyArn: arn } }),
      undefined,
    );
  });

  it("names a customer managed policy declared with its attachments", () => {
    const grants = iamGrantsOf({
      type: "aws-native:iam:ManagedPolicy",
      props: { managedPolicyName: "readers", policyDocument: READ_WEBHOOKS, users: ["u"] },
    });
    assert.deepEqual(grants, {
      documents: [{ label: "Policy", document: READ_WEBHOOKS, holder: "other" }],
      attachments: [{ shown: `Customer managed policy "readers"`, attachedTo: "a user" }],
    });
  });

  it("finds the grants of the IAM resources a CloudFormation template declares, as no role of the stack's", () => {
    const templateBody = JSON.stringify({
      Resources: {
        Reader: {
          Type: "AWS::IAM::Role",
          Properties: { Policies: [{ PolicyName: "read", PolicyDocument: JSON.parse(READ_WEBHOOKS) }] },
        },
        Operators: {
          Type: "AWS::IAM::Group",
          Properties: { ManagedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
        },
      },
    });
    const grants = iamGrantsOf({
      type: "aws:cloudformation/stack:Stack",
      props: { name: "ops", templateBody },
    });
    assert.deepEqual(grants?.documents, [
      {
        label: `CloudFormation resource "Reader" (AWS::IAM::Role) inline policy "read"`,
        document: JSON.parse(READ_WEBHOOKS),
        holder: "other",
      },
    ]);
    assert.deepEqual(
      grants?.attachments.map(({ attachedTo }) => attachedTo),
      ["a group"],
    );
  });

  it("has nothing to say of resources that grant nothing", () => {
    assert.equal(iamGrantsOf({ type: "aws:s3/bucket:Bucket", props: {} }), undefined);
    assert.equal(
      iamGrantsOf({ type: "aws:cloudformation/stack:Stack", props: { name: "x", templateBody: "{}" } }),
      undefined,
    );
  });

  it("blocks a user's or a group's read of /webhooks/ in any stack", async () => {
    for (const project of [THIS_PROJECT, OTHER_PROJECT]) {
      for (const [type, principal] of [
        ["aws:iam/userPolicy:UserPolicy", { user: "ci" }],
        ["aws:iam/groupPolicy:GroupPolicy", { group: "ops" }],
      ] as const) {
        const violations = await resourceViolations(
          { type, name: "read", props: { ...principal, policy: READ_WEBHOOKS } },
          project,
        );
        assert.deepEqual(
          violations.map(({ policy }) => policy),
          ["notifier-least-privilege"],
          `${type} in ${project}`,
        );
      }
    }
  });
});
