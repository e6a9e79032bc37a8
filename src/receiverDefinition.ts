/** The CodeBuild build statuses a receiver can subscribe to (the event's `detail.build-status`). */
export const BUILD_STATUSES = [
  "IN_PROGRESS",
  "SUCCEEDED",
  "FAILED",
  "FAULT",
  "TIMED_OUT",
  "STOPPED",
] as const;
export type BuildStatus = (typeof BUILD_STATUSES)[number];

/** The statuses a build ends with; `onlyOnChange` compares these. */
export const FINAL_BUILD_STATUSES: readonly BuildStatus[] = [
  "SUCCEEDED",
  "FAILED",
  "FAULT",
  "TIMED_OUT",
  "STOPPED",
];

/** The one entry of `projects` that stands for every project (the registry item's `project` is `*`). */
export const EVERY_PROJECT = "*";

/**
 * The changes of a project's build health a receiver can act on: a failure after a success (or none),
 * a failure after a failure, a success after a failure.
 */
export const TRANSITIONS = ["broken", "still-failing", "fixed"] as const;
export type Transition = (typeof TRANSITIONS)[number];

/** What a receiver sends on one transition (`on.<transition>` in its file). */
export interface ReceiverAction {
  /** Body template. */
  template: string;
  /** Appended to the receiver's URL; each value substituted into it is percent-encoded as one segment. */
  path?: string;
  /** Upper-case HTTP method. */
  method: string;
  /** Values kept from the JSON body of a 2xx answer: placeholder name to dotted field path (`key`, `data.id`). */
  remember?: Record<string, string>;
}

/** The two requests of a receiver with one message per build (`perBuild` in its file). */
export const PER_BUILD_STEPS = ["post", "update"] as const;
export type PerBuildStep = (typeof PER_BUILD_STEPS)[number];
/** `post` for a build's first event the receiver hears, `update` for each later one. */
export type PerBuildActions = Record<PerBuildStep, ReceiverAction>;

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
export interface ReceiverDefinition {
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
  /** Notify only when the project's final status differs from its previous final status. */
  onlyOnChange: boolean;
  /**
   * Actions per transition (`on`), instead of `statuses` and `template`: the receiver is told of the
   * transitions it has an action for. With actions, `statuses` is FAILED and SUCCEEDED.
   */
  actions?: Partial<Record<Transition, ReceiverAction>>;
  /** One message per build (`perBuild`), instead of `template`: posted by the build's first event, updated by the later ones. */
  perBuild?: PerBuildActions;
  /** Values a 2xx answer's JSON must hold to count as delivered (`answer`): dotted field path to value. */
  answer?: Record<string, string | number | boolean>;
  /** Only builds of these AWS accounts; absent means every account the stack serves. */
  accounts?: string[];
  /** Only builds in these regions; absent means every region. */
  regions?: string[];
}
