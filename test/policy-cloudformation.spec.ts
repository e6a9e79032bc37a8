import * as assert from "node:assert/strict";
import { TemplateInputs, readTemplate } from "../policy/cloudFormationTemplate";
import {
  cloudFormationParameterViolations,
  parameterOwnerViolations,
} from "../policy/webhooksParameterSource";
import { listingHint, resourceViolations } from "./support/policyRun";

const THIS_PROJECT = "codebuild-webhooks";
const OTHER_PROJECT = "billing-service";

const NO_INPUTS: TemplateInputs = { parameter: () => undefined, stackName: "ops" };

/** A template declaring one parameter named as given, in JSON. */
function parameterTemplate(name: unknown, parameters: Record<string, unknown> = {}): string {
  return JSON.stringify({
    Parameters: parameters,
    Resources: {
      Url: { Type: "AWS::SSM::Parameter", Properties: { Name: name, Type: "String", Value: "x" } },
    },
  });
}

function namesIn(body: unknown, inputs = NO_INPUTS): unknown[] {
  return readTemplate(body, inputs).resources.map(({ properties }) => properties.Name);
}

function underWebhooks(shown: string, label: string, unevaluated = false): string {
  return (
    `${shown} (${label}) may be named under /webhooks/, where names belong to codebuild-webhooks stacks, and is ` +
    `created through CloudFormation, which stores it in plain text` +
    `${unevaluated ? " (* stands for what the pack cannot evaluate)" : ""}. Choose a name outside /webhooks/, ` +
    `written out or from a template parameter.`
  );
}

