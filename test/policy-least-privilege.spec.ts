import * as assert from "node:assert/strict";
import { GrantedDocument } from "../policy/iamGrants";
import { parameterReadViolations } from "../policy/notifierLeastPrivilege";
import { listingHint } from "./support/policyRun";

const THIS_PROJECT = "codebuild-webhooks";
const OTHER_PROJECT = "billing-service";
const WEBHOOKS_ARN = "arn:aws:ssm:us-east-1:123456789012:parameter/webhooks/*";
const ALL_READS = "ssm:GetParameter, ssm:GetParameters, ssm:GetParametersByPath, ssm:GetParameterHistory";

/** A role's inline policy document as the program passes it: a JSON string. */
function policy(...statements: Record<string, unknown>[]): GrantedDocument {
  return {
    label: "Policy",
    document: JSON.stringify({ Version: "2012-10-17", Statement: statements }),
    holder: "role",
  };
}

/** The same document held by a user, a group, or a managed policy. */
function notRoles(document: GrantedDocument): GrantedDocument {
  return { ...document, holder: "other" };
}

function allow(action: string | string[], resource: string | string[]): Record<string, unknown> {
  return { Effect: "Allow", Action: action, Resource: resource };
}

function beyondWebhooks(grant: string): string {
  return (
    `${grant}, which reaches parameters outside /webhooks/. ` +
    `Limit Resource to "arn:aws:ssm:<region>:<account>:parameter/webhooks/*".`
  );
}

function sweepsWebhooks(grant: string): string {
  return `${grant}, which also reaches the receiver credentials under /webhooks/. Name this stack's own parameters instead of a wildcard.`;
}

