import { CreateTableCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { startParameterStore, type ParameterStore } from "../local/parameterStore";
import { startDynamoDbProcess } from "./dynamoDbProcess";
import { startDynamoDbProxy, type DynamoDbProxy } from "../local/dynamoDbProxy";
import { startDelayReceivers, type DelayReceivers } from "./delayReceivers";
import type { FunctionUnderTest } from "./functionsUnderTest";
import { startLambda, type LambdaProcess } from "../local/lambdaProcess";
import { loopbackClient } from "../local/loopbackClient";

const TABLE_NAME = "codebuild-webhooks-bench";

/**
 * The stand-ins a notifier runs against, filled with receivers: dynalite (in a process of its own)
 * behind a call-counting proxy, the loopback parameter store, and the delay receivers. Project `bench-<n>` has receivers r0..r<n-1>
 * registered, each with a URL and a headers parameter, as the AWS sample's users registered theirs.
 */
export interface BenchStand {
  projectWith(receivers: number): string;
  /** A new container of the function: its environment as the program declares it, pointed at the stand. */
  startContainer(fn: FunctionUnderTest): Promise<LambdaProcess>;
  dynamodb: DynamoDbProxy;
  parameterStore: ParameterStore;
  receivers: DelayReceivers;
  close(): Promise<void>;
}

export async function startBenchStand(receiverCounts: readonly number[]): Promise<BenchStand> {
  const db = await startDynamoDbProcess();
  const dynamodb = await startDynamoDbProxy(db.endpoint);
  const parameterStore = await startParameterStore();
  const receivers = await startDelayReceivers();
  const client = new DynamoDBClient(loopbackClient(db.endpoint));
  const projectWith = (count: number) => `bench-${count}`;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: TABLE_NAME,
        AttributeDefinitions: [
          { AttributeName: "project", AttributeType: "S" },
          { AttributeName: "hook_url_param_name", AttributeType: "S" },
        ],
        KeySchema: [
          { AttributeName: "project", KeyType: "HASH" },
          { AttributeName: "hook_url_param_name", KeyType: "RANGE" },
        ],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    for (let receiver = 0; receiver < Math.max(...receiverCounts); receiver++) {
      parameterStore.put(`/webhooks/r${receiver}/url`, receivers.url(receiver), "SecureString");
      parameterStore.put(
        `/webhooks/r${receiver}/headers`,
        JSON.stringify({ Authorization: `Bearer bench-token-${receiver}` }),
        "SecureString",
      );
    }
    for (const count of receiverCounts) {
      for (let receiver = 0; receiver < count; receiver++) {
        await client.send(
          new PutItemCommand({
            TableName: TABLE_NAME,
            Item: {
              project: { S: projectWith(count) },
              hook_url_param_name: { S: `/webhooks/r${receiver}/url` },
              hook_headers_param_name: { S: `/webhooks/r${receiver}/headers` },
              statuses: { L: [{ S: "SUCCEEDED" }] },
            },
          }),
        );
      }
    }
  } finally {
    client.destroy();
  }

  // What the stand adds to a function's environment: its table and the local endpoints.
  const standEnv = {
    TABLE_NAME,
    AWS_REGION: "us-east-1",
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
    AWS_ENDPOINT_URL_SSM: parameterStore.endpoint,
  };
  return {
    projectWith,
    startContainer: (fn) =>
      startLambda({
        codeDir: fn.codeDir,
        handler: fn.handler,
        env: { ...fn.environment, ...standEnv },
        memoryMb: fn.memoryMb,
        ...(fn.node ? { node: fn.node } : {}),
      }),
    dynamodb,
    parameterStore,
    receivers,
    async close() {
      await receivers.close();
      await parameterStore.close();
      await dynamodb.close();
      await db.close();
    },
  };
}
