import { CreateTableCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type * as pulumi from "@pulumi/pulumi";
import { notifierSettingsOf, type NotifierSettings } from "./notifierArchive";
import type { ParameterStore } from "./parameterStore";
import { runProgramUnderMocks, type ProgramRun, type ProgramRunOptions } from "./programUnderMocks";

export interface EmulatedDeployment extends ProgramRun {
  /** The notifier's code archive, exactly as the program built it for upload. */
  notifierCode: pulumi.asset.AssetArchive;
  /** The notifier's environment variables. */
  notifierEnvironment: Record<string, string>;
  notifierSettings: NotifierSettings;
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
  endpoints: { dynamodb: string; parameterStore: ParameterStore },
  options: Omit<ProgramRunOptions, "materialize">,
): Promise<EmulatedDeployment> {
  const dynamodb = new DynamoDBClient({
    endpoint: endpoints.dynamodb,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  let notifierCode: pulumi.asset.AssetArchive | undefined;
  let notifierEnvironment: Record<string, string> = {};
  let notifierSettings: NotifierSettings = { memoryMb: 0, timeoutMs: 0, environment: {} };
  try {
    const run = await runProgramUnderMocks({
      ...options,
      materialize: async ({ type, inputs, outputs }) => {
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
            return undefined;
          }
          case "aws:ssm/parameter:Parameter":
            endpoints.parameterStore.put(
              inputs.name as string,
              inputs.value as string,
              inputs.type as "SecureString",
            );
            return;
          case "aws:dynamodb/tableItem:TableItem":
            await dynamodb.send(
              new PutItemCommand({
                TableName: inputs.tableName as string,
                Item: JSON.parse(inputs.item as string),
              }),
            );
            return;
          case "aws:lambda/function:Function":
            notifierCode = inputs.code as pulumi.asset.AssetArchive;
            notifierEnvironment =
              (inputs.environment as { variables?: Record<string, string> } | undefined)?.variables ?? {};
            notifierSettings = notifierSettingsOf(inputs);
            return undefined;
          default:
            return undefined;
        }
      },
    });
    if (!notifierCode) throw new Error("The program declared no Lambda function");
    return { ...run, notifierCode, notifierEnvironment, notifierSettings };
  } finally {
    dynamodb.destroy();
  }
}
