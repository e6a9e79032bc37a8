import * as fs from "node:fs";
import { parseEnv } from "node:util";

/** The git-ignored file a local run reads receivers' secrets from; the environment wins over it. */
export const LOCAL_SECRETS_FILE = ".webhooks.local.env";

const VARIABLE_PREFIX = "CODEBUILD_WEBHOOKS_";

/** The variable holding a config key's value locally; "-" becomes "_" so that any shell can set it. */
export function secretVariable(configKey: string): string {
  return VARIABLE_PREFIX + configKey.replaceAll("-", "_");
}

/** A receiver secret's local value by config key, or undefined when the user has not given it. */
export type LocalSecrets = (configKey: string) => string | undefined;

/** The user's local secrets: `CODEBUILD_WEBHOOKS_<key>` from the environment, else from `file`. */
export function readLocalSecrets(file: string, env: NodeJS.ProcessEnv): LocalSecrets {
  const fromFile = fs.existsSync(file) ? parseEnv(fs.readFileSync(file, "utf8")) : {};
  return (configKey) => {
    const variable = secretVariable(configKey);
    return env[variable] ?? fromFile[variable];
  };
}