describe("CloudFormation templates (policy pack)", () => {
  it("evaluates Ref and Fn::Sub of parameters, as the stack passes them or by default, and Fn::Join", () => {
    const parameters = { Env: { Type: "String", Default: "billing" }, Team: { Type: "String" } };
    assert.deepEqual(namesIn(parameterTemplate({ "Fn::Sub": "/${Env}/${Team}/url" }, parameters)), [
      "/billing/*/url",
    ]);
    const given = { parameter: (name: string) => ({ Env: "webhooks", Team: "ci" })[name], stackName: "ops" };
    assert.deepEqual(namesIn(parameterTemplate({ "Fn::Sub": "/${Env}/${Team}/url" }, parameters), given), [
      "/webhooks/ci/url",
    ]);
    assert.deepEqual(namesIn(parameterTemplate({ Ref: "Env" }, parameters)), ["billing"]);
    assert.deepEqual(
      namesIn(
        parameterTemplate(
          { "Fn::Join": ["/", ["", { Ref: "Env" }, { "Fn::GetAtt": ["Queue", "Arn"] }]] },
          parameters,
        ),
      ),
      ["/billing/*"],
    );
    assert.deepEqual(
      namesIn(
        parameterTemplate({ "Fn::Sub": ["/${Prefix}/${!Literal}", { Prefix: { Ref: "Env" } }] }, parameters),
      ),
      ["/billing/${Literal}"],
    );
  });

  it("reads what it cannot evaluate as anything: resources, functions other than Fn::If, SSM-typed parameters", () => {
    const parameters = {
      FromStore: { Type: "AWS::SSM::Parameter::Value<String>", Default: "/config/prefix" },
    };
    assert.deepEqual(namesIn(parameterTemplate({ Ref: "FromStore" }, parameters)), ["*"]);
    assert.deepEqual(namesIn(parameterTemplate({ Ref: "Queue" })), ["*"]);
    assert.deepEqual(namesIn(parameterTemplate({ "Fn::Sub": "/${Queue.Arn}/x" })), ["/*/x"]);
  });

  it("reads a resource once for each way its Fn::If conditions can go, leaving AWS::NoValue out", () => {
    assert.deepEqual(namesIn(parameterTemplate({ "Fn::If": ["Prod", "/a", "/b"] })), ["/a", "/b"]);
    const noValue = { Ref: "AWS::NoValue" };
    const template = {
      Resources: {
        Url: {
          Type: "AWS::SSM::Parameter",
          Properties: {
            Name: { "Fn::If": ["A", "/a", { "Fn::If": ["B", "/b", "/c"] }] },
            Value: { "Fn::Join": [",", ["x", { "Fn::If": ["B", "y", noValue] }]] },
            Tags: { "Fn::If": ["A", { Team: "ci" }, noValue] },
            AllowedPattern: noValue,
          },
        },
      },
    };
    // A and B true, A true and B false, A false and B true, both false: each reading once.
    assert.deepEqual(
      readTemplate(template, NO_INPUTS).resources.map(({ properties }) => properties),
      [
        { Name: "/a", Value: "x,y", Tags: { Team: "ci" } },
        { Name: "/a", Value: "x", Tags: { Team: "ci" } },
        { Name: "/b", Value: "x,y" },
        { Name: "/c", Value: "x" },
      ],
    );
    const yaml = [
      "Resources:",
      "  Url:",
      "    Type: AWS::SSM::Parameter",
      "    Properties: { Name: !If [Prod, /webhooks/jira/url, /ci/url], Type: String, Value: x }",
    ].join("\n");
    assert.deepEqual(namesIn(yaml), ["/webhooks/jira/url", "/ci/url"]);
  });

  it("says it cannot read a resource whose Fn::If choose on more than 6 conditions", () => {
    const name = { "Fn::Join": ["/", ["", ..."ABCDEFG".split("").map((c) => ({ "Fn::If": [c, c, "x"] }))]] };
    assert.deepEqual(readTemplate(parameterTemplate(name), NO_INPUTS), {
      resources: [],
      unreadable: [
        `resource "Url", whose Fn::If choose on 7 conditions (A, B, C, D, E, F, G): the pack reads a resource ` +
          `each way its conditions can go, for 6 conditions at most`,
      ],
    });
  });

  it("keeps pseudo parameters that never spell a path as they are, and takes the stack's name", () => {
    assert.deepEqual(
      namesIn(
        parameterTemplate({
          "Fn::Sub": "/${AWS::Region}/${AWS::AccountId}/${AWS::StackName}/${AWS::StackId}",
        }),
      ),
      ["/${AWS::Region}/${AWS::AccountId}/ops/*"],
    );
  });

  it("reads YAML with CloudFormation's short forms", () => {
    const body = [
      "Parameters:",
      "  Env: { Type: String, Default: webhooks }",
      "Resources:",
      "  Url:",
      "    Type: AWS::SSM::Parameter",
      "    Properties:",
      '      Name: !Sub "/${Env}/jira/url"',
      "      Type: String",
      "      Value: !Join ['', [!Ref Env, !GetAtt Queue.Arn]]",
      "  Other:",
      "    Type: AWS::SSM::Parameter",
      "    Properties: { Name: !Ref AWS::Region, Type: String, Value: x }",
    ].join("\n");
    assert.deepEqual(readTemplate(body, NO_INPUTS), {
      resources: [
        {
          logicalId: "Url",
          type: "AWS::SSM::Parameter",
          properties: { Name: "/webhooks/jira/url", Type: "String", Value: "webhooks*" },
          // What the pack does not evaluate is kept, as text, where it stands.
          candidateText: [{ at: 'Properties.Value["Fn::Join"][1][1]["Fn::GetAtt"]', value: "Queue.Arn" }],
        },
        {
          logicalId: "Other",
          type: "AWS::SSM::Parameter",
          properties: { Name: "${AWS::Region}", Type: "String", Value: "x" },
          candidateText: [],
        },
      ],
      unreadable: [],
    });
  });

  it("says what it cannot read: transforms, macros, text that is neither JSON nor YAML", () => {
    assert.deepEqual(
      readTemplate({ Transform: "AWS::Serverless-2016-10-31", Resources: {} }, NO_INPUTS).unreadable,
      [
        `Transform "AWS::Serverless-2016-10-31" (a transform rewrites the template before CloudFormation creates anything)`,
      ],
    );
    const included = {
      Resources: { "Fn::Transform": { Name: "AWS::Include", Parameters: { Location: "s3://b/k" } } },
    };
    assert.deepEqual(readTemplate(included, NO_INPUTS).unreadable, [
      "Fn::Transform (a macro, AWS::Include among them, inserts content the template does not show)",
    ]);
    assert.deepEqual(readTemplate("Resources: [unclosed", NO_INPUTS).unreadable, [
      "a template that is neither JSON nor YAML",
    ]);
  });
});

