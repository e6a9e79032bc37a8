import {
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import * as fs from "node:fs";
import * as path from "node:path";
import type { DynamoDbProxy } from "../../local/dynamoDbProxy";
import type { EmulatedDeployment } from "../../local/emulatedDeploy";
import type { LambdaProcess } from "../../local/lambdaProcess";
import { deployLocally } from "../../local/localDeployment";
import type { ParameterStore } from "../../local/parameterStore";
import { SHIPPED_RECEIVERS, SPEC_STACK } from "./specStack";
import { loopbackClient } from "../../local/loopbackClient";

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
 * The program's runs under mocks in this process, by their settings and receiver files. A run
 * serializes the notifier and evaluates index.ts and everything it loads; the same settings and files
 * declare the same resources, so each suite deploying them gets stand-ins of its own (table, parameters,
 * containers) created from one run.
 */
const programRuns = new Map<string, EmulatedDeployment>();

/** The files of a receiver folder, with their text. */
function receiverFiles(dir: string): [string, string][] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort()
    .map((file) => [file, fs.readFileSync(file, "utf8")]);
}

/**
 * Deploys the spec stack, with the shipped receivers unless `config` names a `receiversDir`, and `config`
 * over its settings; `secretKeys` are the keys set with `--secret`.
 */
export async function deployNotifier(
  config: Record<string, string>,
  secretKeys: string[],
): Promise<DeployedNotifier> {
  const stackConfig = { receiversDir: SHIPPED_RECEIVERS, ...config };
  const settings = JSON.stringify([stackConfig, secretKeys, receiverFiles(stackConfig.receiversDir)]);
  const local = await deployLocally({
    stack: SPEC_STACK,
    config: stackConfig,
    secretKeys,
    deployed: programRuns.get(settings),
  });
  programRuns.set(settings, local.deployment);
  const lambda = await local.startContainer();
  const dynamodb = new DynamoDBClient(loopbackClient(local.dynamodbEndpoint));
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
