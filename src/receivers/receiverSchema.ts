import { z } from "zod";
import { CONFIG_KEY, CONFIG_NAMESPACE } from "./configKeys";
import { ACCOUNT_ID, REGION } from "./awsIdentifiers";
import { BUILT_IN_PLACEHOLDER_NAMES, BUILT_IN_PLACEHOLDERS } from "../shared/placeholders";
import { BUILD_STATUSES, FINAL_BUILD_STATUSES, TRANSITIONS, type BuildStatus } from "../shared/buildStatuses";
import { EVERY_PROJECT } from "../shared/registryFormat";
import { NAME_NOT_SHOWN, PASTED_SECRET, quoteIfHarmless, VALUE_NOT_SHOWN } from "./secretLikeText";

/**
 * Methods that carry a request body: every receiver call sends the rendered template, and GET/DELETE
 * bodies are ignored or refused by most servers.
 */
export const RECEIVER_METHODS = ["POST", "PUT", "PATCH"] as const;

/**
 * The methods in any letter case. Spelled out letter by letter rather than with the `i` flag, because
 * the JSON Schema for editors carries the pattern's source only, without its flags.
 */
const METHOD_PATTERN = new RegExp(
  `^(?:${RECEIVER_METHODS.map((method) =>
    [...method].map((letter) => `[${letter}${letter.toLowerCase()}]`).join(""),
  ).join("|")})$`,
);

/** CodeBuild's own rule for project names (2-255 characters), or the `*` that stands for every project. */
const PROJECT_ENTRY = /^(?:\*|[A-Za-z0-9][A-Za-z0-9_-]{1,254})$/;

/** Names a YAML value's kind for "got ..." messages. Values are never echoed: one may be a pasted secret. */
function kindOf(value: unknown): string {
  if (value === null) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (value instanceof Uint8Array) return "binary data";
  if (typeof value === "object") return "a mapping";
  return `a ${typeof value}`;
}

function configKey(holds: string) {
  return z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? "missing; name the config key that holds the value"
          : `expected a config key name, got ${kindOf(issue.input)}`,
    })
    .regex(CONFIG_KEY, {
      error: (issue) =>
        String(issue.input).startsWith(`${CONFIG_NAMESPACE}:`) &&
        CONFIG_KEY.test(String(issue.input).slice(CONFIG_NAMESPACE.length + 1))
          ? `not a config key name; give the key without the "${CONFIG_NAMESPACE}:" namespace, using ` +
            'letters, digits, "_" and "-", starting with a letter'
          : `not a config key name (letters, digits, "_" and "-", starting with a letter); ${PASTED_SECRET}`,
    })
    .meta({ description: `Config key, without the "codebuild-webhooks:" namespace, holding ${holds}.` });
}

/** A field whose value is a stack secret: the file names the config key, `pulumi config set --secret` holds it. */
function secretReference(field: string, holds: string, description: string) {
  return z
    .strictObject(
      { secret: configKey(holds) },
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
    )
    .meta({ description });
}

/** Items of a list may appear once; the repeat is reported where it stands. */
function noRepeats(list: readonly string[], ctx: z.RefinementCtx): void {
  list.forEach((item, index) => {
    if (list.indexOf(item) < index) {
      ctx.addIssue({
        code: "custom",
        path: [index],
        input: item,
        message: `${quoted(item)} is listed twice`,
      });
    }
  });
}

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

/** A value of a field that never holds a secret, quoted unless it is long or looks like one anyway. */
function quoted(value: unknown): string {
  return quoteIfHarmless(String(value)) ?? VALUE_NOT_SHOWN;
}

/** A name the file gives (a map's key), quoted unless it is long or looks like a secret. */
function quotedName(name: unknown): string {
  return quoteIfHarmless(String(name)) ?? NAME_NOT_SHOWN;
}

function isBuildStatus(value: string): value is BuildStatus {
  return (BUILD_STATUSES as readonly string[]).includes(value);
}

