import { z } from "zod";
import { BUILT_IN_PLACEHOLDER_NAMES, BUILT_IN_PLACEHOLDERS } from "../shared/placeholders";
import { kindOf, PLACEHOLDER_NAME, quoted, quotedName, secretReference } from "./schemaValues";

/** RFC 6749 section 3.3: scope tokens of printable ASCII but `"` and `\`, separated by single spaces. */
const OAUTH_SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+(?: [\x21\x23-\x5b\x5d-\x7e]+)*$/;
/** An audience is an identifier, mostly a URI: printable ASCII without spaces. */
const OAUTH_AUDIENCE = /^[\x21-\x7e]+$/;
export const OAUTH_CLIENT_AUTH = ["basic", "body"] as const;

export const oauthSettings = z
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

/** `secrets`: the body secrets, each a placeholder name and the config key holding its value. */
export const bodySecrets = z
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
  .optional();
