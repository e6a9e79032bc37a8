// The pieces the receiver schema is built of, and the words of its messages.
import { z } from "zod";
import { BUILT_IN_PLACEHOLDER_NAMES } from "../shared/placeholders";
import { CONFIG_KEY, configNamespace } from "./configKeys";
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

/** Names a YAML value's kind for "got ..." messages. Values are never echoed: one may be a pasted secret. */
export function kindOf(value: unknown): string {
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
      error: (issue) => {
        const namespace = configNamespace();
        return String(issue.input).startsWith(`${namespace}:`) &&
          CONFIG_KEY.test(String(issue.input).slice(namespace.length + 1))
          ? `not a config key name; give the key without the "${namespace}:" namespace, using ` +
              'letters, digits, "_" and "-", starting with a letter'
          : `not a config key name (letters, digits, "_" and "-", starting with a letter); ${PASTED_SECRET}`;
      },
    })
    .meta({ description: `Config key, without the "codebuild-webhooks:" namespace, holding ${holds}.` });
}

/** A field whose value is a stack secret: the file names the config key, `pulumi config set --secret` holds it. */
export function secretReference(field: string, holds: string, description: string) {
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
export function noRepeats(list: readonly string[], ctx: z.RefinementCtx): void {
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

/** A value of a field that never holds a secret, quoted unless it is long or looks like one anyway. */
export function quoted(value: unknown): string {
  return quoteIfHarmless(String(value)) ?? VALUE_NOT_SHOWN;
}

/** A name the file gives (a map's key), quoted unless it is long or looks like a secret. */
export function quotedName(name: unknown): string {
  return quoteIfHarmless(String(name)) ?? NAME_NOT_SHOWN;
}

/** What the placeholders of a template take, for the descriptions editors show. */
export const PLACEHOLDERS_TAKE =
  `The placeholders ${BUILT_IN_PLACEHOLDER_NAMES.map((name) => `$${name}`).join(", ")} take the ` +
  "event's values, and $NAME any environment variable of the build; $$ is a literal $.";

/** A request body template; `whenNull` says what to do instead of writing nothing. */
export function bodyTemplate(whenNull: string) {
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

export function httpMethod() {
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
