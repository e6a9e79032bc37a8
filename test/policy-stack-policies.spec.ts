import { UnknownValueError } from "@pulumi/policy";
import * as assert from "node:assert/strict";
import { notifierCodeViolations } from "../policy/notifierCodeOnly";
import { notifierReaderViolations } from "../policy/notifierOnlyReader";
import { stackParameterPathViolations } from "../policy/stackParameterPath";
import { StackViolation } from "../policy/stackResources";
import { ResourceUnderPolicy, stackResources, urnOf } from "./support/policyRun";

const PROJECT = "codebuild-webhooks";
/** How the engine marks a value it cannot know during a preview (an output of a resource not created yet). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const ROLE_ARN = "arn:aws:iam::123456789012:role/notifier-1a2b3c4";
/** The notifier's role, as dependencies name it. */
const NOTIFIER_ROLE = "aws:iam/role:Role::notifier";
const LAMBDA_TRUST = {
  Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "lambda.amazonaws.com" } }],
};

type StackEntry = ResourceUnderPolicy & { dependsOn?: Record<string, string[]> };

function role(props: Record<string, unknown> = {}): StackEntry {
  return {
    type: "aws:iam/role:Role",
    name: "notifier",
    props: {
      name: "notifier-1a2b3c4",
      arn: ROLE_ARN,
      assumeRolePolicy: LAMBDA_TRUST,
      tags: { "codebuild-webhooks:role": "notifier" },
      ...props,
    },
  };
}

function notifier(props: Record<string, unknown> = {}, name = "notifier"): StackEntry {
  return {
    type: "aws:lambda/function:Function",
    name,
    props: { role: ROLE_ARN, ...props },
    dependsOn: { role: [NOTIFIER_ROLE] },
  };
}

function withPath(path: string): Record<string, unknown> {
  return { environment: { variables: { TABLE_NAME: "registry", PARAMETER_PATH: path } } };
}

function rolePolicy(name: string, roleName: string, statements: object[], dependsOn?: string): StackEntry {
  return {
    type: "aws:iam/rolePolicy:RolePolicy",
    name,
    props: { role: roleName, policy: JSON.stringify({ Statement: statements }) },
    ...(dependsOn ? { dependsOn: { role: [dependsOn] } } : {}),
  };
}

function read(resource: string): object {
  return {
    Sid: "Read",
    Effect: "Allow",
    Action: ["ssm:GetParameter", "ssm:GetParameters"],
    Resource: resource,
  };
}

function decrypt(context: string): object {
  return {
    Sid: "Decrypt",
    Effect: "Allow",
    Action: "kms:Decrypt",
    Resource: "*",
    Condition: {
      StringEquals: { "kms:ViaService": "ssm.us-east-1.amazonaws.com" },
      StringLike: { "kms:EncryptionContext:PARAMETER_ARN": context },
    },
  };
}

function parameter(name: string): StackEntry {
  return { type: "aws:ssm/parameter:Parameter", name, props: { name, type: "SecureString" } };
}

function item(name: string, parameters: Record<string, string>): StackEntry {
  const attributes = Object.fromEntries(
    Object.entries(parameters).map(([key, value]) => [key, { S: value }]),
  );
  return {
    type: "aws:dynamodb/tableItem:TableItem",
    name,
    props: {
      hashKey: "project",
      rangeKey: "hook_url_param_name",
      item: JSON.stringify({ project: { S: "my-app" }, ...attributes }),
    },
  };
}

/** Runs a stack check as the analyzer does: violations reported, and whether a value was not known. */
function run(
  check: (resources: ReturnType<typeof stackResources>, report: (violation: StackViolation) => void) => void,
  entries: StackEntry[],
): { violations: StackViolation[]; unknown?: string } {
  const violations: StackViolation[] = [];
  try {
    check(stackResources(entries, PROJECT), (violation) => violations.push(violation));
  } catch (error) {
    if (!(error instanceof UnknownValueError)) throw error;
    return { violations, unknown: (error as Error).message };
  }
  return { violations };
}