describe("grants behind Fn::If (policy pack)", () => {
  const read = {
    Effect: "Allow",
    Action: "ssm:GetParameter",
    Resource: "arn:aws:ssm:*:*:parameter/webhooks/*",
  };
  const noValue = { Ref: "AWS::NoValue" };

  /** A stack of another project whose template has a role with the given Policies, under an always-true condition. */
  function roleStack(policies: unknown, properties: Record<string, unknown> = {}) {
    const templateBody = JSON.stringify({
      Conditions: { Always: { "Fn::Equals": ["on", "on"] } },
      Resources: {
        Reader: {
          Type: "AWS::IAM::Role",
          Properties: { AssumeRolePolicyDocument: { Statement: [] }, Policies: policies, ...properties },
        },
      },
    });
    return { type: "aws:cloudformation/stack:Stack", name: "ops", props: { name: "ops", templateBody } };
  }

  it("finds a grant whatever Fn::If chooses: around a statement, an Effect or a Policies list", async () => {
    const inline = (statements: unknown[]) => [
      { PolicyName: "read", PolicyDocument: { Statement: statements } },
    ];
    for (const [where, policies, properties] of [
      ["a statement", inline([{ "Fn::If": ["Always", read, noValue] }]), {}],
      ["an Effect", inline([{ ...read, Effect: { "Fn::If": ["Always", "Allow", "Deny"] } }]), {}],
      ["a Policies list", { "Fn::If": ["Always", inline([read]), noValue] }, {}],
      // Read twice, once each way Always goes: the grant, in both readings, is reported once.
      ["the role's path", inline([read]), { Path: { "Fn::If": ["Always", "/ops/", "/"] } }],
    ] as const) {
      assert.deepEqual(
        await resourceViolations(roleStack(policies, properties), OTHER_PROJECT),
        [
          {
            policy: "notifier-least-privilege",
            message:
              `CloudFormation resource "Reader" (AWS::IAM::Role) inline policy "read" statement 1 allows ` +
              `ssm:GetParameter on "arn:aws:ssm:*:*:parameter/webhooks/*", which reaches the receiver credentials ` +
              `under /webhooks/: only the notifier of a codebuild-webhooks stack reads them. Remove this grant. ` +
              listingHint(OTHER_PROJECT),
          },
        ],
        where,
      );
    }
  });
});

