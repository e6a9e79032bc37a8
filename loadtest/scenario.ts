import type { BuildStateChangeEvent } from "../src/notifier/buildEvent";
import type { BuildStatus } from "../src/shared/buildStatuses";
import { EVERY_PROJECT } from "../src/shared/registryFormat";
import { sampleBuildEvent } from "../local/localRunEvents";
import { expectedNotices } from "./expectedNotices";
import type { LoadTestOptions } from "./options";
import { draw, seededRandom, seededUuid } from "./random";

/** One receiver of the run, as its receiver file declares it. */
export interface ReceiverPlan {
  name: string;
  /** Project names, or `["*"]` for every project. */
  projects: string[];
  statuses: BuildStatus[];
  onlyOnChange: boolean;
  /** Sends an Authorization header, kept in a headers secret. */
  headers: boolean;
  /** Signs its requests (Standard Webhooks). */
  signed: boolean;
  /** What it answers a request it accepts. */
  acceptStatus: number;
}

export interface ScenarioEvent {
  id: string;
  project: string;
  status: BuildStatus;
  /** Absent on IN_PROGRESS events, as CodeBuild sends them. */
  buildNumber?: number;
  event: BuildStateChangeEvent;
}

export interface Scenario {
  seed: number;
  projects: string[];
  receivers: ReceiverPlan[];
  /** Each project's events in the order its builds start and finish. */
  eventsByProject: Map<string, ScenarioEvent[]>;
  events: ScenarioEvent[];
  /** Events Lambda delivers a second time, with the delay after the first delivery. */
  duplicates: Map<string, number>;
  /** The receiver that is down during the burst (the outage fault). */
  outageReceiver: string;
  /** The event whose container is killed while it delivers. */
  killedEvent: string;
}

/** Receiver kinds in turn: what real stacks register (an audit trail, tickets, chat, deploy hooks). */
const KINDS: Omit<ReceiverPlan, "name" | "projects">[] = [
  {
    statuses: ["IN_PROGRESS", "SUCCEEDED", "FAILED", "STOPPED"],
    onlyOnChange: false,
    headers: true,
    signed: true,
    acceptStatus: 200,
  },
  { statuses: ["FAILED"], onlyOnChange: true, headers: true, signed: false, acceptStatus: 201 },
  {
    statuses: ["SUCCEEDED", "FAILED", "STOPPED"],
    onlyOnChange: false,
    headers: false,
    signed: false,
    acceptStatus: 200,
  },
  { statuses: ["SUCCEEDED", "FAILED"], onlyOnChange: true, headers: true, signed: false, acceptStatus: 200 },
  { statuses: ["SUCCEEDED"], onlyOnChange: false, headers: true, signed: false, acceptStatus: 202 },
  { statuses: ["FAILED", "STOPPED"], onlyOnChange: true, headers: true, signed: true, acceptStatus: 204 },
];
const KIND_NAMES = ["audit", "tickets", "chat", "health", "deploys", "alerts"];
/** Kinds registered for every project (`"*"`); the others take about a third of the projects each. */
const CATCH_ALL_KINDS = new Set(["audit", "health"]);

/** Builds per project: a project's events are about this many pairs (started, finished). */
const EVENTS_PER_PROJECT = 40;
const MAX_PROJECTS = 25;
const MIN_PROJECTS = 4;
/** Lambda delivers about this fraction of events twice, the second delivery within 2 s of the first. */
export const DUPLICATE_EVENT_RATE = 0.01;
const DUPLICATE_DELAY_MS = 2000;

/** The next build's final status: failures come in streaks, as they do. */
function nextStatus(previous: BuildStatus | undefined, random: () => number): BuildStatus {
  const roll = random();
  if (roll < 0.05) return "STOPPED";
  if (previous === "FAILED") return roll < 0.55 ? "FAILED" : "SUCCEEDED";
  return roll < 0.2 ? "FAILED" : "SUCCEEDED";
}

function receiverPlans(count: number, projects: string[], random: () => number): ReceiverPlan[] {
  return Array.from({ length: count }, (_, index) => {
    const kind = KIND_NAMES[index % KINDS.length];
    const own = projects.filter(() => random() < 1 / 3);
    return {
      name: `${kind}-${index + 1}`,
      projects: CATCH_ALL_KINDS.has(kind)
        ? [EVERY_PROJECT]
        : own.length > 0
          ? own
          : [projects[Math.floor(random() * projects.length)]],
      ...KINDS[index % KINDS.length],
    };
  });
}

/**
 * The receiver that is down during the burst: one registered for some projects, with about one notice
 * in fifty events to miss, so that the outage leaves a handful of dead letters for the replay.
 */
