import * as assert from "node:assert/strict";
import { policies } from "../policy/policies";
import { resourceViolations } from "./support/policyRun";

const PROJECT = "billing-service";

const MANDATORY = new Set(
  policies.filter((policy) => policy.enforcementLevel === "mandatory").map((policy) => policy.name),
);

async function mandatoryViolations(
  type: string,
  props: Record<string, unknown>,
  config: Record<string, object> = {},
): Promise<string[]> {
  const violations = await resourceViolations({ type, name: "subject", props }, PROJECT, config);
  return violations
    .filter((violation) => MANDATORY.has(violation.policy))
    .map((violation) => violation.message);
}

const INTEGRATION = "aws:apigateway/integration:Integration";
/** An API Gateway AWS-service integration calling Parameter Store, the name percent-encoded in its query. */
const SSM_CALL =
  "arn:aws:apigateway:us-east-1:ssm:path//?Action=GetParameter&Name=%2Fwebhooks%2Fjira%2Furl&WithDecryption=true";

function integration(uri: string): Record<string, unknown> {
  return {
    restApi: "abc123",
    resourceId: "r1",
    httpMethod: "GET",
    type: "AWS",
    integrationHttpMethod: "GET",
    uri,
  };
}

// Breaks docs/policy-pack.md, webhooks-access-judged: a parameter name under /webhooks/ counts "where a
// value or a word of text starts ... percent-encoded too (%2Fwebhooks%2F...)".
// policy/webhooksReferences.ts decodes a text with decodeURIComponent, all of it at once, and reads the
// text as it is when that throws: one `%` that is not a valid UTF-8 escape anywhere in the same string (a
// Latin-1 `%E9`, a literal "100%") hides every percent-encoded name in it.
describe("red team: a percent-encoded /webhooks/ name beside one malformed escape", () => {
  it("control: the percent-encoded name alone fails closed", async () => {
    const violations = await mandatoryViolations(INTEGRATION, integration(SSM_CALL));
    assert.ok(violations.length > 0);
  });

  it("fails closed when the same query also holds a Latin-1 escape (%E9)", async () => {
    const violations = await mandatoryViolations(INTEGRATION, integration(`${SSM_CALL}&Note=d%E9ploiement`));
    assert.ok(violations.length > 0, "the integration reading /webhooks/jira/url passed the pack");
  });

  it("fails closed when the text also holds a literal percent sign", async () => {
    const violations = await mandatoryViolations("aws:ecs/taskDefinition:TaskDefinition", {
      family: "reporting",
      containerDefinitions: JSON.stringify([
        {
          name: "app",
          image: "busybox",
          command: [
            "sh",
            "-c",
            'curl "https://ssm-proxy.internal/get?name=%2Fwebhooks%2Fjira%2Furl" # 100% of them',
          ],
        },
      ]),
    });
    assert.ok(violations.length > 0, "the task definition naming /webhooks/jira/url passed the pack");
  });
});

// Breaks the same promise for an SSM document written in YAML (documentFormat: YAML, which Systems
// Manager takes as well as JSON): YAML's double-quoted escapes (\u002f, \x2f) spell "/webhooks/" once the
// document is parsed, as JSON's \u002f would, but the pack parses JSON text only and reads YAML as raw
// text. (docs/policy-pack.md lists "names written other than as above" as unseen; it does handle the
// JSON spelling of the same escape, and an SSM document in YAML is an ordinary resource.)
describe("red team: an SSM document in YAML naming /webhooks/ with YAML escapes", () => {
  it("fails closed for a Run Command document that reads /webhooks/jira/url", async () => {
    const content =
      'schemaVersion: "2.2"\n' +
      "mainSteps:\n" +
      "  - action: aws:runShellScript\n" +
      "    name: report\n" +
      "    inputs:\n" +
      "      runCommand:\n" +
      '        - "aws ssm get-parameter --with-decryption --name \\u002fwebhooks\\u002fjira\\u002furl"\n';
    const violations = await mandatoryViolations("aws:ssm/document:Document", {
      name: "report",
      documentType: "Command",
      documentFormat: "YAML",
      content,
    });
    assert.ok(violations.length > 0, "the YAML document naming /webhooks/jira/url passed the pack");
  });
});

// Breaks docs/policy-pack.md, "A reviewed exception": "An entry without a reason does not count: the
// violation says so". The pack trims the reason with String.prototype.trim, which keeps a zero-width
// space (U+200B, not Unicode White_Space): a reason no reviewer can see excepts the resource.
describe("red team: an exception whose reason is invisible", () => {
  it("does not count, and the KMS key policy naming /webhooks/ is still a violation", async () => {
    const keyPolicy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::210987654321:root" },
          Action: "kms:Decrypt",
          Resource: "*",
          Condition: {
            StringLike: {
              "kms:EncryptionContext:PARAMETER_ARN":
                "arn:aws:ssm:us-east-1:123456789012:parameter/webhooks/*",
            },
          },
        },
      ],
    });
    const config = {
      "webhooks-access-judged": { exceptions: [{ resource: "aws:kms/key:Key::subject", reason: "\u200b" }] },
    };
    const violations = await mandatoryViolations("aws:kms/key:Key", { policy: keyPolicy }, config);
    assert.ok(
      violations.length > 0,
      "an exception whose reason is a single zero-width space excepted a key policy letting another account decrypt /webhooks/",
    );
  });
});
