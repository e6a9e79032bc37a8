import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as dynamodb from "@pulumi/aws/dynamodb";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import * as iam from "@pulumi/aws/iam";
import * as sqs from "@pulumi/aws/sqs";
import * as pulumi from "@pulumi/pulumi";
import { DELIVERY_KEY_PREFIX } from "../src/notifier/deliveryLedger";
import { STATUS_KEY_PREFIX } from "../src/notifier/projectStatus";
import { REMEMBER_KEY_PREFIX } from "../src/notifier/streakRecords";
import { BUILD_KEY_PREFIX } from "../src/notifier/perBuildRecords";

export interface NotifierRole {
  role: iam.Role;
  /** The role's grants; the function must wait for them. */
  policy: iam.RolePolicy;
}

/**
 * The tag that makes a role the notifier's to the policy pack (policy/stackResources.ts): the one role of
 * the stack that may read the receiver parameters. The pack is published on its own and keeps its own
 * copy; the stack's policy tests check the two agree.
 */
const NOTIFIER_ROLE_TAG = { key: "codebuild-webhooks:role", value: "notifier" };

/**
 * The notifier's role, with an inline policy granting exactly what the handler uses, and no managed
 * policy: a CallbackFunction left to its defaults would attach nine FullAccess ones.
 */
export function notifierRole(resources: {
  registry: dynamodb.Table;
  deadLetters: sqs.Queue;
  logGroup: cloudwatch.LogGroup;
  /** The stack's `parameterPath`: the notifier reads the parameters under it, and no others. */
  parameterPath: string;
}): NotifierRole {
  const partition = getPartitionOutput();
  const region = getRegionOutput();
  const account = getCallerIdentityOutput();
  const { registry, deadLetters, logGroup, parameterPath } = resources;

  const role = new iam.Role("notifier", {
    assumeRolePolicy: iam.assumeRolePolicyForPrincipal({ Service: "lambda.amazonaws.com" }),
    tags: { [NOTIFIER_ROLE_TAG.key]: NOTIFIER_ROLE_TAG.value },
  });

  const parameterArn = pulumi.interpolate`arn:${partition.partition}:ssm:${region.region}:${account.accountId}:parameter${parameterPath}*`;

  const policy = new iam.RolePolicy("notifier", {
    role: role.id,
    policy: pulumi.jsonStringify({
      Version: "2012-10-17",
      Statement: [
        { Sid: "ReadRegistry", Effect: "Allow", Action: ["dynamodb:Query"], Resource: [registry.arn] },
        {
          // Delivery, project status, streak and build message records only, by their key prefixes:
          // registrations stay read-only.
          Sid: "RecordDeliveriesAndStatus",
          Effect: "Allow",
          Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
          Resource: [registry.arn],
          Condition: {
            "ForAllValues:StringLike": {
              "dynamodb:LeadingKeys": [
                `${DELIVERY_KEY_PREFIX}*`,
                `${STATUS_KEY_PREFIX}*`,
                `${REMEMBER_KEY_PREFIX}*`,
                `${BUILD_KEY_PREFIX}*`,
              ],
            },
          },
        },
        {
          Sid: "ReadReceiverParameters",
          Effect: "Allow",
          Action: ["ssm:GetParameter", "ssm:GetParameters"],
          Resource: [parameterArn],
        },
        {
          // Parameter Store decrypts on the notifier's behalf, and only the notifier's own parameters.
          Sid: "DecryptReceiverParametersViaSsm",
          Effect: "Allow",
          Action: ["kms:Decrypt"],
          Resource: ["*"],
          Condition: {
            StringEquals: { "kms:ViaService": pulumi.interpolate`ssm.${region.region}.amazonaws.com` },
            StringLike: { "kms:EncryptionContext:PARAMETER_ARN": parameterArn },
          },
        },
        { Sid: "SendDeadLetters", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [deadLetters.arn] },
        {
          Sid: "WriteLogs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: [pulumi.interpolate`${logGroup.arn}:*`],
        },
      ],
    }),
  });
  return { role, policy };
}
