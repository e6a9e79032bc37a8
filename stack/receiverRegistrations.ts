import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ReceiverDefinition } from "../src/receivers/receiverDefinition";
import {
  bodySecretKind,
  parameterName,
  registryItem,
  type ParameterKind,
} from "../src/receivers/registryItem";

/** A receiver's parameter, as the stack declares it: its resource name, and the config key it holds. */
export interface ReceiverParameter {
  kind: ParameterKind;
  /** The resource's name in the stack: `<receiver>/<kind>`. */
  resourceName: string;
  configKey: string;
}

/** Each secret a receiver names, as the SecureString parameter in its folder that holds it. */
export function receiverParameters(receiver: ReceiverDefinition): ReceiverParameter[] {
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
  return secrets.flatMap(([kind, configKey]) =>
    configKey === undefined ? [] : [{ kind, resourceName: `${receiver.name}/${kind}`, configKey }],
  );
}

/**
 * A registration's resource name: `/` appears in neither receiver nor project names, and `_all` (for the
 * catch-all `*`) is no project name, since those start with a letter or digit. The characters are the
 * ones `pulumi state` commands accept.
 */
export function registrationName(receiver: string, project: string): string {
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
  for (const receiver of receivers) {
    const parameters = receiverParameters(receiver).map(
      ({ kind, resourceName, configKey }) =>
        new aws.ssm.Parameter(resourceName, {
          name: parameterName(options.parameterPath, receiver.name, kind),
          description: `codebuild-webhooks receiver ${receiver.name}: ${kind} (config ${pulumi.getProject()}:${configKey})`,
          type: "SecureString",
          keyId: options.ssmKeyId,
          value: options.config.requireSecret(configKey),
        }),
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
