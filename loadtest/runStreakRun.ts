import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { STATUS_KEY_PREFIX, STATUS_SORT_KEY } from "../src/notifier/projectStatus";
import { verdictFromItem } from "../src/notifier/verdict";
import type { AsyncLambda } from "./asyncLambda";
import { failureCauses } from "./failureCauses";
import { streakTableFaults } from "./faults";
import { deployWithReceiverFiles, withAsyncLambda } from "./loadTestStack";
import { replayOnceLeasesEnd, sleep, type ReplayRun } from "./replayDeadLetters";
import { checkPerBuildMessages, type PerBuildModelReport } from "./perBuildModel";
import { checkStreaks, type BuildVerdict, type StreakModelReport } from "./streakModel";
import { startStreakFleet, STREAK_RECEIVER_FILES } from "./streakReceivers";
import { buildStreakScenario, type StreakRunSize, type StreakScenario } from "./streakScenario";
import { loopbackClient } from "../local/loopbackClient";

export interface StreakRunOptions extends StreakRunSize {
  seed: number;
  containers: number;
}

export interface StreakRunResult {
  options: StreakRunOptions;
  /** From the first event sent to the last delivery settled, before the replay. */
  burstS: number;
  requests: number;
  invocations: number;
  lambdaRetries: number;
  failures: [string, number][];
  duplicateEvents: number;
  deadLetters: number;
  replay: ReplayRun;
  tableFaults: { errors: number; hangs: number; slowReads: number };
  model: StreakModelReport;
  /** What the receiver with one message per build took, against its invariants. */
  perBuild: PerBuildModelReport;
  passed: boolean;
  totalS: number;
}

/**
 * The randomized streak run: builds of a few projects with failure streaks, handed to Lambda as the
 * scenario schedules them (builds of one project at once, out of order, some twice) through the
 * notifier's archive in local containers, receivers with actions answering slowly or not at all, and
 * writes of streak, build message and delivery records failing or hanging; each build's IN_PROGRESS
 * event too, mostly before its final event, sometimes with it or after it, for a receiver with one
 * message per build; then `npm run replay-dead-letters`, and the models' invariants over what each
 * receiver took.
 */
export async function runStreakRun(
  options: StreakRunOptions,
  progress: (line: string) => void = () => undefined,
): Promise<StreakRunResult> {
  const started = Date.now();
  const scenario = buildStreakScenario(options.seed, options);
  progress(
    `Streak run (seed ${options.seed}): ${scenario.builds.length} builds of ${scenario.projects.length} projects, ` +
      `${STREAK_RECEIVER_FILES.size} receivers (with actions, and one message per build)`,
  );
  const fleet = await startStreakFleet(options.seed);
  try {
    const stack = await deployWithReceiverFiles(
      STREAK_RECEIVER_FILES,
      fleet.secrets,
      options.containers,
      progress,
    );
    return await withAsyncLambda(stack, async (lambda, deadLetters) => {
      const faults = streakTableFaults(options.seed);
      stack.local.dynamodbProxy.injectFaults(faults.decide);
      const burstStarted = Date.now();
      await sendOnSchedule(scenario, lambda);
      const burstS = (Date.now() - burstStarted) / 1000;

      // The operator replays once the receivers and the table behave and the last lease has run out.
      stack.local.dynamodbProxy.injectFaults(undefined);
      fleet.calm();
      const replay = await replayOnceLeasesEnd(deadLetters, lambda, stack.timeoutMs, progress);

      const model = checkStreaks({
        builds: scenario.builds,
        verdicts: await recordedVerdicts(
          scenario,
          stack.local.dynamodbEndpoint,
          stack.local.deployment.notifierEnvironment.TABLE_NAME,
        ),
        taken: fleet.taken.filter((request) => request.receiver !== "messages"),
        invocations: lambda.invocations,
        deadLetters: deadLetters.bodies,
      });
      const perBuild = checkPerBuildMessages({
        builds: scenario.builds,
        starts: scenario.starts,
        taken: fleet.taken.filter((request) => request.receiver === "messages"),
        invocations: lambda.invocations,
        deadLetters: deadLetters.bodies,
      });
      const asyncRuns = lambda.invocations.filter((invocation) => invocation.attempt !== undefined);
      return {
        options,
        burstS,
        requests: fleet.requests(),
        invocations: asyncRuns.length,
        lambdaRetries: asyncRuns.filter((invocation) => (invocation.attempt ?? 0) > 0).length,
        failures: failureCauses(asyncRuns),
        duplicateEvents: scenario.duplicates.size,
        deadLetters: lambda.deadLettered,
        replay,
        tableFaults: faults.injected(),
        model,
        perBuild,
        passed: model.violations.length === 0 && perBuild.violations.length === 0 && replay.exitCode === 0,
        totalS: (Date.now() - started) / 1000,
      };
    });
  } finally {
    await fleet.close();
  }
}

/**
 * Hands each build's events (its IN_PROGRESS and its final one) to Lambda when the scenario says;
 * resolves once every delivery settled.
 */
async function sendOnSchedule(scenario: StreakScenario, lambda: AsyncLambda): Promise<void> {
  const start = Date.now();
  const events = [...scenario.builds, ...scenario.starts].sort((a, b) => a.sendAtMs - b.sendAtMs);
  for (const build of events) {
    await sleep(Math.max(0, start + build.sendAtMs - Date.now()));
    build.event.time = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    lambda.invokeAsync(build.event, scenario.duplicates.get(build.id));
  }
  await lambda.drained();
}

/**
 * The verdict the notifier recorded for each build, from the projects' status records (which keep the
 * verdicts of their 100 newest builds), by event id. A build recorded after a newer one has none.
 */
async function recordedVerdicts(
  scenario: StreakScenario,
  endpoint: string,
  tableName: string,
): Promise<Map<string, BuildVerdict>> {
  const client = new DynamoDBClient(loopbackClient(endpoint));
  try {
    const verdicts = new Map<string, BuildVerdict>();
    for (const project of scenario.projects) {
      const { Item: record } = await client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: {
            project: { S: `${STATUS_KEY_PREFIX}${project}` },
            hook_url_param_name: { S: STATUS_SORT_KEY },
          },
          ConsistentRead: true,
        }),
      );
      for (const build of scenario.builds.filter((candidate) => candidate.project === project)) {
        const kept = record?.verdicts?.M?.[String(build.number)];
        if (kept?.M?.build_id?.S !== build.event.detail?.["build-id"]) continue;
        const { transition, streak } = verdictFromItem(kept as NonNullable<typeof kept>);
        verdicts.set(build.id, { transition, streak });
      }
    }
    return verdicts;
  } finally {
    client.destroy();
  }
}
