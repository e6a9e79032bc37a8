import { z } from "zod";
import { BUILD_STATUSES, FINAL_BUILD_STATUSES, TRANSITIONS, type BuildStatus } from "../shared/buildStatuses";
import { EVERY_PROJECT } from "../shared/registryFormat";
import { transitionActions } from "./actionSchema";
import { ACCOUNT_ID, REGION } from "./awsIdentifiers";
import { bodySecrets, oauthSettings } from "./credentialSchema";
import { expectedAnswer, perBuildActions } from "./perBuildSchema";
import {
  bodyTemplate,
  httpMethod,
  kindOf,
  noRepeats,
  PLACEHOLDERS_TAKE,
  quoted,
  RECEIVER_METHODS,
  secretReference,
} from "./schemaValues";

/** CodeBuild's own rule for project names (2-255 characters), or the `*` that stands for every project. */
const PROJECT_ENTRY = /^(?:\*|[A-Za-z0-9][A-Za-z0-9_-]{1,254})$/;

/** `*` means every project, so a name beside it would say nothing or contradict it. */
function everyProjectAlone(list: readonly string[], ctx: z.RefinementCtx): void {
  const index = list.indexOf(EVERY_PROJECT);
  if (index >= 0 && list.some((project) => project !== EVERY_PROJECT)) {
    ctx.addIssue({
      code: "custom",
      path: [index],
      input: EVERY_PROJECT,
      message: `"*" stands for every project, so it goes alone: projects: ["*"]`,
    });
  }
}

function isBuildStatus(value: string): value is BuildStatus {
  return (BUILD_STATUSES as readonly string[]).includes(value);
}

/** `accounts` or `regions`: a non-empty list of distinct identifiers of one kind. */
function originFilter(kind: string, pattern: RegExp, expected: string, description: string) {
  return z
    .array(
      z
        .string({ error: (issue) => `expected ${expected}, got ${kindOf(issue.input)}` })
        .regex(pattern, { error: (issue) => `${quoted(issue.input)} is not ${expected}` })
        .meta({
          description: `A${/^[aeiou]/.test(kind) ? "n" : ""} ${kind} whose builds this receiver is told about.`,
        }),
      { error: (issue) => `expected a list of ${kind}s, got ${kindOf(issue.input)}` },
    )
    .min(1, { error: `is empty; list at least one ${kind}, or remove the field for any` })
    .superRefine(noRepeats)
    .meta({ description })
    .optional();
}