describe("policy notifier-only-reader", () => {
  const readWebhooks = read("arn:aws:ssm:us-east-1:123456789012:parameter/webhooks/*");

  it("passes the notifier's role reading the parameters, linked by value or, during a preview, by dependency", () => {
    assert.deepEqual(
      run(notifierReaderViolations, [
        role(),
        notifier(),
        rolePolicy("notifier", "notifier-1a2b3c4", [readWebhooks]),
      ]),
      {
        violations: [],
      },
    );
    const preview = [
      role({ name: UNKNOWN, arn: UNKNOWN }),
      notifier({ role: UNKNOWN }),
      rolePolicy("notifier", UNKNOWN, [readWebhooks], NOTIFIER_ROLE),
    ];
    assert.deepEqual(run(notifierReaderViolations, preview), { violations: [] });
  });

  it("reports another role's read, naming the role", () => {
    const other = {
      type: "aws:iam/role:Role",
      name: "ops",
      props: { name: "ops-9z8y7x6", arn: "arn:aws:iam::123456789012:role/ops-9z8y7x6" },
    };
    const { violations } = run(notifierReaderViolations, [
      role(),
      notifier(),
      other,
      rolePolicy("ops-read", "ops-9z8y7x6", [readWebhooks]),
    ]);
    assert.deepEqual(violations, [
      {
        urn: urnOf({ type: "aws:iam/rolePolicy:RolePolicy", name: "ops-read" }, PROJECT),
        message:
          `Policy statement "Read" allows ssm:GetParameter, ssm:GetParameters on "arn:aws:ssm:us-east-1:123456789012:parameter/webhooks/*" ` +
          `to role "ops", which is not the notifier's role (the stack's role tagged codebuild-webhooks:role=notifier): ` +
          `only the notifier reads the receiver credentials under /webhooks/. Remove this grant.`,
      },
    ]);
  });

  it("reports a function running as a role the stack does not manage, and a read granted to that role", () => {
    const shared = "arn:aws:iam::123456789012:role/shared-lambda";
    const { violations } = run(notifierReaderViolations, [
      { ...notifier({ role: shared }), dependsOn: {} },
      rolePolicy("notifier", "shared-lambda", [readWebhooks]),
    ]);
    assert.deepEqual(violations, [
      {
        urn: urnOf({ type: "aws:lambda/function:Function", name: "notifier" }, PROJECT),
        message:
          `Function "notifier" runs as role "${shared}", which this stack does not manage: the pack cannot check what ` +
          `that role may do or who may assume it. Create the function's role in this stack.`,
      },
      {
        urn: urnOf({ type: "aws:iam/rolePolicy:RolePolicy", name: "notifier" }, PROJECT),
        message:
          `Policy statement "Read" allows ssm:GetParameter, ssm:GetParameters on "arn:aws:ssm:us-east-1:123456789012:parameter/webhooks/*" ` +
          `to role "shared-lambda", which is not the notifier's role (the stack's role tagged ` +
          `codebuild-webhooks:role=notifier): only the notifier reads the receiver credentials under /webhooks/. ` +
          `Remove this grant.`,
      },
    ]);
  });

  it("tells the notifier's role by its tag, not by a function running as it", () => {
    const reporter = {
      type: "aws:iam/role:Role",
      name: "reporter",
      props: {
        name: "reporter-5e6f7a8",
        arn: "arn:aws:iam::123456789012:role/reporter-5e6f7a8",
        assumeRolePolicy: LAMBDA_TRUST,
      },
    };
    const entries = [
      role(),
      notifier(),
      reporter,
      {
        ...notifier({ role: "arn:aws:iam::123456789012:role/reporter-5e6f7a8" }, "reporter"),
        dependsOn: { role: ["aws:iam/role:Role::reporter"] },
      },
      rolePolicy("reporter", "reporter-5e6f7a8", [readWebhooks], "aws:iam/role:Role::reporter"),
    ];
    assert.deepEqual(
      run(notifierReaderViolations, entries).violations.map(({ urn }) => urn),
      [urnOf({ type: "aws:iam/rolePolicy:RolePolicy", name: "reporter" }, PROJECT)],
    );
    // An untagged role is nobody's notifier, whatever runs as it; the tag, on a role of another name, is.
    const untagged = [
      role({ tags: {} }),
      notifier(),
      rolePolicy("notifier", "notifier-1a2b3c4", [readWebhooks]),
    ];
    assert.equal(run(notifierReaderViolations, untagged).violations.length, 1);
    const nativeRole = {
      type: "aws-native:iam:Role",
      name: "notifier",
      props: {
        roleName: "notifier-1a2b3c4",
        arn: ROLE_ARN,
        assumeRolePolicyDocument: LAMBDA_TRUST,
        tags: [{ key: "codebuild-webhooks:role", value: "notifier" }],
      },
    };
    const native = [
      nativeRole,
      { ...notifier(), dependsOn: { role: ["aws-native:iam:Role::notifier"] } },
      rolePolicy("notifier", "notifier-1a2b3c4", [readWebhooks]),
    ];
    assert.deepEqual(run(notifierReaderViolations, native), { violations: [] });
  });

  it("reports a second function on the notifier's role, or on a role the stack does not manage, whichever way it is declared", () => {
    const code = { S3Bucket: "artifacts-123456789012", S3Key: "reporting.zip" };
    const declared: [string, (roleArn: string) => StackEntry][] = [
      [
        'Function "reporting"',
        (roleArn) => ({
          type: "aws-native:lambda:Function",
          name: "reporting",
          props: { role: roleArn, code: { s3Bucket: code.S3Bucket, s3Key: code.S3Key } },
        }),
      ],
      [
        'Cloud Control resource (AWS::Lambda::Function) of "reporting"',
        (roleArn) => ({
          type: "aws:cloudcontrol/resource:Resource",
          name: "reporting",
          props: {
            typeName: "AWS::Lambda::Function",
            desiredState: JSON.stringify({ Role: roleArn, Code: code }),
          },
        }),
      ],
      [
        'CloudFormation resource "Reporting" (AWS::Lambda::Function) of "reporting"',
        (roleArn) => ({
          type: "aws:cloudformation/stack:Stack",
          name: "reporting",
          props: {
            name: "reporting",
            parameters: { RoleArn: roleArn },
            templateBody: JSON.stringify({
              Parameters: { RoleArn: { Type: "String" } },
              Resources: {
                Reporting: {
                  Type: "AWS::Lambda::Function",
                  Properties: { Role: { Ref: "RoleArn" }, Code: code },
                },
              },
            }),
          },
        }),
      ],
    ];
    const foreign = "arn:aws:iam::123456789012:role/AdministratorAccess-reporting";
    for (const [shown, entry] of declared) {
      assert.deepEqual(
        run(notifierReaderViolations, [role(), notifier(), entry(ROLE_ARN)]).violations,
        [
          {
            message:
              `2 functions run as role "notifier", the notifier's: Function "notifier"; ${shown}. Whatever runs ` +
              `as it reads the receiver credentials. Give every function but the notifier a role of its own.`,
          },
        ],
        shown,
      );
      assert.deepEqual(
        run(notifierReaderViolations, [role(), notifier(), entry(foreign)]).violations,
        [
          {
            urn: urnOf({ type: entry(foreign).type, name: "reporting" }, PROJECT),
            message:
              `${shown} runs as role "${foreign}", which this stack does not manage: the pack cannot check what ` +
              `that role may do or who may assume it. Create the function's role in this stack.`,
          },
        ],
        shown,
      );
    }
  });

  it("tells which role a function or a role policy names by its value, whatever it depends on", () => {
    const ci = {
      type: "aws:iam/role:Role",
      name: "ci",
      props: {
        name: "ci-9f8e7d6",
        arn: "arn:aws:iam::123456789012:role/ci-9f8e7d6",
        assumeRolePolicy: LAMBDA_TRUST,
      },
    };
    // A program can make a property depend on any resource (ci.arn.apply(() => <the notifier's ARN>)).
    const second = { ...notifier({}, "reporting"), dependsOn: { role: ["aws:iam/role:Role::ci"] } };
    assert.deepEqual(run(notifierReaderViolations, [role(), notifier(), ci, second]).violations, [
      {
        message:
          `2 functions run as role "notifier", the notifier's: Function "notifier"; Function "reporting". ` +
          `Whatever runs as it reads the receiver credentials. Give every function but the notifier a role of its own.`,
      },
    ]);
    const ciRead = rolePolicy("ci-read", "ci-9f8e7d6", [readWebhooks], NOTIFIER_ROLE);
    assert.deepEqual(
      run(notifierReaderViolations, [role(), notifier(), ci, ciRead]).violations.map(
        ({ message }) => message,
      ),
      [
        `Policy statement "Read" allows ssm:GetParameter, ssm:GetParameters on ` +
          `"arn:aws:ssm:us-east-1:123456789012:parameter/webhooks/*" to role "ci", which is not the notifier's ` +
          `role (the stack's role tagged codebuild-webhooks:role=notifier): only the notifier reads the receiver ` +
          `credentials under /webhooks/. Remove this grant.`,
      ],
    );
  });

  it("reports a notifier's role that others may assume", () => {
    const trust = {
      Statement: [
        {
          Sid: "Ops",
          Effect: "Allow",
          Action: "sts:AssumeRole",
          Principal: { AWS: "arn:aws:iam::123456789012:root" },
        },
      ],
    };
    const { violations } = run(notifierReaderViolations, [
      role({ assumeRolePolicy: JSON.stringify(trust) }),
      notifier(),
    ]);
    assert.deepEqual(violations, [
      {
        urn: urnOf({ type: "aws:iam/role:Role", name: "notifier" }, PROJECT),
        message:
          `Role "notifier", the notifier's, can be assumed by {"AWS":"arn:aws:iam::123456789012:root"} (trust policy ` +
          `statement "Ops"): whoever assumes it reads the receiver credentials. Trust { Service: "lambda.amazonaws.com" } only.`,
      },
    ]);
  });

  it("reports what it knows during a preview, then notes what it could not check", () => {
    const other = { type: "aws:iam/role:Role", name: "ops", props: { name: "ops-9z8y7x6" } };
    const { violations, unknown } = run(notifierReaderViolations, [
      role(),
      notifier(),
      {
        ...rolePolicy("notifier", "notifier-1a2b3c4", []),
        props: { role: "notifier-1a2b3c4", policy: UNKNOWN },
      },
      other,
      rolePolicy("ops-read", "ops-9z8y7x6", [readWebhooks]),
    ]);
    assert.deepEqual(
      violations.map(({ urn }) => urn),
      [urnOf({ type: "aws:iam/rolePolicy:RolePolicy", name: "ops-read" }, PROJECT)],
    );
    assert.equal(unknown, "string value at .policy can't be known during preview");
  });
});

