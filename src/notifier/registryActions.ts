import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { TRANSITIONS, type Transition } from "../shared/buildStatuses";
import {
  PER_BUILD_STEPS,
  type ExpectedAnswer,
  type PerBuildActions,
  type ReceiverAction,
} from "../shared/registryFormat";

/**
 * The attributes of a registry item that say what a receiver is sent: `actions` per transition, the
 * `per_build` post and update, and the `answer` a delivery must get. Each parser returns the problem,
 * naming the attribute and never echoing its text, when the attribute is malformed.
 */

/** A placeholder name, as remembered values are named. */
export const PLACEHOLDER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The `actions` attribute: a map from transition to action. Returns the problem when malformed. */
export function parseActions(
  attribute: AttributeValue,
): Partial<Record<Transition, ReceiverAction>> | string {
  if (!attribute.M) return "attribute actions must be a map of transitions to actions";
  const actions: Partial<Record<Transition, ReceiverAction>> = {};
  for (const [transition, value] of Object.entries(attribute.M)) {
    if (!(TRANSITIONS as readonly string[]).includes(transition)) {
      // The key is not echoed: text that is no transition may be anything, a pasted secret too.
      return `attribute actions has a key that is not one of ${TRANSITIONS.join(", ")}`;
    }
    const action = parseAction(value, `attribute actions.${transition}`);
    if (typeof action === "string") return action;
    actions[transition as Transition] = action;
  }
  return Object.keys(actions).length > 0 ? actions : "attribute actions names no transition";
}

/** The `per_build` attribute: a map with a `post` and an `update` action. */
export function parsePerBuild(attribute: AttributeValue): PerBuildActions | string {
  const fields = attribute.M;
  if (!fields || Object.keys(fields).some((step) => !(PER_BUILD_STEPS as readonly string[]).includes(step))) {
    return "attribute per_build must be a map with a post and an update action";
  }
  const steps: Partial<PerBuildActions> = {};
  for (const step of PER_BUILD_STEPS) {
    if (!fields[step]) return `attribute per_build needs ${step}`;
    const action = parseAction(fields[step], `attribute per_build.${step}`);
    if (typeof action === "string") return action;
    steps[step] = action;
  }
  return steps as PerBuildActions;
}

/** The `answer` attribute: a map of dotted field paths to the strings, numbers or booleans they hold. */
export function parseAnswer(attribute: AttributeValue): ExpectedAnswer | string {
  const expected: Record<string, string | number | boolean> = {};
  for (const [fieldPath, value] of Object.entries(attribute.M ?? {})) {
    if (value.S !== undefined) expected[fieldPath] = value.S;
    else if (value.N !== undefined) expected[fieldPath] = Number(value.N);
    else if (value.BOOL !== undefined) expected[fieldPath] = value.BOOL;
    else return "attribute answer must be a map of field paths to strings, numbers or booleans";
  }
  return Object.keys(expected).length > 0
    ? expected
    : "attribute answer must be a map of field paths to strings, numbers or booleans";
}

/** One action, `{template, path?, method?, remember?}`, with `remember` a map from placeholder name to a dotted field path. */
function parseAction(value: AttributeValue, at: string): ReceiverAction | string {
  const fields = value.M;
  if (fields?.template?.S === undefined) return `${at} must be a map with a template string`;
  for (const field of ["path", "method"]) {
    if (fields[field] && fields[field].S === undefined) return `${at}.${field} must be a string`;
  }
  let remember: Record<string, string> | undefined;
  if (fields.remember) {
    const entries = Object.entries(fields.remember.M ?? {});
    if (!fields.remember.M || entries.some(([name, path]) => !PLACEHOLDER_NAME.test(name) || !path.S)) {
      return `${at}.remember must be a map of placeholder names to field paths`;
    }
    remember = Object.fromEntries(entries.map(([name, path]) => [name, path.S as string]));
  }
  return {
    template: fields.template.S,
    method: (fields.method?.S ?? "POST").toUpperCase(),
    ...(fields.path?.S === undefined ? {} : { path: fields.path.S }),
    ...(remember ? { remember } : {}),
  };
}
