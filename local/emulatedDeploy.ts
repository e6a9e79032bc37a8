import { CreateTableCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type * as pulumi from "@pulumi/pulumi";
import { notifierSettingsOf, type NotifierSettings } from "./notifierArchive";
import type { ParameterStore } from "./parameterStore";
import {
  runProgramUnderMocks,
  type MockedResource,
  type ProgramRun,
  type ProgramRunOptions,
} from "./programUnderMocks";
import { loopbackClient } from "./loopbackClient";

export interface EmulatedDeployment extends ProgramRun {
  /** The notifier's code archive, exactly as the program built it for upload. */
  notifierCode: pulumi.asset.AssetArchive;
  /** The notifier's environment variables. */
  notifierEnvironment: Record<string, string>;
  notifierSettings: NotifierSettings;
}

/** The local DynamoDB and parameter store a deployment creates its resources on. */
export interface StandIns {
  dynamodb: string;
  parameterStore: ParameterStore;
}

interface TableInputs {
  attributes: { name: string; type: string }[];
  hashKey: string;
  rangeKey?: string;
}

/**
 * An emulated `pulumi up`: runs index.ts under mocks and creates what it declares on local stand-ins —
 * the registry table in the local DynamoDB, the `/webhooks/` parameters in the local parameter store,
 * the registry items in the table — and hands back the notifier's code and environment.
 */
export async function emulatedDeploy(
  endpoints: StandIns,
  options: Omit<ProgramRunOptions, "materialize">,
): Promise<EmulatedDeployment> {
  const dynamodb = localDynamoDb(endpoints);
  let notifierCode: pulumi.asset.AssetArchive | undefined;
  let notifierEnvironment: Record<string, string> = {};
  let notifierSettings: NotifierSettings = { memoryMb: 0, timeoutMs: 0, runtime: "", environment: {} };
  try {
    const run = await runProgramUnderMocks({
      ...options,
      materialize: async (resource) => {
        if (resource.type === "aws:lambda/function:Function") {
          const { inputs } = resource;
          notifierCode = inputs.code as pulumi.asset.AssetArchive;
          notifierEnvironment =
            (inputs.environment as { variables?: Record<string, string> } | undefined)?.variables ?? {};
          notifierSettings = notifierSettingsOf(inputs);
        }
        await createOnStandIns(resource, dynamodb, endpoints.parameterStore);
        return undefined;
      },
    });
    if (!notifierCode) throw new Error("The program declared no Lambda function");
    return { ...run, notifierCode, notifierEnvironment, notifierSettings };
  } finally {
    dynamodb.destroy();
  }
}

/**
 * Creates the resources of a deployment already made on other stand-ins again on `endpoints`, as its
 * `pulumi up` created them, without running the program again: the same program and settings declare
 * the same resources.
 */
export async function recreateDeployment(endpoints: StandIns, deployment: EmulatedDeployment): Promise<void> {
  const dynamodb = localDynamoDb(endpoints);
  try {
    for (const resource of deployment.resources) {
      await createOnStandIns(resource, dynamodb, endpoints.parameterStore);
    }
  } finally {
    dynamodb.destroy();
  }
}

function localDynamoDb(endpoints: StandIns): DynamoDBClient {
  return new DynamoDBClient(loopbackClient(endpoints.dynamodb));
}

/** Creates the resources the notifier reads at run time: the table, its items and the parameters. */
async function createOnStandIns(
  { type, inputs, outputs }: MockedResource,
  dynamodb: DynamoDBClient,
  parameterStore: ParameterStore,
): Promise<void> {
  switch (type) {
    case "aws:dynamodb/table:Table": {
      const table = inputs as unknown as TableInputs;
      await dynamodb.send(
        new CreateTableCommand({
          TableName: outputs.name as string,
          AttributeDefinitions: table.attributes.map((a) => ({
            AttributeName: a.name,
            AttributeType: a.type as "S",
          })),
          KeySchema: [
            { AttributeName: table.hashKey, KeyType: "HASH" },
            ...(table.rangeKey ? [{ AttributeName: table.rangeKey, KeyType: "RANGE" as const }] : []),
          ],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
      return;
    }
    case "aws:ssm/parameter:Parameter":
      parameterStore.put(inputs.name as string, inputs.value as string, inputs.type as "SecureString");
      return;
    case "aws:dynamodb/tableItem:TableItem":
      await dynamodb.send(
        new PutItemCommand({
          TableName: inputs.tableName as string,
          Item: JSON.parse(inputs.item as string),
        }),
      );
      return;
    default:
      return;
  }
}
