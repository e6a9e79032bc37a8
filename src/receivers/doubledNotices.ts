import { TRANSITIONS, type Transition } from "../shared/buildStatuses";
import { EVERY_PROJECT } from "../shared/registryFormat";
import { configName } from "./configKeys";
import type { ReceiverDefinition } from "./receiverDefinition";
import { receiverFinding, type ReceiverFinding } from "./receiverFinding";
import { FAILURE_STATUSES, statusesHeard, TRANSITION_STATUS } from "./statusesHeard";

/**
 * Two receivers that send to the URL in the same config key, for the same builds, send each such notice
 * twice: what happens when a preset is copied beside the shipped receiver of the same service. A receiver
 * with actions sends for the builds its transitions fall on: those are named by their transitions.
 */
export function doubledNotices(receivers: readonly ReceiverDefinition[]): ReceiverFinding[] {
  const warnings: ReceiverFinding[] = [];
  receivers.forEach((first, index) => {
    for (const second of receivers.slice(index + 1)) {
      if (first.urlConfigKey !== second.urlConfigKey) continue;
      // Filters that leave no build in common: one hears of some accounts or regions, the other of others.
      const disjoint = (a?: string[], b?: string[]) =>
        a !== undefined && b !== undefined && !a.some((x) => b.includes(x));
      if (disjoint(first.accounts, second.accounts) || disjoint(first.regions, second.regions)) continue;
      const projects = first.projects.includes(EVERY_PROJECT)
        ? second.projects
        : second.projects.includes(EVERY_PROJECT)
          ? first.projects
          : first.projects.filter((project) => second.projects.includes(project));
      if (projects.length === 0) continue;
      const ofProjects = projects.includes(EVERY_PROJECT) ? "every project" : projects.join(", ");
      const builds = doubledBuilds(first, second, ofProjects);
      if (builds === undefined) continue;
      warnings.push(
        receiverFinding({
          files: [first.file, second.file],
          message:
            `both send to the URL in ${configName(first.urlConfigKey)}, so each ${builds} is notified twice; ` +
            "delete one of the files, or give one its own secret keys",
        }),
      );
    }
  });
  return warnings;
}

/**
 * The builds of `ofProjects` both receivers send for, if any: `FAILED, SUCCEEDED build of my-app`, or by
 * transitions, `broken, fixed build of my-app`. FAILED names the timed-out and faulted builds with it; a
 * receiver of statuses that hears only some failed builds (TIMED_OUT, FAULT) doubles a transition's
 * notice for those only, and the phrase says so.
 */
function doubledBuilds(
  first: ReceiverDefinition,
  second: ReceiverDefinition,
  ofProjects: string,
): string | undefined {
  const transitionsOf = (receiver: ReceiverDefinition): Transition[] =>
    TRANSITIONS.filter((transition) => receiver.actions?.[transition] !== undefined);
  if (!first.actions && !second.actions) {
    const heard = statusesHeard(second.statuses);
    const both = statusesHeard(first.statuses).filter((status) => heard.includes(status));
    const named = both.includes("FAILED")
      ? both.filter((status) => status === "FAILED" || !FAILURE_STATUSES.includes(status))
      : both;
    return named.length === 0 ? undefined : `${named.join(", ")} build of ${ofProjects}`;
  }
  if (first.actions && second.actions) {
    const both = transitionsOf(first).filter((transition) => second.actions?.[transition] !== undefined);
    return both.length === 0 ? undefined : `${both.join(", ")} build of ${ofProjects}`;
  }
  const [withActions, withStatuses] = first.actions ? [first, second] : [second, first];
  const heard = statusesHeard(withStatuses.statuses);
  const whole: Transition[] = [];
  const partly: Transition[] = [];
  const failedEndings = FAILURE_STATUSES.filter((status) => heard.includes(status));
  for (const transition of transitionsOf(withActions)) {
    const status = TRANSITION_STATUS[transition];
    if (heard.includes(status)) whole.push(transition);
    else if (status === "FAILED" && failedEndings.length > 0) partly.push(transition);
  }
  const endings = `that ends ${failedEndings.join(" or ")}`;
  if (partly.length === 0) {
    return whole.length === 0 ? undefined : `${whole.join(", ")} build of ${ofProjects}`;
  }
  return whole.length === 0
    ? `${partly.join(", ")} build of ${ofProjects} ${endings}`
    : `${whole.join(", ")} build of ${ofProjects}, and each ${partly.join(", ")} one ${endings},`;
}