function receiverForOutage(
  scenario: Pick<Scenario, "receivers" | "eventsByProject">,
  eventCount: number,
): string {
  const notices = [...expectedNotices(scenario).values()];
  const target = Math.max(1, eventCount / 50);
  const candidates = scenario.receivers
    .filter((receiver) => !receiver.projects.includes(EVERY_PROJECT))
    .map((receiver) => ({
      name: receiver.name,
      count: notices.filter((notice) => notice.receiver === receiver.name).length,
    }))
    .filter((candidate) => candidate.count > 0)
    .sort((a, b) => Math.abs(a.count - target) - Math.abs(b.count - target));
  return candidates[0]?.name ?? scenario.receivers[0].name;
}

/** A CodeBuild event of the scenario: realistic content, ids and build numbers drawn from the seed. */
function scenarioEvent(
  project: string,
  status: BuildStatus,
  build: { number: number; uuid: string },
  at: Date,
  random: () => number,
): ScenarioEvent {
  const event = sampleBuildEvent(project, status, at);
  const id = seededUuid(random);
  const buildArn = `arn:aws:codebuild:${event.region}:${event.account}:build/${project}:${build.uuid}`;
  event.id = id;
  event.resources = [buildArn];
  const detail = event.detail ?? {};
  detail["build-id"] = buildArn;
  const information = detail["additional-information"] ?? {};
  information["source-version"] = seededUuid(random).replaceAll("-", "").padEnd(40, "0");
  if (status === "IN_PROGRESS") return { id, project, status, event };
  information["build-number"] = build.number;
  if (information.logs) {
    information.logs["stream-name"] = build.uuid;
    information.logs["deep-link"] = information.logs["deep-link"]?.replace(
      /stream=.*$/,
      `stream=${build.uuid}`,
    );
  }
  return { id, project, status, buildNumber: build.number, event };
}

/**
 * The run's receivers and events, all drawn from the seed: several projects building at once, each
 * build an IN_PROGRESS event then its final status, build numbers counting up from where a real
 * project would be, failures in streaks so that on-change receivers have something to report.
 */
export function buildScenario(options: Pick<LoadTestOptions, "events" | "receivers" | "seed">): Scenario {
  const random = seededRandom(options.seed);
  const projectCount = Math.max(
    MIN_PROJECTS,
    Math.min(MAX_PROJECTS, Math.round(options.events / EVENTS_PER_PROJECT)),
  );
  const projects = Array.from(
    { length: projectCount },
    (_, index) => `service-${String(index + 1).padStart(2, "0")}`,
  );
  const receivers = receiverPlans(options.receivers, projects, random);

  const eventsByProject = new Map(projects.map((project) => [project, [] as ScenarioEvent[]]));
  const nextNumber = new Map(projects.map((project) => [project, 100 + Math.floor(random() * 1900)]));
  const lastStatus = new Map<string, BuildStatus>();
  const events: ScenarioEvent[] = [];
  const clock = Date.UTC(2026, 2, 12, 18, 0, 0);
  while (events.length < options.events) {
    const project = projects[Math.floor(random() * projects.length)];
    const build = { number: nextNumber.get(project) ?? 1, uuid: seededUuid(random) };
    nextNumber.set(project, build.number + 1);
    const status = nextStatus(lastStatus.get(project), random);
    lastStatus.set(project, status);
    const startedAt = new Date(clock + events.length * 15_000);
    const pair = [
      scenarioEvent(project, "IN_PROGRESS", build, startedAt, random),
      scenarioEvent(project, status, build, new Date(startedAt.getTime() + 180_000), random),
    ].slice(0, options.events - events.length);
    events.push(...pair);
    eventsByProject.get(project)?.push(...pair);
  }

  const duplicates = new Map<string, number>();
  for (const { id } of events) {
    if (draw(options.seed, "duplicate", id) < DUPLICATE_EVENT_RATE) {
      duplicates.set(id, Math.floor(draw(options.seed, "duplicate delay", id) * DUPLICATE_DELAY_MS));
    }
  }
  const outageReceiver = receiverForOutage({ receivers, eventsByProject }, options.events);
  // A finished build in the middle of the burst, heard by every catch-all receiver.
  const middle = events.slice(Math.floor(events.length * 0.4), Math.ceil(events.length * 0.6) + 1);
  const finished = middle.filter((event) => event.status !== "IN_PROGRESS");
  const killedEvent = (finished[Math.floor(random() * finished.length)] ?? events[0]).id;
  return {
    seed: options.seed,
    projects,
    receivers,
    eventsByProject,
    events,
    duplicates,
    outageReceiver,
    killedEvent,
  };
}