describe("policy notifier-code-only", () => {
  /** Another role of the stack, trusted by the account (a CI or operator role), granting `statements`. */
  const ci = (...statements: object[]): StackEntry => ({
    type: "aws:iam/role:Role",
    name: "ci",
    props: {
      name: "ci-9f8e7d6",
      arn: "arn:aws:iam::123456789012:role/ci-9f8e7d6",
      assumeRolePolicy: {
        Statement: [
          { Effect: "Allow", Action: "sts:AssumeRole", Principal: { AWS: "arn:aws:iam::123456789012:root" } },
        ],
      },
      inlinePolicies: [{ name: "deploy", policy: JSON.stringify({ Statement: statements }) }],
    },
  });
  const allow = (Action: string | string[], Resource: string) => ({ Effect: "Allow", Action, Resource });
  const CI = urnOf({ type: "aws:iam/role:Role", name: "ci" }, PROJECT);

  it("reports passing the notifier's role while the stack may create a function, in one grant or two", () => {
    const passing = (pattern: string, statement: string, power: string, by = statement) =>
      `Inline policy "deploy" statement ${statement} of "ci" allows iam:PassRole on "${pattern}", which covers ` +
      `role "notifier", the notifier's (tagged codebuild-webhooks:role=notifier), and Inline policy "deploy" ` +
      `statement ${by} of "ci" allows ${power}: with both, a function of anyone's making runs as the ` +
      `notifier's role and reads every receiver credential. Limit iam:PassRole in this stack to other roles; ` +
      `the identity deploying the stack passes the notifier's role, outside it.`;
    const cases: [StackEntry, string][] = [
      [
        ci(allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"], "*")),
        passing("*", "1", "lambda:CreateFunction"),
      ],
      [
        ci(allow("cloudformation:*", "*"), allow("iam:Pass*", "arn:aws:iam::123456789012:role/notifier-*")),
        passing(
          "arn:aws:iam::123456789012:role/notifier-*",
          "2",
          "cloudformation:CreateStack, cloudformation:UpdateStack, cloudformation:CreateChangeSet, " +
            "cloudformation:CreateStackSet, cloudformation:UpdateStackSet, cloudformation:CreateStackInstances, " +
            "cloudformation:UpdateStackInstances, cloudformation:CreateResource, cloudformation:UpdateResource",
          "1",
        ),
      ],
    ];
    for (const [entry, message] of cases) {
      assert.deepEqual(run(notifierCodeViolations, [role(), notifier(), entry]).violations, [
        { urn: CI, message },
      ]);
    }
  });

  it("reports a change of the notifier's code or configuration, which runs other code as its role", () => {
    const fn = {
      ...notifier(),
      props: { role: ROLE_ARN, arn: "arn:aws:lambda:us-east-1:123456789012:function:notifier-7c1d2e3" },
    };
    const entry = ci(allow("lambda:Update*", "arn:aws:lambda:us-east-1:123456789012:function:notifier-*"));
    assert.deepEqual(run(notifierCodeViolations, [role(), fn, entry]).violations, [
      {
        urn: CI,
        message:
          `Inline policy "deploy" statement 1 of "ci" allows lambda:UpdateFunctionCode, ` +
          `lambda:UpdateFunctionConfiguration on "arn:aws:lambda:us-east-1:123456789012:function:notifier-*", ` +
          `which covers the notifier (Function "notifier"): whoever may change its code or configuration (a ` +
          `layer, a handler) runs code of their own as the notifier's role, and reads every receiver credential. ` +
          `Remove these actions; the notifier's code changes through pulumi up.`,
      },
    ]);
  });

  it("passes passing other roles, changing other functions, and passing the role where nothing may create a function", () => {
    const fn = {
      ...notifier(),
      props: { role: ROLE_ARN, arn: "arn:aws:lambda:us-east-1:123456789012:function:notifier-7c1d2e3" },
    };
    for (const entry of [
      ci(allow(["iam:PassRole", "lambda:CreateFunction"], "arn:aws:iam::123456789012:role/ci-functions-*")),
      ci(allow("lambda:UpdateFunctionCode", "arn:aws:lambda:us-east-1:123456789012:function:reporting-*")),
      ci(allow("iam:PassRole", ROLE_ARN)),
    ]) {
      assert.deepEqual(run(notifierCodeViolations, [role(), fn, entry]), { violations: [] });
    }
  });

  it("counts, during a preview, a pattern that may cover the notifier's role whose ARN is not known yet", () => {
    const preview = [
      role({ name: UNKNOWN, arn: UNKNOWN }),
      notifier({ role: UNKNOWN }),
      ci(allow(["iam:PassRole", "lambda:CreateFunction"], "arn:aws:iam::123456789012:role/*")),
    ];
    assert.deepEqual(
      run(notifierCodeViolations, preview).violations.map(({ urn }) => urn),
      [CI],
    );
  });
});

describe("policy stack-parameter-path", () => {
  const staging = "/webhooks/staging/";
  const stagingArn = `arn:aws:ssm:us-east-1:123456789012:parameter${staging}*`;

  function narrowedStack(entries: StackEntry[]): StackEntry[] {
    return [role(), notifier(withPath(staging)), ...entries];
  }

  it("passes a stack that keeps to its path", () => {
    const entries = narrowedStack([
      parameter(`${staging}jira/url`),
      rolePolicy("notifier", "notifier-1a2b3c4", [read(stagingArn), decrypt(stagingArn)]),
      item("jira/my-app", {
        hook_url_param_name: `${staging}jira/url`,
        hook_headers_param_name: `${staging}jira/headers`,
      }),
    ]);
    assert.deepEqual(run(stackParameterPathViolations, entries), { violations: [] });
  });

  it("reports parameters, reads, decryption and registrations beyond the path, naming where the path comes from", () => {
    const wide = "arn:aws:ssm:us-east-1:123456789012:parameter/webhooks/*";
    const entries = narrowedStack([
      parameter("/webhooks/prod/jira/url"),
      rolePolicy("notifier", "notifier-1a2b3c4", [read(wide), decrypt(wide)]),
      item("jira/my-app", { hook_url_param_name: "/webhooks/prod/jira/url" }),
    ]);
    const from = `this stack's parameter path "${staging}" (PARAMETER_PATH of function "notifier")`;
    const limit = `"arn:aws:ssm:<region>:<account>:parameter${staging}*"`;
    assert.deepEqual(
      run(stackParameterPathViolations, entries).violations.map(({ message }) => message),
      [
        `Parameter "/webhooks/prod/jira/url" is outside ${from}: this stack's notifier may not read it, another stack's may. ` +
          `Name it "${staging}<receiver>/url".`,
        `Policy statement "Read" allows ssm:GetParameter, ssm:GetParameters on "${wide}", beyond ${from}: the notifier ` +
          `would read other stacks' receiver credentials. Limit Resource to ${limit}.`,
        `Policy statement "Decrypt" allows kms:Decrypt with kms:EncryptionContext:PARAMETER_ARN ["${wide}"], beyond ${from}: ` +
          `the notifier could decrypt other stacks' receiver credentials. Limit it to ${limit}.`,
        `Registry item names parameter "/webhooks/prod/jira/url" (hook_url_param_name) outside ${from}: the notifier may ` +
          `not read it. Name the receiver's parameters under "${staging}".`,
      ],
    );
  });

  it("reports a registry item's body secret parameters beyond the path", () => {
    const registration = item("jira/my-app", { hook_url_param_name: `${staging}jira/url` });
    const attributes = JSON.parse(String(registration.props.item)) as Record<string, unknown>;
    attributes.secret_param_names = {
      M: {
        API_TOKEN: { S: "/webhooks/prod/jira/secrets/API_TOKEN" },
        OWN: { S: `${staging}jira/secrets/OWN` },
      },
    };
    const entries = narrowedStack([
      { ...registration, props: { ...registration.props, item: JSON.stringify(attributes) } },
    ]);
    assert.deepEqual(
      run(stackParameterPathViolations, entries).violations.map(({ message }) => message),
      [
        `Registry item names parameter "/webhooks/prod/jira/secrets/API_TOKEN" (secret_param_names.API_TOKEN) ` +
          `outside this stack's parameter path "${staging}" (PARAMETER_PATH of function "notifier"): the notifier ` +
          `may not read it. Name the receiver's parameters under "${staging}".`,
      ],
    );
  });

  it("holds a stack without PARAMETER_PATH to /webhooks/, leaving what leaves /webhooks/ to the resource policies", () => {
    const entries = [
      role(),
      notifier(),
      parameter("/ci/jira/url"),
      rolePolicy("notifier", "notifier-1a2b3c4", [read("*")]),
      item("jira/my-app", { hook_url_param_name: "/ci/jira/url" }),
    ];
    assert.deepEqual(
      run(stackParameterPathViolations, entries).violations.map(({ message }) => message),
      [
        `Registry item names parameter "/ci/jira/url" (hook_url_param_name) outside this stack's parameter path ` +
          `"/webhooks/" (PARAMETER_PATH of function "notifier"): the notifier may not read it. Name the receiver's ` +
          `parameters under "/webhooks/".`,
      ],
    );
  });

  it("reports a PARAMETER_PATH that is no folder under /webhooks/", () => {
    for (const path of ["/webhooks", "/other/", "/webhooks/*/", "/webhooks/a b/", "webhooks/staging/"]) {
      assert.deepEqual(
        run(stackParameterPathViolations, [role(), notifier(withPath(path)), parameter("/webhooks/jira/url")])
          .violations,
        [
          {
            urn: urnOf({ type: "aws:lambda/function:Function", name: "notifier" }, PROJECT),
            message:
              `Function "notifier" has PARAMETER_PATH "${path}", which is not a parameter path under /webhooks/: it ` +
              `starts with /webhooks/, ends with /, and holds letters, digits and _.- between. Set the stack's ` +
              `parameterPath to such a path.`,
          },
        ],
        path,
      );
    }
  });

  it("reports functions that disagree on the path", () => {
    const { violations } = run(stackParameterPathViolations, [
      role(),
      notifier(withPath(staging)),
      notifier(withPath("/webhooks/prod/"), "second"),
    ]);
    assert.deepEqual(violations, [
      {
        message:
          `The stack's Lambda functions have different PARAMETER_PATHs (/webhooks/staging/, /webhooks/prod/): a stack ` +
          `keeps its receiver parameters under one path. Give every function the stack's parameterPath.`,
      },
    ]);
  });
});
