import * as assert from "node:assert/strict";
import { broadManagedPolicyViolations } from "../policy/broadManagedPolicies";
import { ManagedPolicyAttachment } from "../policy/iamGrants";
import { managedPolicyViolations } from "../policy/notifierManagedPolicies";
import { resourceViolations } from "./support/policyRun";

const THIS_PROJECT = "codebuild-webhooks";
const OTHER_PROJECT = "billing-service";

function attachment(policyArn: string, attachedTo = "a role"): ManagedPolicyAttachment {
  return { policyArn, shown: `Managed policy "${policyArn}"`, attachedTo };
}

function notAllowed(shown: string, attachedTo: string): string {
  return (
    `${shown} is attached to ${attachedTo}. In a codebuild-webhooks stack the notifier's role may carry ` +
    `arn:<partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole at most: the pack cannot see ` +
    `what other managed policies grant (AmazonSSMReadOnlyAccess or ReadOnlyAccess would let the notifier read ` +
    `every parameter). Detach it and grant only what the notifier uses in the role's inline policy.`
  );
}

describe("policy notifier-managed-policies", () => {
  it("passes the basic execution role policy, in every partition", () => {
    for (const partition of ["aws", "aws-cn", "aws-us-gov"]) {
      const arn = `arn:${partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`;
      assert.deepEqual(managedPolicyViolations([attachment(arn)], THIS_PROJECT), [], arn);
    }
  });

  it("reports every other managed policy, whatever its name suggests", () => {
    const arns = [
      "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess",
      "arn:aws:iam::aws:policy/ReadOnlyAccess",
      "arn:aws:iam::aws:policy/AmazonSSMFullAccess",
      "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
      "arn:aws:iam::123456789012:policy/service-role/AWSLambdaBasicExecutionRole",
      "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRoleX",
    ];
    assert.deepEqual(
      managedPolicyViolations(
        arns.map((arn) => attachment(arn)),
        THIS_PROJECT,
      ),
      arns.map((arn) => notAllowed(`Managed policy "${arn}"`, "a role")),
    );
  });

  it("reports managed policies on users and groups of the stack, and customer managed ones it declares", () => {
    const arn = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    const declared = { shown: `Customer managed policy "readers"`, attachedTo: "a group" };
    assert.deepEqual(managedPolicyViolations([attachment(arn, "a user"), declared], THIS_PROJECT), [
      notAllowed(`Managed policy "${arn}"`, "a user"),
      notAllowed(`Customer managed policy "readers"`, "a group"),
    ]);
  });

  it("leaves other projects' attachments to broad-managed-policies", () => {
    const arn = "arn:aws:iam::aws:policy/AdministratorAccess";
    assert.deepEqual(managedPolicyViolations([attachment(arn)], OTHER_PROJECT), []);
  });

  it("blocks AmazonSSMReadOnlyAccess on the notifier's role through each kind of attachment", async () => {
    const arn = "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess";
    for (const [type, props] of [
      ["aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "notifier-1a2b3c4", policyArn: arn }],
      [
        "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
        { roleName: "notifier-1a2b3c4", policyArns: [arn] },
      ],
      ["aws:iam/policyAttachment:PolicyAttachment", { roles: ["notifier-1a2b3c4"], policyArn: arn }],
      ["aws:iam/role:Role", { assumeRolePolicy: "{}", managedPolicyArns: [arn] }],
    ] as const) {
      assert.deepEqual(
        await resourceViolations({ type, name: "notifier", props }, THIS_PROJECT),
        [{ policy: "notifier-managed-policies", message: notAllowed(`Managed policy "${arn}"`, "a role") }],
        type,
      );
    }
  });
});

describe("policy broad-managed-policies", () => {
  it("reports AWS managed policies known to read every parameter, in stacks of other projects", () => {
    assert.deepEqual(
      broadManagedPolicyViolations(
        [
          attachment("arn:aws:iam::aws:policy/ReadOnlyAccess", "a group"),
          attachment("arn:aws-us-gov:iam::aws:policy/AdministratorAccess", "a user"),
          attachment("arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM"),
        ],
        OTHER_PROJECT,
      ),
      [
        `Managed policy "arn:aws:iam::aws:policy/ReadOnlyAccess" grants a group ssm:Get* on every resource, so it ` +
          `can read every SSM parameter, the receiver credentials under /webhooks/ included (decrypted, when they use ` +
          `the AWS managed key alias/aws/ssm). Grant what this principal needs on its own resources instead.`,
        `Managed policy "arn:aws-us-gov:iam::aws:policy/AdministratorAccess" grants a user every action on every ` +
          `resource, so it can read and change every SSM parameter, the receiver credentials under /webhooks/ ` +
          `included (decrypted, when they use the AWS managed key alias/aws/ssm). Grant what this principal needs ` +
          `on its own resources instead.`,
        `Managed policy "arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM" grants a role ssm:GetParameters ` +
          `on every resource, so it can read every SSM parameter, the receiver credentials under /webhooks/ included ` +
          `(decrypted, when they use the AWS managed key alias/aws/ssm). Grant what this principal needs on its own ` +
          `resources instead.`,
      ],
    );
  });

  it("leaves other managed policies, customer managed look-alikes, and codebuild-webhooks stacks alone", () => {
    const others = [
      attachment("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"),
      attachment("arn:aws:iam::123456789012:policy/ReadOnlyAccess"),
      attachment("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"),
    ];
    assert.deepEqual(broadManagedPolicyViolations(others, OTHER_PROJECT), []);
    const broad = attachment("arn:aws:iam::aws:policy/ReadOnlyAccess");
    assert.deepEqual(broadManagedPolicyViolations([broad], THIS_PROJECT), []);
  });

  it("advises, without blocking, on a group of another project given ReadOnlyAccess", async () => {
    const violations = await resourceViolations(
      {
        type: "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
        name: "auditors",
        props: { group: "auditors", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
      },
      OTHER_PROJECT,
    );
    assert.deepEqual(
      violations.map(({ policy }) => policy),
      ["broad-managed-policies"],
    );
  });
});
