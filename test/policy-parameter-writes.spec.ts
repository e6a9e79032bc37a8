import * as assert from "node:assert/strict";
import { GrantedDocument } from "../policy/iamGrants";
import { parameterWriteViolations } from "../policy/webhooksParametersReadOnly";
import { resourceViolations } from "./support/policyRun";

const WEBHOOKS_ARN = "arn:aws:ssm:us-east-1:123456789012:parameter/webhooks/*";

function policy(...statements: Record<string, unknown>[]): GrantedDocument {
  return { label: "Policy", document: JSON.stringify({ Statement: statements }), holder: "role" };
}

function allow(action: string | string[], resource: string): Record<string, unknown> {
  return { Effect: "Allow", Action: action, Resource: resource };
}

function writesWebhooks(grant: string): string {
  return (
    `${grant}, which reaches the receiver parameters under /webhooks/: whoever may change them can send a ` +
    `receiver's notices to another URL. Remove these actions, or limit Resource to parameters outside /webhooks/.`
  );
}

describe("policy webhooks-parameters-read-only", () => {
  it("reports each action that changes a parameter, its labels, tags or resource policy", () => {
    const actions = [
      "ssm:PutParameter",
      "ssm:DeleteParameter",
      "ssm:DeleteParameters",
      "ssm:LabelParameterVersion",
      "ssm:UnlabelParameterVersion",
      "ssm:AddTagsToResource",
      "ssm:RemoveTagsFromResource",
      "ssm:PutResourcePolicy",
      "ssm:DeleteResourcePolicy",
    ];
    for (const action of actions) {
      assert.deepEqual(
        parameterWriteViolations([policy(allow(action, WEBHOOKS_ARN))]),
        [writesWebhooks(`Policy statement 1 allows ${action} on "${WEBHOOKS_ARN}"`)],
        action,
      );
    }
  });

  it("reads wildcards, NotAction, NotResource and policy variables as IAM does", () => {
    const document = policy(
      allow("ssm:Put*", "arn:aws:ssm:*:*:parameter/webhooks/staging/jira/url"),
      allow("*", "arn:aws:ssm:*:*:parameter/${aws:username}"),
      { Effect: "Allow", NotAction: "ssm:Get*", Resource: "*" },
      { Effect: "Allow", Action: "ssm:DeleteParameter", NotResource: WEBHOOKS_ARN },
    );
    const all =
      "ssm:PutParameter, ssm:DeleteParameter, ssm:DeleteParameters, ssm:LabelParameterVersion, ssm:UnlabelParameterVersion, ssm:AddTagsToResource, ssm:RemoveTagsFromResource, ssm:PutResourcePolicy, ssm:DeleteResourcePolicy";
    assert.deepEqual(parameterWriteViolations([document]), [
      writesWebhooks(
        `Policy statement 1 allows ssm:PutParameter, ssm:PutResourcePolicy on "arn:aws:ssm:*:*:parameter/webhooks/staging/jira/url"`,
      ),
      writesWebhooks(`Policy statement 2 allows ${all} on "arn:aws:ssm:*:*:parameter/\${aws:username}"`),
      writesWebhooks(`Policy statement 3 allows ${all} on "*"`),
      writesWebhooks(
        `Policy statement 4 allows ssm:DeleteParameter on every resource but ["${WEBHOOKS_ARN}"]`,
      ),
    ]);
  });

  it("leaves reads, Deny, and writes of other parameters alone", () => {
    const document = policy(
      allow(["ssm:GetParameter", "ssm:GetParameters"], WEBHOOKS_ARN),
      { Effect: "Deny", Action: "ssm:PutParameter", Resource: WEBHOOKS_ARN },
      allow("ssm:PutParameter", "arn:aws:ssm:*:*:parameter/billing/*"),
      allow("ssm:PutParameter", "arn:aws:ssm:*:*:parameter/webhooks-relay/*"),
    );
    assert.deepEqual(parameterWriteViolations([document]), []);
  });

  it("blocks the notifier's own write, and any project's, through the served policies", async () => {
    const put = JSON.stringify({ Statement: [allow("ssm:PutParameter", WEBHOOKS_ARN)] });
    for (const project of ["codebuild-webhooks", "billing-service"]) {
      const violations = await resourceViolations(
        { type: "aws:iam/rolePolicy:RolePolicy", name: "notifier", props: { role: "notifier", policy: put } },
        project,
      );
      assert.deepEqual(
        violations.map(({ policy }) => policy),
        ["webhooks-parameters-read-only"],
        project,
      );
    }
  });
});