describe("policy notifier-least-privilege", () => {
  describe("ssm:GetParameter* grants in a codebuild-webhooks stack", () => {
    it("passes the notifier's policy: parameter reads on /webhooks/ only, next to its other grants", () => {
      const notifierPolicy = policy(
        {
          Sid: "ReadRegistry",
          Effect: "Allow",
          Action: "dynamodb:Query",
          Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/registry",
        },
        {
          Sid: "ReadReceiverParameters",
          Effect: "Allow",
          Action: ["ssm:GetParameter", "ssm:GetParameters"],
          Resource: WEBHOOKS_ARN,
        },
        { Sid: "Decrypt", Effect: "Allow", Action: "kms:Decrypt", Resource: "*" },
      );
      assert.deepEqual(parameterReadViolations([notifierPolicy], THIS_PROJECT), []);
    });

    it("passes narrower or region- and account-independent /webhooks/ grants, and document objects", () => {
      const documents = [
        policy(allow("ssm:GetParameter", "arn:aws:ssm:*:*:parameter/webhooks/*")),
        policy(allow("ssm:GetParameters", "arn:aws:ssm:us-east-1:123456789012:parameter/webhooks/jira/url")),
        {
          label: "Policy",
          document: { Version: "2012-10-17", Statement: [allow("ssm:*", WEBHOOKS_ARN)] },
          holder: "role" as const,
        },
      ];
      assert.deepEqual(parameterReadViolations(documents, THIS_PROJECT), []);
    });

    it("reports every wildcard resource that reaches past /webhooks/", () => {
      const resources = [
        "*",
        "arn:aws:ssm:*:*:*",
        "arn:aws:ssm:us-east-1:123456789012:parameter/*",
        "arn:aws:ssm:us-east-1:123456789012:parameter/webhook*",
        "arn:aws:ssm:us-east-1:123456789012:parameter/webhooks*",
        "arn:aws:ssm:us-east-1:123456789012:parameter/webhooks?jira",
      ];
      for (const resource of resources) {
        assert.deepEqual(
          parameterReadViolations([policy(allow("ssm:GetParameter", resource))], THIS_PROJECT),
          [beyondWebhooks(`Policy statement 1 allows ssm:GetParameter on "${resource}"`)],
          resource,
        );
      }
    });

    it("reports a grant of a named parameter outside /webhooks/", () => {
      const resource = "arn:aws:ssm:us-east-1:123456789012:parameter/ci/token";
      assert.deepEqual(
        parameterReadViolations([policy(allow("ssm:GetParameters", resource))], THIS_PROJECT),
        [beyondWebhooks(`Policy statement 1 allows ssm:GetParameters on "${resource}"`)],
      );
    });

    it("reads wildcard and differently cased actions as IAM does", () => {
      const cases: [string, string][] = [
        ["*", ALL_READS],
        ["ssm:*", ALL_READS],
        ["ssm:Get*", ALL_READS],
        ["ssm:GetParameter*", ALL_READS],
        ["SSM:getparameters", "ssm:GetParameters"],
        ["ssm:GetParameter?", "ssm:GetParameters"],
      ];
      for (const [action, reads] of cases) {
        assert.deepEqual(
          parameterReadViolations([policy(allow(action, "*"))], THIS_PROJECT),
          [beyondWebhooks(`Policy statement 1 allows ${reads} on "*"`)],
          action,
        );
      }
    });

    it("counts what NotAction leaves allowed", () => {
      const notAction = {
        Effect: "Allow",
        NotAction: ["ssm:GetParameters", "ssm:GetParametersByPath"],
        Resource: "*",
      };
      assert.deepEqual(parameterReadViolations([policy(notAction)], THIS_PROJECT), [
        beyondWebhooks(`Policy statement 1 allows ssm:GetParameter, ssm:GetParameterHistory on "*"`),
      ]);
      const excludesReads = { Effect: "Allow", NotAction: "ssm:GetParameter*", Resource: "*" };
      assert.deepEqual(parameterReadViolations([policy(excludesReads)], THIS_PROJECT), []);
    });

    it("reports NotResource, which grants everything but a list", () => {
      const statement = {
        Sid: "AllButWebhooks",
        Effect: "Allow",
        Action: "ssm:GetParameter",
        NotResource: WEBHOOKS_ARN,
      };
      assert.deepEqual(parameterReadViolations([policy(statement)], THIS_PROJECT), [
        beyondWebhooks(
          `Policy statement "AllButWebhooks" allows ssm:GetParameter on every resource but ["${WEBHOOKS_ARN}"]`,
        ),
      ]);
    });

    it("names the statement by Sid or position and the inline policy by name", () => {
      const inline: GrantedDocument = {
        label: `Inline policy "notifier"`,
        holder: "role",
        document: JSON.stringify({
          Statement: [allow("logs:PutLogEvents", "*"), allow("ssm:GetParameter", "*")],
        }),
      };
      assert.deepEqual(parameterReadViolations([inline], THIS_PROJECT), [
        beyondWebhooks(`Inline policy "notifier" statement 2 allows ssm:GetParameter on "*"`),
      ]);
    });

    it("reports each reaching resource of a statement, and several statements", () => {
      const document = policy(
        allow("ssm:GetParameter", [WEBHOOKS_ARN, "arn:aws:ssm:us-east-1:123456789012:parameter/*"]),
        { Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" },
      );
      assert.deepEqual(parameterReadViolations([document], THIS_PROJECT), [
        beyondWebhooks(
          `Policy statement 1 allows ssm:GetParameter on "arn:aws:ssm:us-east-1:123456789012:parameter/*"`,
        ),
        beyondWebhooks(`Policy statement "Everything" allows ${ALL_READS} on "*"`),
      ]);
    });

    it("ignores what grants no parameter read: Deny, other services' ARNs, other SSM resources", () => {
      const document = policy(
        { Effect: "Deny", Action: "ssm:*", Resource: "*" },
        allow("ssm:GetParameter", "arn:aws:s3:::webhooks/*"),
        allow("ssm:*", "arn:aws:ssm:us-east-1:123456789012:document/*"),
        allow("ssm:PutParameter", "*"),
      );
      assert.deepEqual(parameterReadViolations([document], THIS_PROJECT), []);
    });

    it("skips a document that is not valid JSON or has no statements (AWS rejects it)", () => {
      assert.deepEqual(
        parameterReadViolations([{ label: "Policy", document: "{not json", holder: "other" }], THIS_PROJECT),
        [],
      );
      assert.deepEqual(
        parameterReadViolations([{ label: "Policy", document: undefined, holder: "other" }], THIS_PROJECT),
        [],
      );
    });
  });

  describe("reads of /webhooks/ by users, groups and managed policies in a codebuild-webhooks stack", () => {
    it("reports them, however narrow: only the notifier's role reads the receiver credentials", () => {
      const documents = [
        notRoles(policy(allow("ssm:GetParameter", WEBHOOKS_ARN))),
        notRoles(
          policy(
            allow("ssm:GetParameters", "arn:aws:ssm:us-east-1:123456789012:parameter/webhooks/jira/url"),
          ),
        ),
        notRoles(policy(allow("ssm:GetParameter", "*"))),
      ];
      assert.deepEqual(
        parameterReadViolations(documents, THIS_PROJECT),
        [
          `ssm:GetParameter on "${WEBHOOKS_ARN}"`,
          `ssm:GetParameters on "arn:aws:ssm:us-east-1:123456789012:parameter/webhooks/jira/url"`,
          `ssm:GetParameter on "*"`,
        ].map(
          (grant) =>
            `Policy statement 1 allows ${grant}, which reaches the receiver credentials under /webhooks/: in a ` +
            `codebuild-webhooks stack only the notifier's role reads them, through its inline policy. Remove this grant.`,
        ),
      );
    });

    it("still reports their reads of other parameters", () => {
      const resource = "arn:aws:ssm:us-east-1:123456789012:parameter/ci/token";
      assert.deepEqual(
        parameterReadViolations([notRoles(policy(allow("ssm:GetParameter", resource)))], THIS_PROJECT),
        [beyondWebhooks(`Policy statement 1 allows ssm:GetParameter on "${resource}"`)],
      );
    });
  });

  describe("policy variables in Resource", () => {
    it("read as wildcards that can stand for anything, slashes included", () => {
      for (const resource of [
        "arn:aws:ssm:*:*:parameter/${aws:username}/*",
        "arn:aws:ssm:*:*:parameter/${aws:PrincipalTag/team}",
        "arn:aws:ssm:${aws:RequestedRegion}:*:parameter/${aws:PrincipalTag/team, 'x'}/*",
      ]) {
        assert.deepEqual(
          parameterReadViolations([policy(allow("ssm:GetParameter", resource))], THIS_PROJECT),
          [beyondWebhooks(`Policy statement 1 allows ssm:GetParameter on "${resource}"`)],
          resource,
        );
        assert.deepEqual(
          parameterReadViolations([policy(allow("ssm:GetParameter", resource))], OTHER_PROJECT),
          [sweepsWebhooks(`Policy statement 1 allows ssm:GetParameter on "${resource}"`)],
          resource,
        );
      }
    });

    it("stay inside /webhooks/ when they come after it", () => {
      const resource =
        "arn:aws:ssm:${aws:RequestedRegion}:*:parameter/webhooks/${aws:PrincipalTag/receiver}/*";
      assert.deepEqual(
        parameterReadViolations([policy(allow("ssm:GetParameter", resource))], THIS_PROJECT),
        [],
      );
    });
  });

  describe("ssm:GetParameter* grants in a stack of another project", () => {
    it("leaves grants of the stack's own parameters alone", () => {
      const documents = [
        policy(allow("ssm:GetParameter", "arn:aws:ssm:us-east-1:123456789012:parameter/billing/*")),
        notRoles(policy(allow("ssm:GetParameters", "arn:aws:ssm:*:*:parameter/webhooks-relay/token"))),
      ];
      assert.deepEqual(parameterReadViolations(documents, OTHER_PROJECT), []);
    });

    it("reports a grant of exactly /webhooks/, to a role, a user or a group alike", () => {
      for (const document of [
        policy(allow("ssm:GetParameters", WEBHOOKS_ARN)),
        notRoles(policy(allow("ssm:GetParameters", WEBHOOKS_ARN))),
      ]) {
        assert.deepEqual(parameterReadViolations([document], OTHER_PROJECT), [
          `Policy statement 1 allows ssm:GetParameters on "${WEBHOOKS_ARN}", which reaches the receiver ` +
            `credentials under /webhooks/: only the notifier of a codebuild-webhooks stack reads them. Remove this grant. ` +
            listingHint(OTHER_PROJECT),
        ]);
      }
    });

    it("reports a wildcard that sweeps /webhooks/ in with the stack's parameters", () => {
      for (const resource of [
        "*",
        "arn:aws:ssm:us-east-1:123456789012:parameter/*",
        "arn:aws:ssm:*:*:parameter/web*",
      ]) {
        assert.deepEqual(
          parameterReadViolations([policy(allow("ssm:Get*", resource))], OTHER_PROJECT),
          [sweepsWebhooks(`Policy statement 1 allows ${ALL_READS} on "${resource}"`)],
          resource,
        );
      }
    });
  });
});
