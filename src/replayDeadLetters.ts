/** A dead letter as Lambda's on-failure destination writes it: the event and why it failed. */
export interface DeadLetterRecord {
  version?: string;
  requestContext?: { functionArn?: string; condition?: string; approximateInvokeCount?: number };
  requestPayload?: unknown;
  responsePayload?: { errorType?: string; errorMessage?: string };
}

export interface DeadLetter {
  /** The message's ID in the queue: how a refused message is named, never by its body. */
  id: string;
  body: string;
  /** Removes the message from the queue. */
  remove(): Promise<void>;
}

export interface DeadLetterQueue {
  /** The next batch of dead letters; empty when the queue has none left. */
  receive(): Promise<DeadLetter[]>;
}

/** The notifier a replay invokes: the one function whose failure records it replays. */
export interface NotifierFunction {
  region: string;
  account: string;
  name: string;
}

/** Runs the notifier on an event; resolves with the function's error, if it failed. */
export type InvokeNotifier = (event: unknown) => Promise<{ error?: string }>;

export interface ReplayReport {
  replayed: number;
  stillFailing: { reason: string; error: string }[];
  /** Messages that are no failure records of the notifier: left in the queue, never invoked. */
  refused: { messageId: string; reason: string }[];
}

function describe(record: DeadLetterRecord): string {
  const condition = record.requestContext?.condition ?? "unknown condition";
  const error = record.responsePayload?.errorMessage ?? "no error message";
  return `${condition}: ${error}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `arn:<partition>:lambda:<region>:<account>:function:<name>[:<version or alias>]`. */
const FUNCTION_ARN =
  /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([A-Za-z0-9_-]+)(?::[A-Za-z0-9$_-]+)?$/;

/** The notifier's events: what its EventBridge rule matches, and all it acts on. */
const BUILD_EVENT = { source: "aws.codebuild", detailType: "CodeBuild Build State Change" };

/**
 * Why a message is not a record Lambda's on-failure destination wrote for the notifier (undefined when
 * it is one): version 1.0, the notifier's ARN as `requestContext.functionArn` (any version or alias of
 * it), a `requestContext.condition`, and a CodeBuild build state change as `requestPayload`. The
 * reasons name fields and the notifier, never a value from the message: whoever planted it wrote them.
 */
export function refusalOf(body: string, notifier: NotifierFunction): string | undefined {
  let record: unknown;
  try {
    record = JSON.parse(body);
  } catch {
    return "its body is not JSON";
  }
  if (!isRecord(record)) return "its body is not a JSON object";
  if (record.version !== "1.0") return 'it is not a Lambda invocation record (its version is not "1.0")';
  const context = isRecord(record.requestContext) ? record.requestContext : {};
  if (typeof context.functionArn !== "string") return "it names no function (requestContext.functionArn)";
  const [, region, account, name] = FUNCTION_ARN.exec(context.functionArn) ?? [];
  if (region !== notifier.region || account !== notifier.account || name !== notifier.name) {
    return (
      `requestContext.functionArn is not function ${notifier.name} of account ${notifier.account} in ` +
      `${notifier.region}: the record is another function's`
    );
  }
  if (typeof context.condition !== "string")
    return "it gives no failure condition (requestContext.condition)";
  const event = record.requestPayload;
  if (!isRecord(event)) return "it holds no event (requestPayload)";
  if (event.source !== BUILD_EVENT.source || event["detail-type"] !== BUILD_EVENT.detailType) {
    return `its event (requestPayload) is not a ${BUILD_EVENT.detailType} of source ${BUILD_EVENT.source}`;
  }
  return undefined;
}

/**
 * What a terminal would act on rather than show: C0 and C1 control characters (escape sequences start
 * with ESC, U+001B, or CSI, U+009B), DEL, the Unicode line and paragraph separators, and the bidirectional
 * marks, embeddings, overrides and isolates, which reorder what follows them on the line.
 */
// eslint-disable-next-line no-control-regex -- what must not reach the terminal
const NOT_PRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/**
 * A line with every character a terminal would act on written as its escape (`\u001b`): what the replay
 * prints comes, in part, from the messages, which whoever sent them wrote.
 */