const receiverFields = {
  projects: z
    .array(
      z
        .string({ error: (issue) => `expected a CodeBuild project name, got ${kindOf(issue.input)}` })
        .regex(PROJECT_ENTRY, {
          error: (issue) =>
            `${quoted(issue.input)} is not a CodeBuild project name (2-255 letters, digits, "-" or "_", ` +
            `starting with a letter or digit), nor "*" for every project`,
        })
        .meta({
          description:
            'A CodeBuild project name, or "*" for every project. Quote the "*": unquoted, YAML reads it as an alias.',
        }),
      {
        error: (issue) =>
          issue.input === undefined
            ? "missing; list the CodeBuild projects whose builds this receiver is told about"
            : `expected a list of CodeBuild project names, e.g. [my-app], got ${kindOf(issue.input)}`,
      },
    )
    .min(1, { error: "is empty; list at least one CodeBuild project" })
    .superRefine(noRepeats)
    .superRefine(everyProjectAlone)
    .meta({
      description:
        'The CodeBuild projects whose builds this receiver is told about, or ["*"] alone for every project ' +
        "of the account and region (projects created later included).",
      examples: [["my-app"], ["*"]],
    }),
  statuses: z
    .array(
      z
        .enum(BUILD_STATUSES, {
          error: (issue) =>
            typeof issue.input === "string"
              ? `${quoted(issue.input)} is not a build status; use one of ${BUILD_STATUSES.join(", ")}`
              : `expected a build status (one of ${BUILD_STATUSES.join(", ")}), got ${kindOf(issue.input)}`,
        })
        .meta({ description: "A CodeBuild build status." }),
      {
        error: (issue) => `expected a list of build statuses, e.g. [FAILED], got ${kindOf(issue.input)}`,
      },
    )
    .min(1, { error: `is empty; list at least one of ${BUILD_STATUSES.join(", ")}` })
    .superRefine(noRepeats)
    .meta({
      description:
        "The build statuses this receiver is told about: IN_PROGRESS (a build started), SUCCEEDED, FAILED " +
        "(which takes in builds that timed out or faulted: $STATUS says TIMED_OUT or FAULT), FAULT, " +
        "TIMED_OUT, STOPPED. Required, unless the receiver declares actions per transition under on instead.",
    })
    .optional(),
  url: secretReference(
    "url",
    "the receiver's URL",
    "The receiver's URL, a stack secret: name the config key that holds it, set with " +
      "pulumi config set --secret codebuild-webhooks:<key> <url>.",
  ),
  headers: secretReference(
    "headers",
    "a JSON object of header names to values",
    "Request headers, a stack secret: the config key holds a JSON object of header names to values, e.g. " +
      '{"Authorization": "Bearer <token>"}. A Content-Type that is not JSON lets the template be plain text.',
  ).optional(),
  signingSecret: secretReference(
    "signingSecret",
    "a Standard Webhooks signing secret",
    "Signs each request the Standard Webhooks way (webhook-id, webhook-timestamp and webhook-signature " +
      'headers). The config key holds the secret: "whsec_" followed by the standard base64 of 24 to 64 ' +
      "random bytes; while a secret is rotated, the new and the old one separated by a space.",
  ).optional(),
  oauth: oauthSettings.optional(),
  secrets: bodySecrets,
  onlyOnChange: z
    .boolean({ error: (issue) => `expected true or false, got ${kindOf(issue.input)}` })
    .meta({
      description:
        "Notify only when the project's final status (SUCCEEDED, FAILED, FAULT, TIMED_OUT or STOPPED) " +
        "differs from its previous final status; a project's first final status counts as a change. " +
        "IN_PROGRESS is not a final status, so such a receiver is never told of it. False by default; not " +
        "with on, whose transitions are changes already.",
    })
    .optional(),
  template: bodyTemplate("remove the field to send the default body")
    .meta({
      description:
        `The request body, written as a block scalar (template: |). ${PLACEHOLDERS_TAKE} JSON unless ` +
        "the headers set another Content-Type. Without it, the notifier's default JSON body is sent. Not " +
        "with on, whose actions have templates of their own.",
    })
    .optional(),
  method: httpMethod()
    .default("POST")
    .meta({ description: "The HTTP method: POST, PUT or PATCH.", examples: [...RECEIVER_METHODS] }),
  on: transitionActions,
  perBuild: perBuildActions.optional(),
  answer: expectedAnswer.optional(),
  accounts: originFilter(
    "account",
    ACCOUNT_ID,
    'a 12-digit AWS account ID, quoted so that YAML keeps it a string: "123456789012"',
    "The AWS accounts whose builds this receiver is told about (12-digit IDs, quoted); without it, every " +
      "account the stack serves (its own, and those of sourceAccounts or organizationId).",
  ),
  regions: originFilter(
    "region",
    REGION,
    "an AWS region such as eu-west-1",
    "The regions whose builds this receiver is told about: the stack's own region, or a spoke's; " +
      "without it, every region.",
  ),
};

const RECEIVER_FIELDS = Object.keys(receiverFields).join(", ");