describe("policy webhooks-parameter-source", () => {
  it("reports a parameter under /webhooks/ made by a stack of another project, however it is typed", () => {
    assert.deepEqual(parameterOwnerViolations({ name: "/webhooks/jira/url" }, OTHER_PROJECT), [
      `Parameter "/webhooks/jira/url" is created by a stack of project "${OTHER_PROJECT}", but names under ` +
        `/webhooks/ belong to codebuild-webhooks stacks: this one could take a receiver's name or replace its URL. ` +
        `Choose a name outside /webhooks/. ${listingHint(OTHER_PROJECT)}`,
    ]);
    assert.deepEqual(parameterOwnerViolations({ name: "/webhooks/jira/url" }, THIS_PROJECT), []);
    assert.deepEqual(parameterOwnerViolations({ name: "/billing/db" }, OTHER_PROJECT), []);
  });

  it("reports every parameter CloudFormation would create in a codebuild-webhooks stack", () => {
    const parameters = [
      { label: "aws-native:ssm:Parameter", name: "/webhooks/jira/url" },
      { label: "aws-native:ssm:Parameter" },
    ];
    assert.deepEqual(cloudFormationParameterViolations(parameters, THIS_PROJECT), [
      `Parameter "/webhooks/jira/url" (aws-native:ssm:Parameter) is created through CloudFormation, which creates ` +
        `String and StringList parameters only: a receiver's secret would be stored in plain text. Create receiver ` +
        `parameters as aws.ssm.Parameter with type: "SecureString".`,
      `An auto-named parameter (aws-native:ssm:Parameter) is created through CloudFormation, which ` +
        `creates String and StringList parameters only: a receiver's secret would be stored in plain text. Create ` +
        `receiver parameters as aws.ssm.Parameter with type: "SecureString".`,
    ]);
  });

  it("reports, in other stacks, those that may be named under /webhooks/", () => {
    const label = `CloudFormation resource "Url" (AWS::SSM::Parameter)`;
    const parameters = [
      { label, name: "/webhooks/jira/url" },
      { label, name: "/*/url" },
      { label, name: "/billing/url" },
      { label, name: "/${AWS::Region}/url" },
      { label },
    ];
    assert.deepEqual(cloudFormationParameterViolations(parameters, OTHER_PROJECT), [
      underWebhooks(`Parameter "/webhooks/jira/url"`, label),
      underWebhooks(`Parameter "/*/url"`, label, true),
    ]);
  });

  it("finds parameters in every kind of resource that has CloudFormation create them", async () => {
    const template = parameterTemplate({ "Fn::Sub": "/${Env}/jira/url" }, { Env: { Type: "String" } });
    const nestedSet = JSON.stringify({
      Resources: {
        Set: {
          Type: "AWS::CloudFormation::StackSet",
          Properties: {
            StackSetName: "s",
            TemplateBody: template,
            Parameters: [{ ParameterKey: "Env", ParameterValue: "webhooks" }],
          },
        },
      },
    });
    const cases: [string, Record<string, unknown>, string][] = [
      [
        "aws:cloudformation/stack:Stack",
        { name: "s", templateBody: template, parameters: { Env: "webhooks" } },
        `CloudFormation resource "Url" (AWS::SSM::Parameter)`,
      ],
      [
        "aws:cloudformation/stackSet:StackSet",
        { name: "s", templateBody: template, parameters: { Env: "webhooks" } },
        `CloudFormation resource "Url" (AWS::SSM::Parameter)`,
      ],
      [
        "aws-native:cloudformation:Stack",
        { stackName: "s", templateBody: JSON.parse(template), parameters: { Env: "webhooks" } },
        `CloudFormation resource "Url" (AWS::SSM::Parameter)`,
      ],
      [
        "aws-native:cloudformation:StackSet",
        {
          stackSetName: "s",
          templateBody: template,
          parameters: [{ parameterKey: "Env", parameterValue: "webhooks" }],
        },
        `CloudFormation resource "Url" (AWS::SSM::Parameter)`,
      ],
      [
        "aws:cloudformation/stack:Stack",
        { name: "s", templateBody: nestedSet },
        `CloudFormation resource "Set" (AWS::CloudFormation::StackSet) > CloudFormation resource "Url" (AWS::SSM::Parameter)`,
      ],
      [
        "aws:cloudcontrol/resource:Resource",
        {
          typeName: "AWS::SSM::Parameter",
          desiredState: JSON.stringify({ Name: "/webhooks/jira/url", Type: "String", Value: "x" }),
        },
        "Cloud Control resource (AWS::SSM::Parameter)",
      ],
      [
        "aws-native:ssm:Parameter",
        { name: "/webhooks/jira/url", type: "String", value: "x" },
        "aws-native:ssm:Parameter",
      ],
    ];
    for (const [type, props, label] of cases) {
      assert.deepEqual(
        await resourceViolations({ type, name: "ops", props }, OTHER_PROJECT),
        [
          {
            policy: "webhooks-parameter-source",
            message: underWebhooks(`Parameter "/webhooks/jira/url"`, label),
          },
        ],
        `${type}: ${label}`,
      );
    }
  });

  it("passes other stacks' templates that keep out of /webhooks/", async () => {
    const template = parameterTemplate({ "Fn::Sub": "/${AWS::StackName}/db/host" });
    assert.deepEqual(
      await resourceViolations(
        {
          type: "aws:cloudformation/stack:Stack",
          name: "db",
          props: { name: "billing-db", templateBody: template },
        },
        OTHER_PROJECT,
      ),
      [],
    );
  });
});

