import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ReceiverDefinition } from "../src/receiverDefinition";
import { bodySecretKind, parameterName, registryItem, type ParameterKind } from "../src/registryItem";

/**
 * A registration's resource name: `/` appears in neither receiver nor project names, and `_all` (for the
 * catch-all `*`) is no project name, since those start with a letter or digit. The characters are the
 * ones `pulumi state` commands accept.
 */
function registrationName(receiver: string, project: string): string {
  return `${receiver}/${project === "*" ? "_all" : project}`;
}

/**
 * Each receiver's secrets become SecureString parameters in its own folder under the stack's
 * `parameterPath` (`<parameterPath><receiver>/url`, ...), and each of its projects a
 * registry item naming them. Values come from the stack's secret config and stay secret in the state.
 */
export function registerReceivers(
  receivers: readonly ReceiverDefinition[],
  registry: aws.dynamodb.Table,
  options: { config: pulumi.Config; ssmKeyId: string; parameterPath: string },
): void {
  const secureParameter = (receiver: string, kind: ParameterKind, configKey: string): aws.ssm.Parameter =>
    new aws.ssm.Parameter(`${receiver}/${kind}`, {
      name: parameterName(options.parameterPath, receiver, kind),
      description: `codebuild-webhooks receiver ${receiver}: ${kind} (config ${pulumi.getProject()}:${configKey})`,
      type: "SecureString",
      keyId: options.ssmKeyId,
      value: options.config.requireSecret(configKey),
    });

  for (const receiver of receivers) {
    const { oauth } = receiver;
    const secrets: [ParameterKind, string | undefined][] = [
      ["url", receiver.urlConfigKey],
      ["headers", receiver.headersConfigKey],
      ["signing-secret", receiver.signingSecretConfigKey],
      ["oauth-token-url", oauth?.tokenUrlConfigKey],
      ["oauth-client-id", oauth?.clientIdConfigKey],
      ["oauth-client-secret", oauth?.clientSecretConfigKey],
      ...Object.entries(receiver.bodySecretConfigKeys ?? {}).map(([name, key]): [ParameterKind, string] => [
        bodySecretKind(name),
        key,
      ]),
    ];
    const parameters = secrets.flatMap(([kind, configKey]) =>
      configKey === undefined ? [] : [secureParameter(receiver.name, kind, configKey)],
    );
    for (const project of receiver.projects) {
      new aws.dynamodb.TableItem(
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
