import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeCodeArchive } from "./codeArchive";
import { startDynamoDbProxy, type DynamoDbProxy } from "./dynamoDbProxy";
import { emulatedDeploy, recreateDeployment, type EmulatedDeployment } from "./emulatedDeploy";
import { startLambda, type LambdaProcess } from "./lambdaProcess";
import { startParameterStore, type ParameterStore } from "./parameterStore";
import type { ProgramRunOptions } from "./programUnderMocks";
import { startRegistryDb } from "./registryDb";
import { stackConfig, stackProject } from "./stackConfig";

/** The stack deployed on this machine, its notifier ready to run in containers of its own. */
export interface LocalDeployment {
  deployment: EmulatedDeployment;
  /** The local DynamoDB holding the registry table. */
  dynamodbEndpoint: string;
  /** The notifier's way to the local DynamoDB: counts its calls, and can fail chosen ones. */
  dynamodbProxy: DynamoDbProxy;
  parameterStore: ParameterStore;
  /** The notifier's environment, pointed at the local DynamoDB and parameter store. */
  environment: Record<string, string>;
  /** Starts a container of the notifier (a cold start), with its environment and memory. */
  startContainer(): Promise<LambdaProcess>;
  /** Stops the containers and the local services, and removes the unpacked code. */
  close(): Promise<void>;
}

export interface LocalDeploymentOptions extends Omit<ProgramRunOptions, "materialize"> {
  /** Told each step as it starts. */
  progress?: (line: string) => void;
  /**
   * A deployment of the same stack and settings made before: its resources are created on the new
   * stand-ins as it declared them, without running the program again.
   */
  deployed?: EmulatedDeployment;
}

/**
 * Deploys the stack on local stand-ins, as `npm start` and the tests run it: an embedded DynamoDB and
 * parameter store, an emulated `pulumi up` of index.ts onto them, and the code archive the program
 * serialized, unpacked for the notifier's containers, which are pointed at the local services.
 */
export async function deployLocally(options: LocalDeploymentOptions): Promise<LocalDeployment> {
  const { progress = () => undefined, deployed, ...programOptions } = options;
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closeOne of closers.splice(0).reverse()) await closeOne();
  };
  try {
    progress("Starting DynamoDB (dynalite)");
    const db = await startRegistryDb();
    closers.push(() => db.close());
    const dynamodbProxy = await startDynamoDbProxy(db.endpoint);
    closers.push(() => dynamodbProxy.close());
    progress("Starting the parameter store");
    const parameterStore = await startParameterStore();
    closers.push(() => parameterStore.close());

    const project = options.project ?? stackProject(options.stack);
    const receiversDir = stackConfig(options.stack, options.config, project)[`${project}:receiversDir`];
    progress(`Deploying index.ts (emulated pulumi up) with the receivers in ${receiversDir}/`);
    const standIns = { dynamodb: db.endpoint, parameterStore };
    const deployment = deployed ?? (await emulatedDeploy(standIns, programOptions));
    if (deployed) await recreateDeployment(standIns, deployed);

    const codeDir = fs.mkdtempSync(path.join(os.tmpdir(), "codebuild-webhooks-notifier-"));
    closers.push(async () => fs.rmSync(codeDir, { recursive: true, force: true }));
    await writeCodeArchive(deployment.notifierCode, codeDir);
    const fileCount = fs.readdirSync(codeDir, { recursive: true }).length;
    progress(`Packaging the notifier: the serialized code archive, ${fileCount} files (as npm run package)`);

    const environment = {
      ...deployment.notifierEnvironment,
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbProxy.endpoint,
      AWS_ENDPOINT_URL_SSM: parameterStore.endpoint,
    };
    return {
      deployment,
      dynamodbEndpoint: db.endpoint,
      dynamodbProxy,
      parameterStore,
      environment,
      startContainer: async () => {
        const container = await startLambda({
          codeDir,
          env: environment,
          memoryMb: deployment.notifierSettings.memoryMb,
        });
        closers.push(() => container.close());
        return container;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
