import { sampleBuildEvent } from "../local/localRunEvents";
import type { BuildStateChangeEvent } from "../src/notifier/buildEvent";
import { draw, seededRandom, seededUuid } from "./random";

/** A build's final status in the streak run. */
export type FinalStatus = "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "FAULT" | "STOPPED";

/** One build of the streak run: its final event, and when it is handed to Lambda. */
export interface StreakBuild {
  /** The event's id. */
  id: string;
  project: string;
  number: number;
  status: FinalStatus;
  event: BuildStateChangeEvent;
  /** When EventBridge hands the event to Lambda, in ms from the start of the run. */
  sendAtMs: number;
}

/** A build's IN_PROGRESS event, which a receiver with one message per build hears too. */
export interface BuildStart {
  /** The event's id. */
  id: string;
  /** The build whose start it is (its final event's id). */
  build: StreakBuild;
  event: BuildStateChangeEvent;
  /** When EventBridge hands the event to Lambda: mostly before the build's final event, sometimes after. */
  sendAtMs: number;
}

export interface StreakScenario {
  seed: number;
  projects: string[];
  /** Every build, in the order their events are sent. */
  builds: StreakBuild[];
  /** Every build's IN_PROGRESS event, in the order they are sent. */
  starts: BuildStart[];
  /** Events Lambda delivers a second time, with the delay after the first delivery. */
  duplicates: Map<string, number>;
}

export interface StreakRunSize {
  projects: number;
  /** Builds per project (each project's status record keeps the verdicts of its 100 newest). */
  builds: number;
}

/**
 * What every build's variables hold under the names receivers remember (`KEY`, `DEDUP`, `THREAD`, `TS`): a
 * request holding it was filled from a build variable, which must never stand in for a remembered value.
 */
export const BUILD_VARIABLE_VALUE = "from-a-build-variable";
const VARIABLES_NAMED_LIKE_REMEMBERED = ["KEY", "DEDUP", "THREAD", "TS"];

/** Lambda delivers about this fraction of events twice, the second delivery within 2 s of the first. */
const DUPLICATE_EVENT_RATE = 0.03;
const DUPLICATE_DELAY_MS = 2000;
/** A build finishes before the one started before it, one time in this many. */
const OUT_OF_ORDER_RATE = 0.12;
/**
 * A build's IN_PROGRESS event is handed to Lambda up to this long before its final event; one time in
 * this many, at the same moment (two containers handle them at once), and as often after it (late).
 */
const START_LEAD_MS = 1500;
const START_TOGETHER_RATE = 0.15;
const START_LATE_RATE = 0.15;

/**
 * The next build's final status: failures come in streaks, and a person stops a build now and then. Of
 * the failures, one in six timed out and one in twelve faulted: build health counts them as failures.
 */
function nextStatus(previous: FinalStatus | undefined, random: () => number): FinalStatus {
  const roll = random();
  if (roll < 0.05) return "STOPPED";
  const failing = previous !== undefined && previous !== "SUCCEEDED" && previous !== "STOPPED";
  if (roll >= (failing ? 0.6 : 0.4)) return "SUCCEEDED";
  const kind = random();
  return kind < 1 / 6 ? "TIMED_OUT" : kind < 1 / 4 ? "FAULT" : "FAILED";
}

/**
 * Time between a project's finished builds: often at once (builds of one project running side by side,
 * their events handled by several containers together), often within a second (while the previous
 * event is still being handled, its Lambda retries later still), sometimes a few seconds.
 */
function gapMs(random: () => number): number {
  const roll = random();
  if (roll < 0.25) return Math.floor(random() * 100);
  if (roll < 0.75) return 200 + Math.floor(random() * 1000);
  return 1500 + Math.floor(random() * 2500);
}

/**
 * The streak run's builds, all drawn from the seed: a few projects building at once, failures in streaks,
 * builds of one project finishing together or out of order (a build finishing before the one started
 * before it), a few events delivered twice by Lambda, and every build carrying variables named like the
 * values receivers remember.
 */
