import {
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import type { DynamoDbProxy } from "../../local/dynamoDbProxy";
import type { EmulatedDeployment } from "../../local/emulatedDeploy";
import type { LambdaProcess } from "../../local/lambdaProcess";
import { deployLocally } from "../../local/localDeployment";
import type { ParameterStore } from "../../local/parameterStore";
import { SHIPPED_RECEIVERS, SPEC_STACK } from "./specStack";

/** The stack deployed on local stand-ins, with its serialized notifier running in a process of its own. */
export interface DeployedNotifier {
  deployment: EmulatedDeployment;
  parameterStore: ParameterStore;
  /** Between the notifier and the local DynamoDB: counts its calls, and can fail chosen ones. */
  dynamodb: DynamoDbProxy;
  /** The notifier's environment, pointed at the local DynamoDB and parameter store. */
  environment: Record<string, string>;
  lambda: LambdaProcess;
  tableName: string;
  /** Starts another container of the same function (a cold start, or a concurrent one). */
  startContainer(): Promise<LambdaProcess>;
  /** Registers a receiver as the AWS sample's users did: `aws dynamodb put-item --item file://item.json`. */
  registerByHand(item: Record<string, AttributeValue>): Promise<void>;
  /**
   * Registers a receiver by hand in its own folder: its URL as the parameter `/webhooks/<name>/url`, and
   * an item for the project and statuses, with `extra` attributes.
   */
  register(
    name: string,
    url: string,
    project: string,
    statuses: string[],
    extra?: Record<string, AttributeValue>,
  ): Promise<void>;
  /** Removes a registration, as `aws dynamodb delete-item` would. */
  unregister(project: string, urlParameter: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Deploys the spec stack, with the shipped receivers unless `config` names a `receiversDir`, and `config`
 * over its settings; `secretKeys` are the keys set with `--secret`.
 */
export async function deployNotifier(
  config: Record<string, string>,
  secretKeys: string[],
): Promise<DeployedNotifier> {
  const local = await deployLocally({
    stack: SPEC_STACK,
    config: { receiversDir: SHIPPED_RECEIVERS, ...config },
    secretKeys,
  });
  const lambda = await local.startContainer();
  const dynamodb = new DynamoDBClient({
    endpoint: local.dynamodbEndpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const tableName = local.deployment.notifierEnvironment.TABLE_NAME;
  return {
    deployment: local.deployment,
    parameterStore: local.parameterStore,
    dynamodb: local.dynamodbProxy,
    environment: local.environment,
    lambda,
    tableName,
    startContainer: local.startContainer,
    registerByHand: async (item) => {
      await dynamodb.send(new PutItemCommand({ TableName: tableName, Item: item }));
    },
    register: async (name, url, project, statuses, extra = {}) => {
      local.parameterStore.put(`/webhooks/${name}/url`, url, "SecureString");
      await dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            project: { S: project },
            hook_url_param_name: { S: `/webhooks/${name}/url` },
            statuses: { L: statuses.map((status) => ({ S: status })) },
            ...extra,
          },
        }),
      );
    },
    unregister: async (project, urlParameter) => {
      await dynamodb.send(
        new DeleteItemCommand({
          TableName: tableName,
          Key: { project: { S: project }, hook_url_param_name: { S: urlParameter } },
        }),
      );
    },
    close: async () => {
      dynamodb.destroy();
      await local.close();
    },
  };
}