/** What the placeholders of a template take, for the descriptions editors show. */
const PLACEHOLDERS_TAKE =
  `The placeholders ${BUILT_IN_PLACEHOLDER_NAMES.map((name) => `$${name}`).join(", ")} take the ` +
  "event's values, and $NAME any environment variable of the build; $$ is a literal $.";

/** A request body template; `whenNull` says what to do instead of writing nothing. */
function bodyTemplate(whenNull: string) {
  return z.string({
    error: (issue) =>
      issue.input === undefined
        ? "missing; write the request body this action sends (template: | and the body on the next lines)"
        : issue.input === null
          ? `expected the body template as a string, got nothing; ${whenNull}`
          : `expected the body template as a string, got ${kindOf(issue.input)}; write it as a block ` +
            `scalar: "template: |" followed by the body, indented, on the next lines`,
  });
}

function httpMethod() {
  return z
    .string({ error: (issue) => `expected an HTTP method name, got ${kindOf(issue.input)}` })
    .regex(METHOD_PATTERN, {
      error: (issue) =>
        `${quoted(issue.input)} is not a supported method; use POST, PUT or PATCH (a method that ` +
        `carries the body)`,
    })
    .overwrite((method) => method.toUpperCase());
}

/** A placeholder name as the notifier's renderer reads one after `$` (or inside `${...}`). */
export const PLACEHOLDER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A dotted path into a JSON answer: object keys, and array indexes as numbers (`items.0.key`). */
const FIELD_PATH = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

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

/** RFC 6749 section 3.3: scope tokens of printable ASCII but `"` and `\`, separated by single spaces. */
const OAUTH_SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+(?: [\x21\x23-\x5b\x5d-\x7e]+)*$/;
/** An audience is an identifier, mostly a URI: printable ASCII without spaces. */
const OAUTH_AUDIENCE = /^[\x21-\x7e]+$/;
export const OAUTH_CLIENT_AUTH = ["basic", "body"] as const;

const oauthSettings = z
  .strictObject(
    {
      tokenUrl: secretReference(
        "tokenUrl",
        "the token endpoint's URL",
        "The authorization server's token endpoint, a stack secret: an absolute https URL, e.g. " +
          "https://<instance>.service-now.com/oauth_token.do.",
      ),
      clientId: secretReference("clientId", "the OAuth client ID", "The OAuth client ID, a stack secret."),
      clientSecret: secretReference(
        "clientSecret",
        "the OAuth client secret",
        "The OAuth client secret, a stack secret.",
      ),
      scope: z
        .string({ error: (issue) => `expected the scope as text, got ${kindOf(issue.input)}` })
        .regex(OAUTH_SCOPE, {
          error:
            "not an OAuth scope: scope names of printable ASCII characters (no quote or backslash), " +
            "separated by single spaces, e.g. scope: builds.write",
        })
        .meta({
          description:
            "Sent as the token request's scope when set; plain text, kept in the registry item (space-" +
            "separated names, e.g. https://graph.microsoft.com/.default).",
        })
        .optional(),
      audience: z
        .string({ error: (issue) => `expected the audience as text, got ${kindOf(issue.input)}` })
        .regex(OAUTH_AUDIENCE, {
          error: "not an audience: an identifier or URI of printable ASCII characters, without spaces",
        })
        .meta({
          description:
            "Sent as the token request's audience when set (Auth0 and Okta-style servers); plain text, " +
            "kept in the registry item.",
        })
        .optional(),
      clientAuth: z
        .enum(OAUTH_CLIENT_AUTH, {
          error: (issue) =>
            `${typeof issue.input === "string" ? quoted(issue.input) : kindOf(issue.input)} is not a client ` +
            "authentication; use basic (HTTP Basic, the default) or body (client_id and client_secret in " +
            "the form body)",
        })
        .default("basic")
        .meta({
          description:
            "How the client authenticates to the token endpoint: basic (HTTP Basic, the default, which " +
            "RFC 6749 section 2.3.1 requires servers to accept) or body (client_id and client_secret in " +
            "the form body).",
        }),
    },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? "unknown field; oauth takes tokenUrl, clientId, clientSecret, scope, audience and clientAuth"
          : issue.input === undefined
            ? "missing"
            : `expected a mapping with tokenUrl, clientId and clientSecret (each { secret: <config key> }), ` +
              `got ${kindOf(issue.input)}`,
    },
  )
  .meta({
    description:
      "Gets an access token with the OAuth 2.0 client-credentials grant and sends it as Authorization: " +
      "Bearer <token> (over any Authorization header of the headers secret). Tokens are kept per " +
      "container until 60 s before they expire.",
  });

