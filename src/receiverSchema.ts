import { z } from "zod";
import { BUILD_STATUSES } from "./receiverDefinition";

/**
 * Methods that carry a request body: every receiver call sends the rendered template, and GET/DELETE
 * bodies are ignored or refused by most servers.
 */
export const RECEIVER_METHODS = ["POST", "PUT", "PATCH"] as const;

/** CodeBuild's own rule for project names (2-255 characters). */
const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{1,254}$/;

/**
 * A config key without its `codebuild-webhooks:` namespace. Kept to characters that are safe to print
 * in the `pulumi config set` command that messages suggest, and free of the `.` that `--path` reads.
 */
export const CONFIG_KEY = /^[A-Za-z][A-Za-z0-9_-]*$/;

const RECEIVER_FIELDS = "projects, statuses, url, headers, template, method";

/** Names a YAML value's kind for "got ..." messages. Values are never echoed: one may be a pasted secret. */
function kindOf(value: unknown): string {
  if (value === null) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (value instanceof Uint8Array) return "binary data";
  if (typeof value === "object") return "a mapping";
  return `a ${typeof value}`;
}

const configKey = z
  .string({
    error: (issue) =>
      issue.input === undefined
        ? "missing; name the config key that holds the value"
        : `expected a config key name, got ${kindOf(issue.input)}`,
  })
  .regex(CONFIG_KEY, {
    error:
      'not a config key name; give the key without the "codebuild-webhooks:" namespace, using letters, ' +
      'digits, "_" and "-", starting with a letter',
  });

function secretReference(field: "url" | "headers", holds: string) {
  return z.strictObject(
    { secret: configKey },
    {
      error: (issue) => {
        if (issue.code === "unrecognized_keys") return `unknown field; ${field} takes only "secret"`;
        const expected = `expected { secret: <config key> }, where the config key holds ${holds}`;
        return issue.input === undefined
          ? `missing; ${expected}`
          : `${expected}, got ${kindOf(issue.input)}; ${field} values are secrets: store them with ` +
              `pulumi config set --secret and name the key here`;
      },
    },
  );
}

/** Items of a list may appear once; the repeat is reported where it stands. */
function noRepeats(list: readonly string[], ctx: z.RefinementCtx): void {
  list.forEach((item, index) => {
    if (list.indexOf(item) < index) {
      ctx.addIssue({ code: "custom", path: [index], input: item, message: `"${item}" is listed twice` });
    }
  });
}

/** The content of one `receivers/<name>.yaml` file. */
export const receiverFileSchema = z.strictObject(
  {
    projects: z
      .array(
        z
          .string({ error: (issue) => `expected a CodeBuild project name, got ${kindOf(issue.input)}` })
          .regex(PROJECT_NAME, {
            error: (issue) =>
              `"${String(issue.input)}" is not a CodeBuild project name (2-255 letters, digits, "-" or "_", ` +
              `starting with a letter or digit)`,
          }),
        {
          error: (issue) =>
            issue.input === undefined
              ? "missing; list the CodeBuild projects whose builds this receiver is told about"
              : `expected a list of CodeBuild project names, e.g. [my-app], got ${kindOf(issue.input)}`,
        },
      )
      .min(1, { error: "is empty; list at least one CodeBuild project" })
      .superRefine(noRepeats),
    statuses: z
      .array(
        z.enum(BUILD_STATUSES, {
          error: (issue) =>
            typeof issue.input === "string"
              ? `"${issue.input}" is not a build status; use one of ${BUILD_STATUSES.join(", ")}`
              : `expected a build status (one of ${BUILD_STATUSES.join(", ")}), got ${kindOf(issue.input)}`,
        }),
        {
          error: (issue) =>
            issue.input === undefined
              ? `missing; list the build statuses to report, from ${BUILD_STATUSES.join(", ")}`
              : `expected a list of build statuses, e.g. [FAILED], got ${kindOf(issue.input)}`,
        },
      )
      .min(1, { error: `is empty; list at least one of ${BUILD_STATUSES.join(", ")}` })
      .superRefine(noRepeats),
    url: secretReference("url", "the receiver's URL"),
    headers: secretReference("headers", "a JSON object of header names to values").optional(),
    template: z
      .string({
        error: (issue) =>
          issue.input === null
            ? "expected the body template as a string, got nothing; remove the field to send the default body"
            : `expected the body template as a string, got ${kindOf(issue.input)}; write it as a block ` +
              `scalar: "template: |" followed by the body, indented, on the next lines`,
      })
      .optional(),
    method: z
      .string({ error: (issue) => `expected an HTTP method name, got ${kindOf(issue.input)}` })
      .refine((method) => (RECEIVER_METHODS as readonly string[]).includes(method.toUpperCase()), {
        error: (issue) =>
          `"${String(issue.input)}" is not a supported method; use POST, PUT or PATCH (a method that ` +
          `carries the body)`,
      })
      .transform((method) => method.toUpperCase())
      .default("POST"),
  },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown field; a receiver takes ${RECEIVER_FIELDS}`
        : `expected a mapping of receiver fields (${RECEIVER_FIELDS}), got ${kindOf(issue.input)}`,
  },
);

export type ReceiverFile = z.output<typeof receiverFileSchema>;
