import { configName } from "./receiverSchema";

/**
 * Which receivers a config key may serve. A receiver file names config keys, and whoever adds a file can
 * name any key of the stack: without a rule, a file naming the Slack URL and the Jira headers key would
 * post Jira's credentials into Slack. So every key a receiver names (its URL, headers, signing secret,
 * OAuth token URL, client ID and client secret, body secrets) serves that receiver, and all the receivers
 * naming one key send to one origin (scheme, host and port). The OAuth client credentials are sent to
 * the token endpoint, and buy the token the receiver's URL gets: the receivers naming one key under
 * `oauth` also get their tokens from one origin.
 */

/** A config key a receiver file names for a secret, and where. */
export interface SecretKeyUse {
  key: string;
  /** The field as messages show it: `headers`, `oauth.clientSecret`, `secrets.ROUTING_KEY`. */
  field: string;
  /** The `{ secret: <key> }` reference, for the line of a message. */
  fieldPath: readonly PropertyKey[];
  /** Named under `oauth`: sent to the token endpoint, or naming it. */
  oauth: boolean;
}

/** The secrets one receiver file names, and where its URL and token URL lead, when their config says. */
export interface ReceiverSecrets {
  file: string;
  uses: readonly SecretKeyUse[];
  origin?: string;
  tokenOrigin?: string;
}

/** A key that serves receivers of another origin than the receiver at `receiver` (an index). */
export interface CredentialOriginProblem {
  receiver: number;
  fieldPath: readonly PropertyKey[];
  message: string;
}

/** The origin of an absolute http(s) URL; undefined for anything else, which preview refuses anyway. */
export function originOf(url: string | undefined): string | undefined {
  if (url === undefined || !URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  return ["http:", "https:"].includes(parsed.protocol) ? parsed.origin : undefined;
}

/**
 * Each key named by receivers of more than one origin, reported at every receiver (in file order) whose
 * origin differs from that of the first receiver naming it, once per receiver and key. Receivers whose
 * URL (or token URL) has no origin are left out: their config is refused on its own. Messages name the
 * files, fields and key, never a value.
 */
export function credentialOriginProblems(receivers: readonly ReceiverSecrets[]): CredentialOriginProblem[] {
  const problems: CredentialOriginProblem[] = [];
  type FirstUse = { receiver: ReceiverSecrets; use: SecretKeyUse };
  const firstByUrl = new Map<string, FirstUse>();
  const firstByToken = new Map<string, FirstUse>();
  receivers.forEach((receiver, index) => {
    const reported = new Set<string>();
    for (const use of receiver.uses) {
      if (reported.has(use.key)) continue;
      const problem =
        differentOrigin(firstByUrl, use, receiver, receiver.origin, "URL") ??
        (use.oauth
          ? differentOrigin(firstByToken, use, receiver, receiver.tokenOrigin, "OAuth token URL")
          : undefined);
      if (problem) {
        reported.add(use.key);
        problems.push({ receiver: index, fieldPath: use.fieldPath, message: problem });
      }
    }
  });
  return problems;

  function differentOrigin(
    firstUses: Map<string, FirstUse>,
    use: SecretKeyUse,
    receiver: ReceiverSecrets,
    origin: string | undefined,
    url: string,
  ): string | undefined {
    if (origin === undefined) return undefined;
    const first = firstUses.get(use.key);
    if (first === undefined) {
      firstUses.set(use.key, { receiver, use });
      return undefined;
    }
    const firstOrigin = url === "URL" ? first.receiver.origin : first.receiver.tokenOrigin;
    if (first.receiver === receiver || firstOrigin === origin) return undefined;
    const rule =
      url === "URL"
        ? "a config key serves receivers of one origin only, so that the URL or credentials it holds go " +
          "nowhere else"
        : "OAuth client credentials go to the token endpoints of one origin only";
    return (
      `${configName(use.key)} also serves ${first.receiver.file} (${first.use.field}), whose ${url} has ` +
      `another origin (scheme, host or port) than this receiver's; ${rule}: give one of the two receivers ` +
      "a key of its own"
    );
  }
}
