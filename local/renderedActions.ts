// What npm run render renders for a receiver with actions per transition or a message per build: the
// action chosen by the command line, and what it says of it.
import type { ReceiverDefinition } from "../src/receivers/receiverDefinition";
import { FINAL_BUILD_STATUSES, type BuildStatus, type Transition } from "../src/shared/buildStatuses";
import { PER_BUILD_STEPS, type PerBuildStep, type ReceiverAction } from "../src/shared/registryFormat";
import { PLACEHOLDER_NAME } from "../src/receivers/schemaValues";
import { LocalRunInputError } from "./localRunInputError";

/** `--per-build post|update`, in any case; undefined when not given. */
export function perBuildStepFlag(flag: string | undefined): PerBuildStep | undefined {
  const step = flag?.toLowerCase();
  if (step !== undefined && !(PER_BUILD_STEPS as readonly string[]).includes(step)) {
    throw new LocalRunInputError(
      `--per-build ${flag}: not a request of a per-build receiver; use ${PER_BUILD_STEPS.join(" or ")}`,
    );
  }
  return step as PerBuildStep | undefined;
}

/**
 * The status of the built-in event a per-build request is rendered for: `--status`, else for a post the
 * receiver's first status (a build's first event), for an update its first final status.
 */
export function perBuildStatus(
  receiver: ReceiverDefinition,
  step: PerBuildStep,
  status: BuildStatus | undefined,
): BuildStatus {
  if (status !== undefined) return status;
  if (step === "post") return receiver.statuses[0];
  return receiver.statuses.find((heard) => FINAL_BUILD_STATUSES.includes(heard)) ?? receiver.statuses[0];
}

/** What render says of a per-build request, beside its method and URL. */
export function perBuildDetail(receiver: ReceiverDefinition, step: PerBuildStep): string {
  return step === "post"
    ? `Sent for the first event of a build ${receiver.name} hears; its later events send perBuild.update`
    : "Sent for each later event of a build, with what perBuild.post remembered from its answer";
}

/** The action to render: one per transition (`on`), or a per-build receiver's post or update. */
export interface ChosenAction {
  transition?: Transition;
  step?: PerBuildStep;
  /** How messages name it: `broken`, `perBuild.post`. */
  label: string;
  action: ReceiverAction;
}

/**
 * The action of a receiver with actions to render: that of `transition`, else its first. The values
 * given with --remember must be ones its actions remember.
 */
export function chooseAction(
  receiver: ReceiverDefinition,
  transition: Transition | undefined,
  remembered: Record<string, string>,
): ChosenAction {
  const declared = Object.keys(receiver.actions ?? {}) as Transition[];
  const chosen = transition ?? declared[0];
  const action = receiver.actions?.[chosen];
  if (!action) {
    throw new LocalRunInputError(
      `--transition ${chosen}: ${receiver.name} has no action for it; its actions: ${declared.join(", ")}`,
    );
  }
  checkRemembered(receiver, remembered);
  return { transition: chosen, label: chosen, action };
}

/** The values given with --remember must be ones the receiver's actions remember. */
export function checkRemembered(receiver: ReceiverDefinition, remembered: Record<string, string>): void {
  const rememberedNames = rememberedByActions(receiver);
  for (const name of Object.keys(remembered)) {
    if (!rememberedNames.has(name)) {
      const known = [...rememberedNames.keys()];
      throw new LocalRunInputError(
        `--remember ${name}=...: no action of ${receiver.name} remembers ${name}; ` +
          (known.length > 0 ? `they remember ${known.join(", ")}` : "they remember nothing"),
      );
    }
  }
}

/** The names a receiver's actions remember, each with the first action that does (`on.broken`, `perBuild.post`). */
export function rememberedByActions(receiver: ReceiverDefinition): Map<string, string> {
  const names = new Map<string, string>();
  const actions = [
    ...Object.entries(receiver.actions ?? {}).map(
      ([transition, action]) => [`on.${transition}`, action] as const,
    ),
    ...Object.entries(receiver.perBuild ?? {}).map(([step, action]) => [`perBuild.${step}`, action] as const),
  ];
  for (const [where, action] of actions) {
    for (const name of Object.keys(action.remember ?? {})) {
      if (!names.has(name)) names.set(name, where);
    }
  }
  return names;
}

/** `--remember NAME=VALUE` flags, by name. */
export function parseRemembered(flags: readonly string[]): Record<string, string> {
  const remembered: Record<string, string> = {};
  for (const flag of flags) {
    const separator = flag.indexOf("=");
    const name = flag.slice(0, Math.max(separator, 0));
    if (!PLACEHOLDER_NAME.test(name)) {
      throw new LocalRunInputError(
        `--remember ${flag}: give a remembered name and its value, e.g. --remember JIRA_ISSUE=OPS-17`,
      );
    }
    remembered[name] = flag.slice(separator + 1);
  }
  return remembered;
}
