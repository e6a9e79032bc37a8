import { TRANSITIONS, type Transition } from "../shared/buildStatuses";
import type { ReceiverAction } from "../shared/registryFormat";
import type { ReceiverDefinition } from "./receiverDefinition";
import type { Report } from "./receiverFinding";
import { receiverFileSchema, type ReceiverFile } from "./receiverSchema";
import { PASTED_SECRET, quoteIfHarmless } from "./secretLikeText";
import { TRANSITION_STATUSES } from "./statusesHeard";
import { perBuildDefinition } from "./perBuildReceiver";

/** Judges a file's content by the schema, reporting each issue at its field; the content when sound. */
export function checkSchema(content: unknown, report: Report): ReceiverFile | undefined {
  const parsed = receiverFileSchema.safeParse(content);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    if (issue.code !== "unrecognized_keys") {
      report(issue.path, issue.message);
      continue;
    }
    for (const key of issue.keys) {
      // A field's name may be a pasted secret (a URL written as a key): the message then names its parent.
      if (quoteIfHarmless(key) === undefined) {
        const message = `${issue.message}; the field's name is not shown: ${PASTED_SECRET}`;
        report(issue.path, message, [...issue.path, key]);
      } else {
        report([...issue.path, key], issue.message);
      }
    }
  }
  return undefined;
}

/** The receiver a sound file declares. */
export function receiverDefinition(receiver: ReceiverFile, name: string, file: string): ReceiverDefinition {
  return {
    name,
    file,
    projects: receiver.projects,
    // The schema asks for statuses unless the receiver declares actions.
    statuses: receiver.on ? [...TRANSITION_STATUSES] : (receiver.statuses ?? []),
    method: receiver.method,
    ...(receiver.template === undefined ? {} : { template: receiver.template }),
    urlConfigKey: receiver.url.secret,
    ...(receiver.headers === undefined ? {} : { headersConfigKey: receiver.headers.secret }),
    ...(receiver.signingSecret === undefined
      ? {}
      : { signingSecretConfigKey: receiver.signingSecret.secret }),
    ...(receiver.oauth === undefined
      ? {}
      : {
          oauth: {
            tokenUrlConfigKey: receiver.oauth.tokenUrl.secret,
            clientIdConfigKey: receiver.oauth.clientId.secret,
            clientSecretConfigKey: receiver.oauth.clientSecret.secret,
            ...(receiver.oauth.scope === undefined ? {} : { scope: receiver.oauth.scope }),
            ...(receiver.oauth.audience === undefined ? {} : { audience: receiver.oauth.audience }),
            clientAuth: receiver.oauth.clientAuth,
          },
        }),
    ...(receiver.secrets === undefined
      ? {}
      : {
          bodySecretConfigKeys: Object.fromEntries(
            Object.entries(receiver.secrets).map(([name, reference]) => [name, reference.secret]),
          ),
        }),
    onlyOnChange: receiver.onlyOnChange ?? false,
    ...(receiver.on ? { actions: actionsOf(receiver) } : {}),
    ...perBuildDefinition(receiver),
    ...(receiver.accounts ? { accounts: receiver.accounts } : {}),
    ...(receiver.regions ? { regions: receiver.regions } : {}),
  };
}

/** The actions a receiver declares under `on`. */
function actionsOf(receiver: ReceiverFile): Partial<Record<Transition, ReceiverAction>> {
  const actions: Partial<Record<Transition, ReceiverAction>> = {};
  for (const transition of TRANSITIONS) {
    const action = receiver.on?.[transition];
    if (action === undefined) continue;
    actions[transition] = {
      template: action.template,
      ...(action.path === undefined ? {} : { path: action.path }),
      // An action without a method of its own takes the receiver's.
      method: action.method ?? receiver.method,
      ...(action.remember === undefined ? {} : { remember: action.remember }),
    };
  }
  return actions;
}
