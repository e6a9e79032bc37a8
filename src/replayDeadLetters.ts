/** A dead letter as Lambda's on-failure destination writes it: the event and why it failed. */
export interface DeadLetterRecord {
  requestContext?: { condition?: string; approximateInvokeCount?: number };
  requestPayload?: unknown;
  responsePayload?: { errorType?: string; errorMessage?: string };
}

export interface DeadLetter {
  body: string;
  /** Removes the message from the queue. */
  remove(): Promise<void>;
}

export interface DeadLetterQueue {
  /** The next batch of dead letters; empty when the queue has none left. */
  receive(): Promise<DeadLetter[]>;
}

/** Runs the notifier on an event; resolves with the function's error, if it failed. */
export type InvokeNotifier = (event: unknown) => Promise<{ error?: string }>;

export interface ReplayReport {
  replayed: number;
  stillFailing: { reason: string; error: string }[];
}

function describe(record: DeadLetterRecord): string {
  const condition = record.requestContext?.condition ?? "unknown condition";
  const error = record.responsePayload?.errorMessage ?? "no error message";
  return `${condition}: ${error}`;
}

/**
 * Replays the dead-letter queue through the notifier once the receivers are fixed. Receivers that had got
 * an event are skipped by the notifier's delivery records, so a replay sends each notice at most once.
 * A message is removed only when its replay succeeds; failures stay queued for the next replay.
 */
export async function replayDeadLetters(
  queue: DeadLetterQueue,
  invoke: InvokeNotifier,
  log: (line: string) => void,
): Promise<ReplayReport> {
  const report: ReplayReport = { replayed: 0, stillFailing: [] };
  for (let batch = await queue.receive(); batch.length > 0; batch = await queue.receive()) {
    for (const message of batch) {
      const record = JSON.parse(message.body) as DeadLetterRecord;
      const reason = describe(record);
      if (record.requestPayload === undefined) {
        report.stillFailing.push({ reason, error: "the dead letter holds no event" });
        continue;
      }
      const { error } = await invoke(record.requestPayload);
      if (error === undefined) {
        await message.remove();
        report.replayed += 1;
        log(`replayed (${reason})`);
      } else {
        report.stillFailing.push({ reason, error });
        log(`still failing: ${error}`);
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
