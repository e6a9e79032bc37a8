import type { Transition } from "./buildStatuses";

/**
 * What a registry item holds that both sides name: the stack writes items (src/receivers/registryItem.ts)
 * and the notifier reads them (src/notifier/registryEntries.ts).
 */

/** The one entry of `projects` that stands for every project (the registry item's `project` is `*`). */
export const EVERY_PROJECT = "*";

/** What a receiver sends on one transition (`on.<transition>` in its file, `actions` in its item). */
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

/** The two requests of a receiver with one message per build (`perBuild` in its file, `per_build` in its item). */
export const PER_BUILD_STEPS = ["post", "update"] as const;
export type PerBuildStep = (typeof PER_BUILD_STEPS)[number];
/** `post` for a build's first event the receiver hears, `update` for each later one. */
export type PerBuildActions = Record<PerBuildStep, ReceiverAction>;

/**
 * The values a receiver's 2xx answer must hold to count as delivered (`answer` in its file and item):
 * dotted field path to value.
 */
export type ExpectedAnswer = Readonly<Record<string, string | number | boolean>>;

/**
 * What a receiver is sent and when, the same in its file's definition (deploy time) and its registry
 * entry (run time).
 */
export interface ReceiverSending {
  /** Notify only when the project's final status differs from its previous final status. */
  onlyOnChange: boolean;
  /**
   * Actions per build-health transition (`on`), instead of a template; such a receiver hears of the
   * transitions it has one for (in its file, `statuses` is then FAILED and SUCCEEDED).
   */
  actions?: Partial<Record<Transition, ReceiverAction>>;
  /** One message per build (`perBuild`), instead of a template: posted by the build's first event heard, updated by the later ones. */
  perBuild?: PerBuildActions;
  /** Values a 2xx answer's JSON must hold to count as delivered (`answer`). */
  answer?: ExpectedAnswer;
  /** Only builds of these AWS accounts; absent means every account the stack serves. */
  accounts?: string[];
  /** Only builds in these regions; absent means every region. */
  regions?: string[];
}
