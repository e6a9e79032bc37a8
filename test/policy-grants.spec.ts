import * as assert from "node:assert/strict";
import { iamGrantsOf } from "../policy/iamGrants";
import { listingHint, resourceViolations } from "./support/policyRun";

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

  describe("IAM Identity Center permission sets", () => {
    const PERMISSION_SET = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef";
    const INSTANCE = "arn:aws:sso:::instance/ssoins-1234567890abcdef";
    const READ_ONLY = "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess";
    const ofPermissionSet = { instanceArn: INSTANCE, permissionSetArn: PERMISSION_SET };
    const readsWebhooks = (label: string) =>
      `${label} statement 1 allows ssm:GetParameter on "${WEBHOOKS_ARN}", which reaches the receiver credentials ` +
      `under /webhooks/`;

    it("reads their inline policies and managed policies, classic, aws-native and in CloudFormation", () => {
      assert.deepEqual(
        iamGrantsOf({
          type: "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",
          props: { ...ofPermissionSet, inlinePolicy: READ_WEBHOOKS },
        }),
        { documents: [{ label: "Policy", document: READ_WEBHOOKS, holder: "other" }], attachments: [] },
      );
      const toPermissionSet = (policyArn: string) => ({
        policyArn,
        shown: `Managed policy "${policyArn}"`,
        attachedTo: "a permission set",
      });
      const customer = {
        shown: `Customer managed policy "/ops/webhooks-reader"`,
        attachedTo: "a permission set",
      };
      for (const [type, props, attachments] of [
        [
          "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment",
          { ...ofPermissionSet, managedPolicyArn: READ_ONLY },
          [toPermissionSet(READ_ONLY)],
        ],
        [
          "aws:ssoadmin/managedPolicyAttachmentsExclusive:ManagedPolicyAttachmentsExclusive",
          { ...ofPermissionSet, managedPolicyArns: [READ_ONLY] },
          [toPermissionSet(READ_ONLY)],
        ],
        [
          "aws:ssoadmin/customerManagedPolicyAttachment:CustomerManagedPolicyAttachment",
          { ...ofPermissionSet, customerManagedPolicyReference: { name: "webhooks-reader", path: "/ops/" } },
          [customer],
        ],
        [
          "aws:ssoadmin/customerManagedPolicyAttachmentsExclusive:CustomerManagedPolicyAttachmentsExclusive",
          {
            ...ofPermissionSet,
            customerManagedPolicyReferences: [{ name: "webhooks-reader", path: "/ops/" }],
          },
          [customer],
        ],
      ] as const) {
        assert.deepEqual(iamGrantsOf({ type, props }), { documents: [], attachments }, type);
      }
      const native = {
        instanceArn: INSTANCE,
        name: "operators",
        inlinePolicy: JSON.parse(READ_WEBHOOKS),
        managedPolicies: [READ_ONLY],
        customerManagedPolicyReferences: [{ name: "readers" }],
      };
      assert.deepEqual(iamGrantsOf({ type: "aws-native:sso:PermissionSet", props: native }), {
        documents: [{ label: "Inline policy", document: JSON.parse(READ_WEBHOOKS), holder: "other" }],
        attachments: [
          toPermissionSet(READ_ONLY),
          { shown: `Customer managed policy "/readers"`, attachedTo: "a permission set" },
        ],
      });
      const templateBody = JSON.stringify({
        Resources: {
          Operators: {
            Type: "AWS::SSO::PermissionSet",
            Properties: { InstanceArn: INSTANCE, Name: "operators", InlinePolicy: JSON.parse(READ_WEBHOOKS) },
          },
        },
      });
      assert.deepEqual(
        iamGrantsOf({ type: "aws:cloudformation/stack:Stack", props: { name: "sso", templateBody } })
          ?.documents,
        [
          {
            label: `CloudFormation resource "Operators" (AWS::SSO::PermissionSet) inline policy`,
            document: JSON.parse(READ_WEBHOOKS),
            holder: "other",
          },
        ],
      );
    });

    it("blocks a permission set's read of /webhooks/, in any stack", async () => {
      const because: Record<string, string> = {
        [THIS_PROJECT]:
          "in a codebuild-webhooks stack only the notifier's role reads them, through its inline policy. Remove this grant.",
        [OTHER_PROJECT]: `only the notifier of a codebuild-webhooks stack reads them. Remove this grant. ${listingHint(OTHER_PROJECT)}`,
      };
      for (const project of [THIS_PROJECT, OTHER_PROJECT]) {
        for (const [type, props, label] of [
          [
            "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",
            { ...ofPermissionSet, inlinePolicy: READ_WEBHOOKS },
            "Policy",
          ],
          [
            "aws-native:sso:PermissionSet",
            { instanceArn: INSTANCE, name: "operators", inlinePolicy: READ_WEBHOOKS },
            "Inline policy",
          ],
        ] as const) {
          assert.deepEqual(
            await resourceViolations({ type, name: "operators", props }, project),
            [
              {
                policy: "notifier-least-privilege",
                message: `${readsWebhooks(label)}: ${because[project]}`,
              },
            ],
            `${type} in ${project}`,
          );
        }
      }
    });

    it("blocks any managed policy on a permission set of a codebuild-webhooks stack, and advises against broad ones elsewhere", async () => {
      const attachment = {
        type: "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment",
        name: "operators-ssm",
        props: { ...ofPermissionSet, managedPolicyArn: READ_ONLY },
      };
      assert.deepEqual(
        (await resourceViolations(attachment, THIS_PROJECT)).map(({ policy, message }) => [
          policy,
          message.split(".")[0],
        ]),
        [["notifier-managed-policies", `Managed policy "${READ_ONLY}" is attached to a permission set`]],
      );
      assert.deepEqual(
        (await resourceViolations(attachment, OTHER_PROJECT)).map(({ policy, message }) => [
          policy,
          message.split(",")[0],
        ]),
        [
          [
            "broad-managed-policies",
            `Managed policy "${READ_ONLY}" grants a permission set ssm:Get* on every resource`,
          ],
        ],
      );
      const customer = {
        type: "aws:ssoadmin/customerManagedPolicyAttachment:CustomerManagedPolicyAttachment",
        name: "operators-readers",
        props: { ...ofPermissionSet, customerManagedPolicyReference: { name: "readers" } },
      };
      assert.deepEqual(
        (await resourceViolations(customer, THIS_PROJECT)).map(({ policy }) => policy),
        ["notifier-managed-policies"],
      );
    });
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
