import { configName } from "./configKeys";

/**
 * Which receivers a config key may serve. A receiver file names config keys, and whoever adds a file can
 * name any key of the stack, for any field: without a rule, a file naming the Slack URL and the Jira
 * headers key would post Jira's credentials into Slack, and one naming the Jira headers key as its OAuth
 * client secret would send them to a token endpoint of its choosing. So a key's value goes to one origin
 * (scheme, host and port), whatever field names it: a field outside `oauth` sends it to its receiver's
 * URL, a field under `oauth` to its receiver's token URL. And all the receivers naming one key send to
 * one origin: a key under `oauth` buys the bearer token those receivers' URLs get.
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

/** Where a use of a key sends its value: its receiver's token URL under `oauth`, else its URL. */
function destinationOf(receiver: ReceiverSecrets, use: SecretKeyUse): string | undefined {
  return use.oauth ? receiver.tokenOrigin : receiver.origin;
}

/** What a use's destination is, for a message. */
function shownDestination(use: SecretKeyUse): string {
  return use.oauth ? "OAuth token URL" : "URL";
}

/**
 * Each key that serves receivers of more than one origin, or whose value would go to more than one
 * origin, reported at every use (in file order) that disagrees with the key's first use, once per
 * receiver and key. Receivers whose URL (or token URL) has no origin are left out: their config is
 * refused on its own. Messages name the files, fields and key, never a value.
 */
export function credentialOriginProblems(receivers: readonly ReceiverSecrets[]): CredentialOriginProblem[] {
  const problems: CredentialOriginProblem[] = [];
  const firstByUrl = new Map<string, FirstUse>();
  const firstByDestination = new Map<string, FirstUse>();
  receivers.forEach((receiver, index) => {
    const reported = new Set<string>();
    for (const use of receiver.uses) {
      if (reported.has(use.key)) continue;
      const servedFirst = firstUse(firstByUrl, { receiver, use, origin: receiver.origin });
      const sentFirst = firstUse(firstByDestination, { receiver, use, origin: destinationOf(receiver, use) });
      let problem: string | undefined;
      if (servedFirst && servedFirst.receiver !== receiver) {
        problem =
          `${configName(use.key)} also serves ${servedFirst.receiver.file} (${servedFirst.use.field}), whose URL ` +
          "has another origin (scheme, host or port) than this receiver's; a config key serves receivers of " +
          "one origin only, so that the URL or credentials it holds go nowhere else";
      } else if (sentFirst && sentFirst.use.oauth && use.oauth) {
        problem =
          `${configName(use.key)} also serves ${sentFirst.receiver.file} (${sentFirst.use.field}), whose OAuth ` +
          "token URL has another origin (scheme, host or port) than this receiver's; OAuth client " +
          "credentials go to the token endpoints of one origin only";
      } else if (sentFirst) {
        const where = sentFirst.receiver === receiver ? "this file" : sentFirst.receiver.file;
        problem =
          `${configName(use.key)} is also named by ${where} (${sentFirst.use.field}), which sends it to its ` +
          `${shownDestination(sentFirst.use)}; here it goes to this receiver's ${shownDestination(use)}, of ` +
          "another origin (scheme, host or port); a config key's value goes to one origin only, whatever " +
          "field names it";
      }
      if (problem) {
        reported.add(use.key);
        problems.push({
          receiver: index,
          fieldPath: use.fieldPath,
          message: `${problem}: give one of the two receivers a key of its own`,
        });
      }
    }
  });
  return problems;
}

/** The first use of a key whose origin is known, and that origin. */
interface FirstUse {
  receiver: ReceiverSecrets;
  use: SecretKeyUse;
  origin: string;
}

/**
 * Records the first use of a key with a known origin; returns that first use when this one has a known
 * origin other than it, else undefined.
 */
function firstUse(firstUses: Map<string, FirstUse>, candidate: Partial<FirstUse> & Omit<FirstUse, "origin">) {
  const { origin } = candidate;
  if (origin === undefined) return undefined;
  const first = firstUses.get(candidate.use.key);
  if (first === undefined) {
    firstUses.set(candidate.use.key, { ...candidate, origin });
    return undefined;
  }
  return first.origin === origin ? undefined : first;
}
