import type { AdmittedEvent } from "./admitEvent";
import type { BuildStateChangeEvent } from "./buildEvent";
import { buildEventValues, eventValues } from "./buildEventValues";
import { buildNotice } from "./buildNotice";
import type { Decision, Plan } from "./decidePlans";
import { rememberedNames, type ActionPlan } from "./healthActions";
import type { NotifierLog } from "./notifierLog";
import type { OAuthCredentials } from "./oauthTokens";
import type { PerBuildPlan } from "./perBuildPlans";
import type { ParameterCache } from "./parameterCache";
import type { ReceiverOutcome } from "./receiverOutcome";
import type { RegistryEntry } from "./registryEntries";
import type { Notice } from "./sendNotice";
import { webhookId } from "./webhookId";

/** The request one receiver is to be sent. */
export interface PreparedRequest {
  entry: RegistryEntry;
  /** The action it carries, for a receiver with actions. */
  action?: Extract<ActionPlan, { kind: "send" }>;
  /** The post or update it carries, for a receiver with one message per build. */
  message?: Extract<PerBuildPlan, { kind: "per-build" }>;
  notice: Notice;
  /** The receiver's OAuth client credentials: the notice still needs its bearer token. */
  oauth?: OAuthCredentials;
  /** Every secret value of the receiver, which must not reach a log (see scrubSecrets). */
  secrets: string[];
}

/** A receiver's request, or its outcome when nothing is to be sent to it. */
export type Prepared = PreparedRequest | ReceiverOutcome;

export interface PreparationDependencies {
  parameters: ParameterCache;
  /** Upper bound for one attempt to reach a receiver: the parameter reads leave that time at least. */
  attemptTimeoutMs: number;
  log: NotifierLog;
}

/**
 * Prepares each receiver's request, in the order of the plans: reads the parameters of every receiver
 * not delivered before, then renders, addresses and signs the notice each plan calls for. A receiver
 * whose plan sends nothing, or whose request cannot be built, gets its outcome instead.
 */
export async function prepareRequests(
  { event, eventId, deadline }: AdmittedEvent,
  { verdict, plans }: Decision,
  deps: PreparationDependencies,
): Promise<Prepared[]> {
  const toSend = plans.filter(({ plan }) => plan.kind !== "already-delivered");
  // Reads may take the time left but one delivery attempt's (and half of it at least): a cold container
  // with many receivers paces its reads within the account's quota, shared with CodeBuild.
  const readDeadline = Math.max(deadline - deps.attemptTimeoutMs, (Date.now() + deadline) / 2);
  const { values: parameters, refused } = await deps.parameters.read(
    toSend.flatMap(({ entry }) => parameterNames(entry)),
    readDeadline,
  );
  // The notifier's own names, over the build's variables; for receivers with actions, over what they
  // remembered too (buildEventValues puts those between).
  const healthValues = {
    PREVIOUS_STATUS: verdict?.previous ?? "",
    FAILURE_COUNT: verdict ? String(verdict.failureCount) : "",
    TRANSITION: "",
  };
  const values = { ...buildEventValues(event), ...healthValues };
  const nothingSent = (
    receiver: string,
    outcome: { reason: string } | { skipped: string },
  ): ReceiverOutcome => ({
    receiver,
    delivered: false,
    ...outcome,
    attempts: 0,
    durationMs: 0,
  });

  const prepare = (entry: RegistryEntry, plan: Plan): Prepared => {
    const receiver = entry.urlParameter;
    if (plan.kind === "already-delivered") {
      return { receiver, delivered: true, alreadyDelivered: true, attempts: 0, durationMs: 0 };
    }
    if (plan.kind === "wait") return nothingSent(receiver, { reason: plan.reason });
    if (plan.kind === "skip") return nothingSent(receiver, { skipped: plan.reason });
    const action = plan.kind === "send" ? plan : undefined;
    const message = plan.kind === "per-build" ? plan : undefined;
    const sending = action ?? message;
    const own = action ? { ...healthValues, TRANSITION: action.transition } : healthValues;
    const built = buildNotice(
      entry,
      parameters,
      sending ? { ...actionBodyValues(event, entry, sending.remembered), ...own } : values,
      webhookId(eventId, receiver),
      Math.floor(Date.now() / 1000),
      refused,
      // A path takes the notifier's names and remembered values: a build's variables never reach it.
      sending
        ? { action: sending.action, pathValues: { ...sending.remembered, ...eventValues(event), ...own } }
        : undefined,
    );
    if ("reason" in built) return nothingSent(receiver, { reason: built.reason });
    if (built.unknownNames.length > 0) {
      deps.log.warn("Template names unknown placeholders; they are sent as written", {
        receiver,
        unknownNames: built.unknownNames,
      });
    }
    return {
      entry,
      ...(action ? { action } : {}),
      ...(message ? { message } : {}),
      notice: built.notice,
      ...(built.oauth ? { oauth: built.oauth } : {}),
      secrets: built.secrets,
    };
  };

  return plans.map(({ entry, plan }) => {
    try {
      return prepare(entry, plan);
    } catch (error) {
      return nothingSent(entry.urlParameter, {
        reason: `${(error as Error).name}: ${(error as Error).message}`,
      });
    }
  });
}

/**
 * The values an action's body takes: the build's variables, the values the receiver remembered in the
 * streak, and the notifier's own names over both. A name any action of the receiver remembers is never
 * filled from a build variable (whoever starts a build would choose the ticket it closes): without a
 * remembered value, it is sent as written.
 */
function actionBodyValues(
  event: BuildStateChangeEvent,
  entry: RegistryEntry,
  remembered: Readonly<Record<string, string>>,
): Record<string, string> {
  const unfilled = [...rememberedNames(entry)].filter((name) => !Object.hasOwn(remembered, name));
  return Object.fromEntries(
    Object.entries(buildEventValues(event, remembered)).filter(([name]) => !unfilled.includes(name)),
  );
}

/** The SSM parameters a registration names, read before its notices are built. */
function parameterNames(entry: RegistryEntry): string[] {
  return [
    entry.urlParameter,
    entry.headersParameter,
    entry.signingSecretParameter,
    entry.oauth?.tokenUrlParameter,
    entry.oauth?.clientIdParameter,
    entry.oauth?.clientSecretParameter,
    ...Object.values(entry.bodySecretParameters ?? {}),
  ].filter((name): name is string => name !== undefined);
}
