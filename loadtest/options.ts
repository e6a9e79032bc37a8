import { parseArgs } from "node:util";

/** The faults a run injects; each is on unless switched off. */
export interface FaultSwitches {
  /** Receivers answer 500, 502 or 503 to some requests. */
  receiverErrors: boolean;
  /** Receivers answer 429 with `Retry-After: 1` to some requests. */
  rateLimits: boolean;
  /** Receivers never answer some requests. */
  hangs: boolean;
  /** Receivers reset the connection on some requests, without an answer. */
  resets: boolean;
  /** One receiver answers every request with 503 during the burst, and is back for the replay. */
  outage: boolean;
  /** The parameter store throttles reads past 40 per second. */
  parameterThrottling: boolean;
  /** DynamoDB throttles a fraction of the notifier's calls. */
  dynamoDbThrottling: boolean;
  /** One container is killed (SIGKILL) while it delivers an event. */
  containerKill: boolean;
}

/** The two runs of `npm run loadtest`: the burst of plain deliveries, and the streak run. */
export type LoadTestPart = "burst" | "streaks";

export interface LoadTestOptions {
  events: number;
  receivers: number;
  containers: number;
  seed: number;
  faults: FaultSwitches;
  /** Lambda delivers a small fraction of events twice, as its asynchronous invocation may. */
  duplicateEvents: boolean;
  /** Builds per project in the streak run. */
  builds: number;
  /** Runs one part only; both by default. */
  only?: LoadTestPart;
}

/** Projects of the streak run. */
export const STREAK_RUN_PROJECTS = 4;

/** Each fault's switch on the command line: `--no-<flag>`. */
const FAULT_FLAGS: Record<keyof FaultSwitches, string> = {
  receiverErrors: "receiver-errors",
  rateLimits: "rate-limits",
  hangs: "hangs",
  resets: "resets",
  outage: "outage",
  parameterThrottling: "parameter-throttling",
  dynamoDbThrottling: "dynamodb-throttling",
  containerKill: "kill",
};

const LIMITS = { events: 10_000, receivers: 100, containers: 50, builds: 100 };

export const DEFAULT_OPTIONS: LoadTestOptions = {
  events: 1000,
  receivers: 20,
  containers: 10,
  seed: 1,
  faults: {
    receiverErrors: true,
    rateLimits: true,
    hangs: true,
    resets: true,
    outage: true,
    parameterThrottling: true,
    dynamoDbThrottling: true,
    containerKill: true,
  },
  duplicateEvents: true,
  builds: 40,
};

export const USAGE = `Usage: npm run loadtest -- [options]

Runs a burst of CodeBuild events through the notifier's code archive (as npm run package builds it)
in local Lambda containers, against the local DynamoDB and parameter store and loopback receivers,
with faults injected; then replays the dead-letter queue with npm run replay-dead-letters and checks
that every notice arrived once, or is still in the dead-letter queue with its reason. Then the streak
run: builds of ${STREAK_RUN_PROJECTS} projects with failure streaks, finishing together and out of order, for
receivers with actions (tickets, alerts, threads) and one with a message per build (each build's
IN_PROGRESS too, before, with or after its final event), with slow receivers and failing and hanging
table writes, checked against a model of what each receiver must see. Nothing leaves the machine. Exits 1
when an invariant fails, 2 for a bad option.

Options:
  --events N                  build events in the burst (default ${DEFAULT_OPTIONS.events}, at most ${LIMITS.events})
  --receivers N               receivers of the burst (default ${DEFAULT_OPTIONS.receivers}, at most ${LIMITS.receivers})
  --builds N                  builds per project in the streak run (default ${DEFAULT_OPTIONS.builds}, at most ${LIMITS.builds})
  --containers N              concurrent Lambda containers (default ${DEFAULT_OPTIONS.containers}, at most ${LIMITS.containers})
  --seed N                    the seed of every random choice (default ${DEFAULT_OPTIONS.seed})
  --only burst|streaks        run one part only
  (the switches below are the burst's; the streak run keeps its faults)
  --no-faults                 inject no fault (Lambda's retries and duplicate events stay)
  --no-receiver-errors        receivers never answer 5xx
  --no-rate-limits            receivers never answer 429
  --no-hangs                  receivers never hang
  --no-resets                 receivers never reset a connection
  --no-outage                 no receiver is down during the burst
  --no-parameter-throttling   the parameter store never throttles
  --no-dynamodb-throttling    DynamoDB never throttles
  --no-kill                   no container is killed
  --no-duplicates             Lambda delivers every event once
  --help                      show this text

docs/reliability.md says what each fault does and what the figures mean.`;

