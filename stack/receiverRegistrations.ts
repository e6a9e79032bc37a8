import * as dynamodb from "@pulumi/aws/dynamodb";
import * as ssm from "@pulumi/aws/ssm";
import * as pulumi from "@pulumi/pulumi";
import type { ReceiverDefinition } from "../src/receivers/receiverDefinition";
import { parameterName, registryItem } from "../src/receivers/registryItem";
import { receiverParameters, registrationName } from "./receiverResourceNames";

/**
 * Each receiver's secrets become SecureString parameters in its own folder under the stack's
 * `parameterPath` (`<parameterPath><receiver>/url`, ...), and each of its projects a
 * registry item naming them. Values come from the stack's secret config and stay secret in the state.
 */
export function registerReceivers(
  receivers: readonly ReceiverDefinition[],
  registry: dynamodb.Table,
  options: { config: pulumi.Config; ssmKeyId: string; parameterPath: string },
): void {
  for (const receiver of receivers) {
    const parameters = receiverParameters(receiver).map(
      ({ kind, resourceName, configKey }) =>
        new ssm.Parameter(resourceName, {
          name: parameterName(options.parameterPath, receiver.name, kind),
          description: `codebuild-webhooks receiver ${receiver.name}: ${kind} (config ${pulumi.getProject()}:${configKey})`,
          type: "SecureString",
          keyId: options.ssmKeyId,
          value: options.config.requireSecret(configKey),
        }),
    );
    for (const project of receiver.projects) {
      new dynamodb.TableItem(
        registrationName(receiver.name, project),
        {
          tableName: registry.name,
          hashKey: registry.hashKey,
          rangeKey: registry.rangeKey,
          item: JSON.stringify(registryItem(receiver, project, options.parameterPath)),
        },
        // The item points at the parameters by name: write it only once they exist.
        { dependsOn: parameters },
      );
    }
  }
}