/** The content of one `receivers/<name>.yaml` file. */
export const receiverFileSchema = z
  .strictObject(receiverFields, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown field; a receiver takes ${RECEIVER_FIELDS}`
        : `expected a mapping of receiver fields (${RECEIVER_FIELDS}), got ${kindOf(issue.input)}`,
  })
  .superRefine(
    (receiver, ctx) => {
      if (receiver.perBuild !== undefined) refusedBesidePerBuild(receiver, ctx);
      // Read as written: the check also runs when other fields have problems, so `on` may hold anything.
      if (receiver.on === undefined) {
        if (receiver.statuses === undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["statuses"],
            input: undefined,
            message:
              `missing; list the build statuses to report, from ${BUILD_STATUSES.join(", ")}, or declare ` +
              `actions per transition under on (${TRANSITIONS.join(", ")})`,
          });
        }
        return;
      }
      const besideOn = {
        statuses:
          "a receiver with actions under on hears the FAILED and SUCCEEDED builds its transitions fall " +
          "on; remove statuses, or remove on to be told of every build of these statuses",
        template:
          "each action under on sends a template of its own; move this body into an action " +
          "(on.<transition>.template), or remove on",
        onlyOnChange:
          "transitions are changes already (broken and fixed are the changes onlyOnChange reports); " +
          "remove onlyOnChange",
      } as const;
      for (const [field, why] of Object.entries(besideOn)) {
        if (receiver[field as keyof typeof besideOn] !== undefined) {
          ctx.addIssue({ code: "custom", path: [field], input: undefined, message: `not with on: ${why}` });
        }
      }
    },
    // Also when other fields have problems, so that one pass reports everything.
    { when: ({ value }) => typeof value === "object" && value !== null && !Array.isArray(value) },
  )
  .superRefine(
    (receiver, ctx) => {
      // Read as written: the check also runs when other fields have problems, so statuses may hold anything.
      (receiver.statuses as readonly string[]).forEach((status, index) => {
        if (isBuildStatus(status) && !FINAL_BUILD_STATUSES.includes(status)) {
          ctx.addIssue({
            code: "custom",
            path: ["statuses", index],
            input: status,
            message:
              `${status} is not a final status, so a receiver with onlyOnChange: true is never told of it; ` +
              `remove it here, or report it from a receiver without onlyOnChange`,
          });
        }
      });
    },
    {
      // Also when other fields have problems, so that one pass reports everything.
      when: ({ value }) => {
        if (typeof value !== "object" || value === null) return false;
        const fields = value as { onlyOnChange?: unknown; statuses?: unknown; perBuild?: unknown };
        // Beside perBuild, onlyOnChange is refused as a whole.
        return (
          fields.onlyOnChange === true && Array.isArray(fields.statuses) && fields.perBuild === undefined
        );
      },
    },
  )
  .meta({
    title: "codebuild-webhooks receiver",
    description:
      "One receiver (receivers/<name>.yaml; the file name names it): the CodeBuild builds it is told " +
      "about, where the notice goes and what it says: statuses and a template, statuses and one message " +
      "per build under perBuild, or actions per transition under on.",
    // For editors: statuses, or on without statuses, template and onlyOnChange; perBuild without
    // template, on and onlyOnChange.
    allOf: [
      {
        if: { required: ["on"] },
        then: {
          not: {
            anyOf: [{ required: ["statuses"] }, { required: ["template"] }, { required: ["onlyOnChange"] }],
          },
        },
        else: { required: ["statuses"] },
      },
      {
        if: { required: ["perBuild"] },
        then: {
          not: {
            anyOf: [{ required: ["template"] }, { required: ["on"] }, { required: ["onlyOnChange"] }],
          },
        },
      },
    ],
  });

export type ReceiverFile = z.output<typeof receiverFileSchema>;

/** perBuild sends templates of its own, and every event of a build it hears: not with these fields. */
function refusedBesidePerBuild(receiver: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const besidePerBuild = {
    template:
      "post and update send templates of their own; move this body into them " +
      "(perBuild.post.template, perBuild.update.template), or remove perBuild",
    on: "a receiver posts one message per build or acts on transitions, not both; use two receiver files",
    onlyOnChange:
      "every event of a build the receiver hears updates its message; remove onlyOnChange, or " +
      "remove perBuild",
  } as const;
  for (const [field, why] of Object.entries(besidePerBuild)) {
    if (receiver[field] !== undefined) {
      ctx.addIssue({ code: "custom", path: [field], input: undefined, message: `not with perBuild: ${why}` });
    }
  }
}
