import { DynamoDBClient, PutItemCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeCodeArchive } from "../../local/codeArchive";
import { emulatedDeploy, type EmulatedDeployment } from "../../local/emulatedDeploy";
import { startLambda, type LambdaProcess } from "../../local/lambdaProcess";
import { startParameterStore, type ParameterStore } from "../../local/parameterStore";
import { startRegistryDb, type RegistryDb } from "../../local/registryDb";

/** The stack deployed on local stand-ins, with its serialized notifier running in a process of its own. */
export interface DeployedNotifier {
  deployment: EmulatedDeployment;
  parameterStore: ParameterStore;
  lambda: LambdaProcess;
  tableName: string;
  /** Starts another container of the same function (a cold start, or a concurrent one). */
  startContainer(): Promise<LambdaProcess>;
  /** Registers a receiver as the AWS sample's users did: `aws dynamodb put-item --item file://item.json`. */
  registerByHand(item: Record<string, AttributeValue>): Promise<void>;
  close(): Promise<void>;
}

export async function deployNotifier(
  config: Record<string, string>,
  secretKeys: string[],
): Promise<DeployedNotifier> {
  const db: RegistryDb = await startRegistryDb();
  const parameterStore = await startParameterStore();
  const deployment = await emulatedDeploy({ dynamodb: db.endpoint, parameterStore }, { config, secretKeys });
  const codeDir = fs.mkdtempSync(path.join(os.tmpdir(), "notifier-code-"));
  await writeCodeArchive(deployment.notifierCode, codeDir);
  const env = {
    ...deployment.notifierEnvironment,
    AWS_REGION: "us-east-1",
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    AWS_ENDPOINT_URL_SSM: parameterStore.endpoint,
  };
  const containers: LambdaProcess[] = [];
  const startContainer = async () => {
    const container = await startLambda({ codeDir, env, memoryMb: 256 });
    containers.push(container);
    return container;
  };
  const lambda = await startContainer();
  const dynamodb = new DynamoDBClient({
    endpoint: db.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const tableName = deployment.notifierEnvironment.TABLE_NAME;
  return {
    deployment,
    parameterStore,
    lambda,
    tableName,
    startContainer,
    registerByHand: async (item) => {
      await dynamodb.send(new PutItemCommand({ TableName: tableName, Item: item }));
    },
    close: async () => {
      await Promise.all(containers.map((container) => container.close()));
      dynamodb.destroy();
      await parameterStore.close();
      await db.close();
      fs.rmSync(codeDir, { recursive: true, force: true });
    },
  };
}