export function buildStreakScenario(seed: number, size: StreakRunSize): StreakScenario {
  const random = seededRandom(seed);
  const projects = Array.from({ length: size.projects }, (_, index) => `app-${index + 1}`);
  const builds: StreakBuild[] = [];
  for (const project of projects) {
    let at = Math.floor(random() * 1000);
    let previous: FinalStatus | undefined;
    const own: StreakBuild[] = [];
    const first = 100 + Math.floor(random() * 900);
    for (let index = 0; index < size.builds; index += 1) {
      const status = nextStatus(previous, random);
      previous = status;
      at += gapMs(random);
      const build = streakBuild(project, first + index, status, at, random);
      const before = own.at(-1);
      if (before && random() < OUT_OF_ORDER_RATE) {
        // This build finishes first: the events swap their times.
        [build.sendAtMs, before.sendAtMs] = [before.sendAtMs, build.sendAtMs];
      }
      own.push(build);
    }
    builds.push(...own);
  }
  builds.sort((a, b) => a.sendAtMs - b.sendAtMs);
  // Drawn by each build's id, so that the final events are what they were before starts were sent.
  const starts = builds.map((build) => buildStart(seed, build)).sort((a, b) => a.sendAtMs - b.sendAtMs);
  const duplicates = new Map<string, number>();
  for (const { id } of [...builds, ...starts]) {
    if (draw(seed, "duplicate", id) < DUPLICATE_EVENT_RATE) {
      duplicates.set(id, Math.floor(draw(seed, "duplicate delay", id) * DUPLICATE_DELAY_MS));
    }
  }
  return { seed, projects, builds, starts, duplicates };
}

/** The IN_PROGRESS event of `build`: the same build (ARN), handed to Lambda as the seed draws. */
function buildStart(seed: number, build: StreakBuild): BuildStart {
  const event = sampleBuildEvent(
    build.project,
    "IN_PROGRESS",
    new Date(Date.UTC(2026, 2, 12, 18) + build.sendAtMs),
  );
  event.id = seededUuid(seededRandom(Math.floor(draw(seed, "start id", build.id) * 2 ** 32)));
  event.resources = build.event.resources;
  if (event.detail) event.detail["build-id"] = build.event.detail?.["build-id"];
  const environment = event.detail?.["additional-information"]?.environment;
  if (environment) {
    environment["environment-variables"] =
      build.event.detail?.["additional-information"]?.environment?.["environment-variables"];
  }
  const roll = draw(seed, "start at", build.id);
  const sendAtMs =
    roll < START_TOGETHER_RATE
      ? build.sendAtMs
      : roll < START_TOGETHER_RATE + START_LATE_RATE
        ? build.sendAtMs + 1 + Math.floor(draw(seed, "start late", build.id) * START_LEAD_MS)
        : Math.max(0, build.sendAtMs - 1 - Math.floor(draw(seed, "start lead", build.id) * START_LEAD_MS));
  return { id: event.id, build, event, sendAtMs };
}

function streakBuild(
  project: string,
  number: number,
  status: FinalStatus,
  sendAtMs: number,
  random: () => number,
): StreakBuild {
  const event = sampleBuildEvent(project, status, new Date(Date.UTC(2026, 2, 12, 18) + sendAtMs), number);
  event.id = seededUuid(random);
  const buildArn = `arn:aws:codebuild:${event.region}:${event.account}:build/${project}:${seededUuid(random)}`;
  event.resources = [buildArn];
  const information = event.detail?.["additional-information"];
  if (event.detail) event.detail["build-id"] = buildArn;
  const environment = information?.environment;
  if (environment) {
    environment["environment-variables"] = [
      ...(environment["environment-variables"] ?? []),
      ...VARIABLES_NAMED_LIKE_REMEMBERED.map((name) => ({
        name,
        value: BUILD_VARIABLE_VALUE,
        type: "PLAINTEXT",
      })),
    ];
  }
  return { id: event.id, project, number, status, event, sendAtMs };
}