export function printable(line: string): string {
  return line.replace(NOT_PRINTABLE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * Replays the dead-letter queue through the notifier once the receivers are fixed. Receivers that had got
 * an event are skipped by the notifier's delivery records, so a replay sends each notice at most once.
 * A message is removed only when its replay succeeds; failures stay queued for the next replay. A
 * message that is not a failure record of the notifier is never invoked: it is refused by its ID and
 * reason, and left in the queue for someone to look at. What a line repeats of a message (the failure's
 * condition and error) is printed with its control characters escaped.
 */
export async function replayDeadLetters(
  queue: DeadLetterQueue,
  notifier: NotifierFunction,
  invoke: InvokeNotifier,
  log: (line: string) => void,
): Promise<ReplayReport> {
  const print = (line: string) => log(printable(line));
  const report: ReplayReport = { replayed: 0, stillFailing: [], refused: [] };
  for (let batch = await queue.receive(); batch.length > 0; batch = await queue.receive()) {
    for (const message of batch) {
      const refusal = refusalOf(message.body, notifier);
      if (refusal !== undefined) {
        report.refused.push({ messageId: message.id, reason: refusal });
        print(`refused message ${message.id}: ${refusal}`);
        continue;
      }
      const record = JSON.parse(message.body) as DeadLetterRecord;
      const reason = describe(record);
      const { error } = await invoke(record.requestPayload);
      if (error === undefined) {
        await message.remove();
        report.replayed += 1;
        print(`replayed (${reason})`);
      } else {
        report.stillFailing.push({ reason, error });
        print(`still failing: ${error}`);
      }
    }
  }
  return report;
}

/** An AWS region code: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`. */
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;
/** The domains of AWS service endpoints; any other host is a custom endpoint and names no region. */
const AWS_DOMAIN = /\.(?:amazonaws\.com(?:\.cn)?|api\.aws)$/;

/**
 * The region an SQS queue URL names: `https://sqs.<region>.amazonaws.com/<account>/<queue>` (also FIPS,
 * dual-stack and China hosts), a VPC endpoint's `vpce-….sqs.<region>.vpce.amazonaws.com`, or the legacy
 * `<region>.queue.amazonaws.com` and `queue.amazonaws.com` (us-east-1). Undefined for any other host.
 */
export function queueUrlRegion(queueUrl: string): string | undefined {
  let host: string;
  try {
    host = new URL(queueUrl).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  if (!AWS_DOMAIN.test(host)) return undefined;
  if (host === "queue.amazonaws.com") return "us-east-1";
  const labels = host.split(".");
  return labels.find(
    (label, at) =>
      REGION.test(label) && (/^sqs(?:-fips)?$/.test(labels[at - 1] ?? "") || labels[at + 1] === "queue"),
  );
}

/**
 * The region to replay in: `AWS_REGION` or `AWS_DEFAULT_REGION` when set, else the queue URL's. The
 * queue and the notifier are in one region, so an environment naming another is refused rather than
 * sending the calls to the wrong region.
 */
export function replayRegion(queueUrl: string, env: NodeJS.ProcessEnv): string {
  if (!/^https?:\/\/[^/]/i.test(queueUrl) || !URL.canParse(queueUrl)) {
    throw new Error(
      `--queue-url ${queueUrl}: not a URL; give the queue's URL, as pulumi stack output deadLetterQueueUrl prints it`,
    );
  }
  const variable = ["AWS_REGION", "AWS_DEFAULT_REGION"].find((name) => env[name]);
  const fromUrl = queueUrlRegion(queueUrl);
  if (variable === undefined) {
    if (fromUrl !== undefined) return fromUrl;
    throw new Error(
      `--queue-url ${queueUrl}: the URL names no region (it is not https://sqs.<region>.amazonaws.com/...) ` +
        "and neither AWS_REGION nor AWS_DEFAULT_REGION is set; set AWS_REGION to the queue's region",
    );
  }
  const region = env[variable] as string;
  if (fromUrl !== undefined && fromUrl !== region) {
    throw new Error(
      `--queue-url is in ${fromUrl}, but ${variable} is ${region}; the queue and the notifier are in ` +
        `${fromUrl}: unset ${variable} or set it to ${fromUrl}`,
    );
  }
  return region;
}

/** The account a queue URL names: its path is `/<account>/<queue name>` on every SQS host. */
export function queueUrlAccount(queueUrl: string): string | undefined {
  let pathname: string;
  try {
    pathname = new URL(queueUrl).pathname;
  } catch {
    return undefined;
  }
  return /^\/(\d{12})\/[^/]+\/?$/.exec(pathname)?.[1];
}

/**
 * The notifier a replay invokes, whose failure records it takes: `--function` as a name (the stack output
 * functionName) in the replay's region and the queue's account, or as the function's ARN in them. The
 * queue and the notifier are in one account and region.
 */
export function replayedNotifier(functionFlag: string, queueUrl: string, region: string): NotifierFunction {
  const account = queueUrlAccount(queueUrl);
  if (account === undefined) {
    throw new Error(
      `--queue-url ${queueUrl}: the URL names no account (its path is not /<account>/<queue name>); give the ` +
        "queue's URL, as pulumi stack output deadLetterQueueUrl prints it",
    );
  }
  if (/^[A-Za-z0-9_-]{1,64}$/.test(functionFlag)) return { region, account, name: functionFlag };
  const [, arnRegion, arnAccount, name] = FUNCTION_ARN.exec(functionFlag) ?? [];
  if (name === undefined || functionFlag.split(":").length > 7) {
    throw new Error(
      `--function ${functionFlag}: not a function name or an unqualified function ARN; give the notifier's ` +
        "name, as pulumi stack output functionName prints it",
    );
  }
  if (arnRegion !== region || arnAccount !== account) {
    throw new Error(
      `--function is a function of account ${arnAccount} in ${arnRegion}, but the queue is in account ` +
        `${account} in ${region}: the notifier and its dead-letter queue are in one account and region`,
    );
  }
  return { region, account, name };
}