describe("policy cloudformation-readable", () => {
  const fix =
    "so it cannot tell whether that creates parameters under /webhooks/ or grants on them. Pass the template " +
    "itself as templateBody, with transforms and nested stacks expanded, or create those resources with Pulumi.";

  it("refuses, in any stack, what CloudFormation would create from content the pack cannot read", async () => {
    const nested = JSON.stringify({
      Resources: {
        Child: {
          Type: "AWS::CloudFormation::Stack",
          Properties: { TemplateURL: "https://s3.amazonaws.com/b/child.yaml" },
        },
      },
    });
    const cases: [string, Record<string, unknown>, string][] = [
      [
        "aws:cloudformation/stack:Stack",
        { name: "s", templateUrl: "https://s3.amazonaws.com/b/t.yaml" },
        `the template at "https://s3.amazonaws.com/b/t.yaml" (the pack reads templates passed as templateBody only)`,
      ],
      [
        "aws:cloudformation/stack:Stack",
        { name: "s", templateBody: nested },
        `CloudFormation resource "Child" (AWS::CloudFormation::Stack): the template at "https://s3.amazonaws.com/b/child.yaml" (the pack reads templates passed as templateBody only)`,
      ],
      [
        "aws:cloudformation/stackSet:StackSet",
        { name: "s", templateBody: "Transform: AWS::Serverless-2016-10-31\nResources: {}" },
        `Transform "AWS::Serverless-2016-10-31" (a transform rewrites the template before CloudFormation creates anything)`,
      ],
      [
        "aws:servicecatalog/provisionedProduct:ProvisionedProduct",
        { name: "p", productId: "prod-1" },
        "a Service Catalog product (its template lives in Service Catalog)",
      ],
      [
        "aws:serverlessrepository/cloudFormationStack:CloudFormationStack",
        {
          name: "reader",
          applicationId: "arn:aws:serverlessrepo:us-east-1:123456789012:applications/parameter-reader",
          capabilities: ["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"],
          parameters: { ParameterPath: "/webhooks/" },
        },
        `the template of Serverless Application Repository application ` +
          `"arn:aws:serverlessrepo:us-east-1:123456789012:applications/parameter-reader" (it lives in the ` +
          `repository), deployed with CAPABILITY_IAM, CAPABILITY_RESOURCE_POLICY: it may create IAM roles and policies`,
      ],
      [
        "aws:serverlessrepository/cloudFormationStack:CloudFormationStack",
        { name: "reader", applicationId: "arn:aws:serverlessrepo:us-east-1:123456789012:applications/x" },
        `the template of Serverless Application Repository application ` +
          `"arn:aws:serverlessrepo:us-east-1:123456789012:applications/x" (it lives in the repository)`,
      ],
    ];
    for (const project of [THIS_PROJECT, OTHER_PROJECT]) {
      for (const [type, props, what] of cases) {
        assert.deepEqual(
          await resourceViolations({ type, name: "ops", props }, project),
          [{ policy: "cloudformation-readable", message: `The pack cannot read ${what}, ${fix}` }],
          `${type} in ${project}`,
        );
      }
    }
  });

  it("passes a template given in full", async () => {
    const props = {
      name: "s",
      templateBody: JSON.stringify({ Resources: { Topic: { Type: "AWS::SNS::Topic" } } }),
    };
    assert.deepEqual(
      await resourceViolations({ type: "aws:cloudformation/stack:Stack", name: "ops", props }, OTHER_PROJECT),
      [],
    );
  });
});
