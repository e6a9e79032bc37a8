import { z } from "zod";
import { PER_BUILD_STEPS } from "../shared/registryFormat";
import { FIELD_PATH, receiverAction } from "./actionSchema";
import { kindOf, quotedName } from "./schemaValues";

/** One message per build: the build's first event posts it, the later ones update it. */
export const perBuildActions = z
  .strictObject(
    {
      post: receiverAction.meta({
        description:
          "Sent for the first event of a build the receiver hears, whatever its status: posts the build's " +
          "message; its remember keeps what the answer says (Slack's channel and ts) for the updates.",
      }),
      update: receiverAction.meta({
        description:
          "Sent for every later event of the build the receiver hears, with the values the post " +
          "remembered: edits the message (Slack's chat.update), or replies in its thread (thread_ts).",
      }),
    },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? `unknown field; perBuild takes ${PER_BUILD_STEPS.join(" and ")}`
          : issue.input === undefined
            ? "missing"
            : `expected a mapping with a post and an update action, got ${kindOf(issue.input)}`,
    },
  )
  .meta({
    description:
      "One message per build instead of one per status, posted once and updated in place: post for the " +
      "build's first event the receiver hears (statuses still say which), update for each later one, " +
      "with the values post remembered. An event older than what the receiver was sent for the build (an " +
      "IN_PROGRESS after the final status) sends nothing. Not with template, on or onlyOnChange.",
    examples: [
      {
        post: {
          path: "/chat.postMessage",
          template: '{ "channel": "C0123ABC", "text": "$PROJECT #$BUILD_NUMBER: $STATUS" }',
          remember: { SLACK_CHANNEL: "channel", SLACK_TS: "ts" },
        },
        update: {
          path: "/chat.update",
          template:
            '{ "channel": "$SLACK_CHANNEL", "ts": "$SLACK_TS", "text": "$PROJECT #$BUILD_NUMBER: $STATUS" }',
        },
      },
    ],
  });

/** What a 2xx answer must hold to count as delivered: dotted field paths to values. */
export const expectedAnswer = z
  .record(
    z.string().regex(FIELD_PATH, {
      error: (issue) =>
        `${quotedName(issue.input)} is not a field path: names and array indexes joined by ".", e.g. ok, ` +
        "data.status, items.0.state",
    }),
    z.union([z.string(), z.number(), z.boolean()], {
      error: (issue) =>
        `expected the value the field must hold, a string, number or boolean (e.g. ok: true), got ${kindOf(issue.input)}`,
    }),
    {
      error: (issue) =>
        issue.code === "invalid_key"
          ? (issue.issues?.[0]?.message ?? "not a field path")
          : `expected a mapping of field paths to values, e.g. answer: { ok: true }, got ${kindOf(issue.input)}`,
    },
  )
  .refine((answer) => Object.keys(answer).length > 0, {
    error: "names no field; give at least one, e.g. answer: { ok: true }",
  })
  .meta({
    description:
      "Values the JSON body of a 2xx answer must hold for the delivery to count (Slack's Web API answers " +
      "200 with ok: false when it refuses): a dotted field path and its string, number or boolean value. " +
      "A 2xx without them is a refused delivery, retried by Lambda and dead-lettered like any other, its " +
      "reason quoting the receiver's error field (Slack's error).",
    examples: [{ ok: true }],
    minProperties: 1,
  });
