import * as assert from "node:assert/strict";
import { GrantedDocument } from "../policy/iamGrants";
import { decryptViolations } from "../policy/notifierDecryptScoped";

const THIS_PROJECT = "codebuild-webhooks";
const WEBHOOKS_ARN = "arn:aws:ssm:us-east-1:123456789012:parameter/webhooks/*";
const VIA_SSM = { "kms:ViaService": "ssm.us-east-1.amazonaws.com" };
const FOR_WEBHOOKS = { "kms:EncryptionContext:PARAMETER_ARN": WEBHOOKS_ARN };
const FIX =
  `so it decrypts more than the receiver parameters. Add Condition: { StringEquals: { "kms:ViaService": ` +
  `"ssm.<region>.amazonaws.com" }, StringLike: { "kms:EncryptionContext:PARAMETER_ARN": ` +
  `"arn:aws:ssm:<region>:<account>:parameter/webhooks/*" } }.`;

function decrypt(condition?: Record<string, unknown>, action: unknown = "kms:Decrypt"): GrantedDocument {
  const statement = { Sid: "Decrypt", Effect: "Allow", Action: action, Resource: "*", Condition: condition };
  return { label: "Policy", document: JSON.stringify({ Statement: [statement] }), holder: "role" };
}

describe("policy notifier-decrypt-scoped", () => {
  it("passes decryption through Parameter Store of the parameters under /webhooks/", () => {
    const documents = [
      decrypt({ StringEquals: VIA_SSM, StringLike: FOR_WEBHOOKS }),
      decrypt({
        StringLike: {
          "KMS:ViaService": ["ssm.*.amazonaws.com"],
          "kms:encryptioncontext:parameter_arn": "arn:aws:ssm:*:*:parameter/webhooks/jira/*",
        },
      }),
      decrypt({
        StringEquals: {
          ...VIA_SSM,
          "kms:EncryptionContext:PARAMETER_ARN": "arn:aws-cn:ssm:cn-north-1:1:parameter/webhooks/a",
        },
      }),
    ];
    assert.deepEqual(decryptViolations(documents, THIS_PROJECT), []);
  });

  it("reports decryption via any service, or of anything Parameter Store holds", () => {
    assert.deepEqual(decryptViolations([decrypt()], THIS_PROJECT), [
      `Policy statement "Decrypt" allows kms:Decrypt without a kms:ViaService condition and without a ` +
        `kms:EncryptionContext:PARAMETER_ARN condition, ${FIX}`,
    ]);
    assert.deepEqual(decryptViolations([decrypt({ StringEquals: VIA_SSM })], THIS_PROJECT), [
      `Policy statement "Decrypt" allows kms:Decrypt without a kms:EncryptionContext:PARAMETER_ARN condition, ${FIX}`,
    ]);
    assert.deepEqual(decryptViolations([decrypt({ StringLike: FOR_WEBHOOKS })], THIS_PROJECT), [
      `Policy statement "Decrypt" allows kms:Decrypt without a kms:ViaService condition, ${FIX}`,
    ]);
  });

  it("reports conditions that let more through: other services, wider ARNs, variables, IfExists", () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        {
          StringEquals: {
            "kms:ViaService": ["ssm.us-east-1.amazonaws.com", "secretsmanager.us-east-1.amazonaws.com"],
          },
          StringLike: FOR_WEBHOOKS,
        },
        `with kms:ViaService ["ssm.us-east-1.amazonaws.com","secretsmanager.us-east-1.amazonaws.com"], which is not Parameter Store only`,
      ],
      [
        {
          StringEquals: VIA_SSM,
          StringLike: { "kms:EncryptionContext:PARAMETER_ARN": "arn:aws:ssm:*:*:parameter/*" },
        },
        `with kms:EncryptionContext:PARAMETER_ARN ["arn:aws:ssm:*:*:parameter/*"], which reaches beyond the parameters under /webhooks/`,
      ],
      [
        {
          StringEquals: VIA_SSM,
          StringLike: {
            "kms:EncryptionContext:PARAMETER_ARN": "arn:aws:ssm:*:*:parameter/${aws:username}/*",
          },
        },
        `with kms:EncryptionContext:PARAMETER_ARN ["arn:aws:ssm:*:*:parameter/\${aws:username}/*"], which reaches beyond the parameters under /webhooks/`,
      ],
      [
        { StringEquals: VIA_SSM, StringLikeIfExists: FOR_WEBHOOKS },
        `without a kms:EncryptionContext:PARAMETER_ARN condition`,
      ],
    ];
    for (const [condition, problem] of cases) {
      assert.deepEqual(
        decryptViolations([decrypt(condition)], THIS_PROJECT),
        [`Policy statement "Decrypt" allows kms:Decrypt ${problem}, ${FIX}`],
        problem,
      );
    }
  });

  it("finds kms:Decrypt in wildcards, and leaves other KMS actions and other projects alone", () => {
    assert.equal(decryptViolations([decrypt(undefined, "kms:*")], THIS_PROJECT).length, 1);
    assert.equal(decryptViolations([decrypt(undefined, "*")], THIS_PROJECT).length, 1);
    assert.deepEqual(
      decryptViolations([decrypt(undefined, ["kms:Encrypt", "kms:GenerateDataKey"])], THIS_PROJECT),
      [],
    );
    assert.deepEqual(decryptViolations([decrypt()], "billing-service"), []);
  });
});
