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