/** The names of body secrets: placeholders of the receiver's templates. */
const bodySecretName = z
  .string()
  .regex(PLACEHOLDER_NAME, {
    error: (issue) =>
      `${quotedName(issue.input)} is not a placeholder name (letters, digits and "_", not starting with a ` +
      "digit); the templates write it $NAME, e.g. secrets: { ROUTING_KEY: { secret: pagerDutyRoutingKey } }",
  })
  .refine((name) => !Object.hasOwn(BUILT_IN_PLACEHOLDERS, name), {
    error: (issue) =>
      `${String(issue.input)} is a built-in placeholder, which the notifier fills itself; give the secret a ` +
      "name of its own",
  })
  .meta({
    description: "The placeholder name the templates use for the secret ($NAME), not a built-in one.",
    not: { enum: BUILT_IN_PLACEHOLDER_NAMES },
  });

const receiverAction = z.strictObject(
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
        : `expected an action: a mapping with a template, and optionally path, method and remember, got ${kindOf(issue.input)}`,
  },
);

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
  secrets: z
    .record(
      bodySecretName,
      secretReference(
        "a body secret",
        "the secret's value",
        "The value, a stack secret, substituted for $NAME in the bodies (never in a URL or path).",
      ),
      {
        error: (issue) =>
          issue.code === "invalid_key"
            ? (issue.issues?.[0]?.message ?? "not a placeholder name")
            : "expected a mapping of placeholder names to { secret: <config key> }, e.g. " +
              `secrets: { ROUTING_KEY: { secret: pagerDutyRoutingKey } }, got ${kindOf(issue.input)}`,
      },
    )
    .refine((secrets) => Object.keys(secrets).length > 0, {
      error: "names no secret; give at least one, e.g. { ROUTING_KEY: { secret: pagerDutyRoutingKey } }",
    })
    .meta({
      description:
        "Secrets the bodies need (PagerDuty's routing_key): placeholder name to the config key holding " +
        "the value. Each is substituted into bodies only, encoded for the body's Content-Type, never into " +
        "a URL or path, and never shown by npm start or npm run render.",
      examples: [{ ROUTING_KEY: { secret: "pagerDutyRoutingKey" } }],
      minProperties: 1,
    })
    .optional(),
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
  on: z
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
    .optional(),
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
        const fields = value as { onlyOnChange?: unknown; statuses?: unknown };
        return fields.onlyOnChange === true && Array.isArray(fields.statuses);
      },
    },
  )
  .meta({
    title: "codebuild-webhooks receiver",
    description:
      "One receiver (receivers/<name>.yaml; the file name names it): the CodeBuild builds it is told " +
      "about, where the notice goes and what it says: statuses and a template, or actions per " +
      "transition under on.",
    // For editors: statuses, or on without statuses, template and onlyOnChange.
    if: { required: ["on"] },
    then: {
      not: {
        anyOf: [{ required: ["statuses"] }, { required: ["template"] }, { required: ["onlyOnChange"] }],
      },
    },
    else: { required: ["statuses"] },
  });

export type ReceiverFile = z.output<typeof receiverFileSchema>;
