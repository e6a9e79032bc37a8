import type { ReceiverDefinition } from "../src/receivers/receiverDefinition";
import { bodySecretKind, type ParameterKind } from "../src/receivers/registryItem";

// The names a receiver's resources take in the stack, apart from the resources: `npm run check` prints
// the `pulumi import` commands for them without loading the AWS provider.

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
