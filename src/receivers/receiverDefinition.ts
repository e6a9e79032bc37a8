import type { BuildStatus } from "../shared/buildStatuses";
import type { ReceiverSending } from "../shared/registryFormat";

/** OAuth 2.0 client credentials (`oauth` in the file): config keys of the secrets, and plain settings. */
export interface ReceiverOAuth {
  tokenUrlConfigKey: string;
  clientIdConfigKey: string;
  clientSecretConfigKey: string;
  scope?: string;
  audience?: string;
  clientAuth: "basic" | "body";
}

/** A receiver as declared in `receivers/<name>.yaml`, validated and resolved against the stack config. */
export interface ReceiverDefinition extends ReceiverSending {
  /** The file name without extension; it names the receiver's `/webhooks/<name>/` parameters. */
  name: string;
  /** The file it was read from, relative to the project root, for messages. */
  file: string;
  /** CodeBuild project names, or exactly `["*"]` for every project. */
  projects: string[];
  statuses: BuildStatus[];
  /** Upper-case HTTP method. */
  method: string;
  /** Body template; absent means the notifier's default body. */
  template?: string;
  /** Config key (without the `codebuild-webhooks:` namespace) holding the receiver URL. */
  urlConfigKey: string;
  /** Config key holding a JSON object of header names to values. */
  headersConfigKey?: string;
  /** Config key holding the Standard Webhooks signing secret(s); requests are signed when set. */
  signingSecretConfigKey?: string;
  /** Gets a bearer token with the OAuth 2.0 client-credentials grant for each delivery. */
  oauth?: ReceiverOAuth;
  /** Body secrets (`secrets`): placeholder name to the config key holding its value. */
  bodySecretConfigKeys?: Record<string, string>;
}
