import { z } from "zod";
import { TRANSITIONS } from "../shared/buildStatuses";
import { BUILT_IN_PLACEHOLDER_NAMES, BUILT_IN_PLACEHOLDERS } from "../shared/placeholders";
import {
  bodyTemplate,
  httpMethod,
  kindOf,
  PLACEHOLDER_NAME,
  PLACEHOLDERS_TAKE,
  quoted,
  quotedName,
  RECEIVER_METHODS,
} from "./schemaValues";

/** A dotted path into a JSON answer: object keys, and array indexes as numbers (`items.0.key`). */
export const FIELD_PATH = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

const REMEMBER_EXAMPLE = "remember: { JIRA_ISSUE: key }";

/** The names of values remembered from an answer: placeholders of the receiver's later actions. */
const rememberedName = z
  .string()
  .regex(PLACEHOLDER_NAME, {
    error: (issue) =>
      `${quotedName(issue.input)} is not a placeholder name (letters, digits and "_", not starting with a ` +
      `digit); the name is written $NAME in the later actions, e.g. ${REMEMBER_EXAMPLE}`,
  })
  .refine((name) => !Object.hasOwn(BUILT_IN_PLACEHOLDERS, name), {
    error: (issue) =>
      `${String(issue.input)} is a built-in placeholder, which the notifier fills itself; remember the ` +
      "value under a name of your own",
  })
  .meta({
    description: "The placeholder name the later actions use for the value ($NAME), not a built-in one.",
    not: { enum: BUILT_IN_PLACEHOLDER_NAMES },
  });

/** One action: what a transition (`on`) or a per-build step (`perBuild`) sends. */
export const receiverAction = z.strictObject(
  {
    template: bodyTemplate("an action needs a body").meta({
      description:
        `The request body of this action, written as a block scalar (template: |). ${PLACEHOLDERS_TAKE} ` +
        "$TRANSITION and $FAILURE_COUNT tell the transition, and $NAME a value an earlier action " +
        "remembered. JSON unless the headers set another Content-Type.",
    }),
    path: z
      .string({
        error: (issue) =>
          `expected a URL path as a string, e.g. /rest/api/2/issue, got ${kindOf(issue.input)}`,
      })
      .startsWith("/", {
        error: 'must start with "/": it is appended to the receiver\'s URL, e.g. path: /rest/api/2/issue',
      })
      .regex(/^[^?#]*$/, {
        error:
          'holds a "?" or "#": a path takes no query or fragment; put a query in the receiver\'s URL (its ' +
          "secret), which keeps it after the path",
      })
      .meta({
        description:
          "Appended to the receiver's URL (a query of the URL stays at the end). Each value substituted " +
          "into it is percent-encoded as one path segment, so it can add no segment and no query. Takes " +
          "the built-in placeholders and the values earlier actions remembered; never build variables.",
        examples: ["/rest/api/2/issue", "/rest/api/2/issue/$JIRA_ISSUE/comment"],
      })
      .optional(),
    method: httpMethod()
      .meta({
        description: "The HTTP method of this action: POST, PUT or PATCH. The receiver's method by default.",
        examples: [...RECEIVER_METHODS],
      })
      .optional(),
    remember: z
      .record(
        rememberedName,
        z
          .string({
            error: (issue) =>
              `expected a field path of the answer, e.g. key or fields.id, got ${kindOf(issue.input)}`,
          })
          .regex(FIELD_PATH, {
            error: (issue) =>
              `${quoted(issue.input)} is not a field path: names and array indexes joined by ".", e.g. ` +
              "key, fields.id, items.0.key",
          })
          .meta({
            description: 'Where the value is in the JSON answer: names and array indexes joined by ".".',
          }),
        {
          error: (issue) =>
            issue.code === "invalid_key"
              ? (issue.issues?.[0]?.message ?? "not a placeholder name")
              : `expected a mapping of names to field paths, e.g. ${REMEMBER_EXAMPLE}, got ${kindOf(issue.input)}`,
        },
      )
      .meta({
        description:
          "Values to keep from the JSON body of this action's 2xx answer, for the streak's later actions: " +
          "a placeholder name, and the dotted path of the field (key, fields.id, items.0.key).",
        examples: [{ JIRA_ISSUE: "key" }],
      })
      .optional(),
  },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? "unknown field; an action takes template, path, method and remember"
        : issue.input === undefined
          ? "missing; give the action: a mapping with a template, and optionally path, method and remember"
          : `expected an action: a mapping with a template, and optionally path, method and remember, got ${kindOf(issue.input)}`,
  },
);

/** `on`: the actions per build-health transition. */
export const transitionActions = z
  .strictObject(
    {
      broken: receiverAction
        .meta({
          description:
            "Sent for a failed build (FAILED, TIMED_OUT or FAULT) after a SUCCEEDED one (stopped builds " +
            "aside), or for the project's first failure: the first failure of a streak. Opens the ticket " +
            "or alert; its remember keeps what the answer says for the streak's later actions.",
        })
        .optional(),
      "still-failing": receiverAction
        .meta({
          description:
            "Sent for a failed build after a failed one: each further failure of the streak. " +
            "$FAILURE_COUNT says how many builds have failed in a row.",
        })
        .optional(),
      fixed: receiverAction
        .meta({
          description:
            "Sent for a SUCCEEDED build after a failed one: the streak is over. Closes the ticket or " +
            "resolves the alert.",
        })
        .optional(),
    },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? `not a transition; on takes ${TRANSITIONS.join(", ")}`
          : `expected a mapping of transitions (${TRANSITIONS.join(", ")}) to actions, got ${kindOf(issue.input)}`,
    },
  )
  .refine((actions) => TRANSITIONS.some((transition) => actions[transition] !== undefined), {
    error: `declares no action; give at least one of ${TRANSITIONS.join(", ")}`,
  })
  .meta({
    description:
      "Actions per build-health transition, instead of statuses and template: broken (a failure after " +
      "a success, or the first), still-failing (a failure after a failure) and fixed (a success after " +
      "a failure). The receiver hears failed builds (FAILED, TIMED_OUT, FAULT) and SUCCEEDED ones and " +
      "sends each transition it declares when it happens; a STOPPED build changes nothing. A follow-up " +
      "can use what an earlier action remembered from its answer, such as the key of the ticket it opened.",
    minProperties: 1,
    examples: [
      {
        broken: {
          path: "/rest/api/2/issue",
          template: '{ "fields": { "project": { "key": "OPS" }, "summary": "$PROJECT is failing" } }',
          remember: { JIRA_ISSUE: "key" },
        },
        "still-failing": {
          path: "/rest/api/2/issue/$JIRA_ISSUE/comment",
          template: '{ "body": "Still failing ($FAILURE_COUNT builds): $BUILD_URL" }',
        },
        fixed: {
          path: "/rest/api/2/issue/$JIRA_ISSUE/transitions",
          template: '{ "transition": { "id": "31" } }',
        },
      },
    ],
  })
  .optional();
