import type { InjectedFault, ProxiedRequest } from "../local/dynamoDbProxy";
import type { FaultSwitches } from "./options";
import { draw } from "./random";

/** How often each fault strikes: per request to a receiver, per call to DynamoDB. */
export const FAULT_RATES = {
  /** 500, 502 or 503. */
  receiverError: 0.02,
  /** 429 with `Retry-After: 1`. */
  rateLimit: 0.01,
  /** No answer at all: the notifier's attempt timeout ends it. */
  hang: 0.002,
  /** The connection is reset before any answer. */
  reset: 0.01,
  /** ProvisionedThroughputExceededException or ThrottlingException instead of the call's answer. */
  dynamoDbThrottle: 0.05,
};

/** GetParameters' default quota per account and region. */
export const PARAMETER_STORE_READS_PER_SECOND = 40;
/** What the receiver that is down answers: 503, come back in two minutes (longer than any attempt waits). */
export const OUTAGE_RETRY_AFTER_SECONDS = 120;

export type ReceiverAnswer =
  | { kind: "accept" }
  | { kind: "error"; status: number }
  | { kind: "rate-limit" }
  | { kind: "hang" }
  | { kind: "reset" };

const ERROR_STATUSES = [500, 502, 503];

/**
 * How a receiver answers one request: decided by the seed, the delivery's webhook-id and how many
 * requests of that delivery the receiver had before, so a run with the same seed meets the same faults.
 */
export function receiverAnswer(
  seed: number,
  faults: FaultSwitches,
  receiver: string,
  webhookId: string,
  requestOfDelivery: number,
): ReceiverAnswer {
  let roll = draw(seed, "receiver", receiver, webhookId, requestOfDelivery);
  const strikes = (on: boolean, rate: number): boolean => {
    if (!on) return false;
    if (roll < rate) return true;
    roll -= rate;
    return false;
  };
  if (strikes(faults.receiverErrors, FAULT_RATES.receiverError)) {
    return { kind: "error", status: ERROR_STATUSES[requestOfDelivery % ERROR_STATUSES.length] };
  }
  if (strikes(faults.rateLimits, FAULT_RATES.rateLimit)) return { kind: "rate-limit" };
  if (strikes(faults.hangs, FAULT_RATES.hang)) return { kind: "hang" };
  if (strikes(faults.resets, FAULT_RATES.reset)) return { kind: "reset" };
  return { kind: "accept" };
}

/** The registry-table item a DynamoDB call is about: its key, or the partition a query reads. */
function itemOf(request: ProxiedRequest): string {
  const { Key, Item, ExpressionAttributeValues } = request.input as {
    Key?: Record<string, { S?: string }>;
    Item?: Record<string, { S?: string }>;
    ExpressionAttributeValues?: Record<string, { S?: string }>;
  };
  const key = Key ?? Item;
  if (key) return `${key.project?.S} ${key.hook_url_param_name?.S}`;
  return ExpressionAttributeValues?.[":project"]?.S ?? ExpressionAttributeValues?.[":event"]?.S ?? "";
}

/**
 * Decides which DynamoDB calls are throttled: by the seed, the call's operation and item, and how many
 * such calls came before, half as ProvisionedThroughputExceededException, half as ThrottlingException.
 * Returns the decision function for the proxy and a count of the faults it injected.
 */
export function dynamoDbThrottling(seed: number): {
  decide: (request: ProxiedRequest) => InjectedFault | undefined;
  injected: () => number;
} {
  const seen = new Map<string, number>();
  let injected = 0;
  return {
    decide(request) {
      const call = `${request.operation} ${itemOf(request)}`;
      const nth = seen.get(call) ?? 0;
      seen.set(call, nth + 1);
      const roll = draw(seed, "dynamodb", call, nth);
      if (roll >= FAULT_RATES.dynamoDbThrottle) return undefined;
      injected += 1;
      const type =
        roll < FAULT_RATES.dynamoDbThrottle / 2
          ? "ProvisionedThroughputExceededException"
          : "ThrottlingException";
      return { status: 400, type };
    },
    injected: () => injected,
  };
}

/** How often the streak run's table faults strike, per distinct call. */
export const STREAK_TABLE_FAULT_RATES = {
  /** A write of a streak or delivery record fails with HTTP 500, every attempt the SDK makes of it. */
  writeError: 0.03,
  /** A write of a streak or delivery record never gets an answer. */
  writeHang: 0.01,
  /** A read of the streak records is answered late (300 to 1,500 ms): a slow decision. */
  slowRead: 0.1,
};

/**
 * A call's content without the times it holds (`:now`, a lease's end, an expiry): the same write of a
 * run, or of another run with the same seed, has the same content; the SDK's retries of it too.
 */
function timelessContent(request: ProxiedRequest): string {
  const values = (request.input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
  return JSON.stringify({
    ...request.input,
    ExpressionAttributeValues: Object.fromEntries(
      Object.entries(values).filter(([name]) => !/now|until|expire/i.test(name)),
    ),
  });
}

/**
 * The streak run's table faults, over DynamoDB's throttling: writes of `#remember:` and `#delivery:`
 * records that fail (HTTP 500, for every attempt of the same call: the SDK retries it with the same
 * body) or hang, and streak-record queries answered late. Decided by the seed and the call's content
 * (without the times it holds).
 */
export function streakTableFaults(seed: number): {
  decide: (request: ProxiedRequest) => InjectedFault | undefined;
  injected: () => { errors: number; hangs: number; slowReads: number };
} {
  const throttling = dynamoDbThrottling(seed);
  const injected = { errors: 0, hangs: 0, slowReads: 0 };
  return {
    decide(request) {
      const partition = itemOf(request);
      const content = timelessContent(request);
      const roll = draw(seed, "table", request.operation, content);
      const records = ["#remember:", "#delivery:", "#build:"].some((prefix) => partition.startsWith(prefix));
      if (request.operation === "UpdateItem" && records) {
        if (roll < STREAK_TABLE_FAULT_RATES.writeError) {
          injected.errors += 1;
          return { status: 500, type: "InternalServerError" };
        }
        if (roll < STREAK_TABLE_FAULT_RATES.writeError + STREAK_TABLE_FAULT_RATES.writeHang) {
          injected.hangs += 1;
          return { hang: true };
        }
      }
      if (
        request.operation === "Query" &&
        (partition.startsWith("#remember:") || partition.startsWith("#build:"))
      ) {
        if (roll < STREAK_TABLE_FAULT_RATES.slowRead) {
          injected.slowReads += 1;
          return { delayMs: 300 + Math.floor(draw(seed, "slow read", content) * 1200) };
        }
      }
      return throttling.decide(request);
    },
    injected: () => ({ ...injected }),
  };
}