/** A problem with the command line; reported with exit code 2. */
export class LoadTestUsageError extends Error {}

function count(name: keyof typeof LIMITS, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > LIMITS[name]) {
    throw new LoadTestUsageError(`--${name} ${value}: give a whole number from 1 to ${LIMITS[name]}`);
  }
  return number;
}

/** The run's options from its command line; undefined when `--help` asks for the usage. */
export function parseLoadTestOptions(args: string[]): LoadTestOptions | undefined {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        events: { type: "string" },
        receivers: { type: "string" },
        containers: { type: "string" },
        builds: { type: "string" },
        seed: { type: "string" },
        only: { type: "string" },
        "no-faults": { type: "boolean" },
        "no-duplicates": { type: "boolean" },
        help: { type: "boolean" },
        ...Object.fromEntries(Object.values(FAULT_FLAGS).map((flag) => [`no-${flag}`, { type: "boolean" }])),
      },
    }));
  } catch (error) {
    throw new LoadTestUsageError(
      `${(error as Error).message}\nnpm run loadtest -- --help lists the options.`,
    );
  }
  if (values.help) return undefined;
  const seed = values.seed === undefined ? DEFAULT_OPTIONS.seed : Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new LoadTestUsageError(`--seed ${String(values.seed)}: give a whole number, 0 or more`);
  }
  const only = values.only as string | undefined;
  if (only !== undefined && only !== "burst" && only !== "streaks") {
    throw new LoadTestUsageError(`--only ${only}: give burst or streaks`);
  }
  const flags = values as Record<string, string | boolean | undefined>;
  const faults = Object.fromEntries(
    Object.entries(FAULT_FLAGS).map(([fault, flag]) => [fault, !flags["no-faults"] && !flags[`no-${flag}`]]),
  ) as unknown as FaultSwitches;
  return {
    events: count("events", values.events as string | undefined, DEFAULT_OPTIONS.events),
    receivers: count("receivers", values.receivers as string | undefined, DEFAULT_OPTIONS.receivers),
    containers: count("containers", values.containers as string | undefined, DEFAULT_OPTIONS.containers),
    seed,
    faults,
    duplicateEvents: !values["no-duplicates"],
    builds: count("builds", values.builds as string | undefined, DEFAULT_OPTIONS.builds),
    ...(only ? { only } : {}),
  };
}

/** The command line that gives `options`, for the report. */
export function commandFor(options: LoadTestOptions): string {
  const args: string[] = [];
  for (const name of ["events", "receivers", "builds", "containers", "seed"] as const) {
    if (options[name] !== DEFAULT_OPTIONS[name]) args.push(`--${name} ${options[name]}`);
  }
  if (options.only) args.push(`--only ${options.only}`);
  const off = Object.entries(FAULT_FLAGS).filter(([fault]) => !options.faults[fault as keyof FaultSwitches]);
  if (off.length === Object.keys(FAULT_FLAGS).length) args.push("--no-faults");
  else args.push(...off.map(([, flag]) => `--no-${flag}`));
  if (!options.duplicateEvents) args.push("--no-duplicates");
  return `npm run loadtest${args.length > 0 ? ` -- ${args.join(" ")}` : ""}`;
}
