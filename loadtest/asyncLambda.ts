import { randomUUID } from "node:crypto";
import type { VisibilityQueue } from "../local/deadLetterEndpoints";
import type { Invocation, LambdaError, LambdaProcess } from "../local/lambdaProcess";

/**
 * Lambda's timings are run ten times faster: retries 6 s and 12 s after a failure instead of 1 and 2
 * minutes, and the function's timeout with them (6 s instead of 60 s), so that a retry still comes after
 * the lease of the invocation it follows has run out, as it does on Lambda.
 */
export const TIME_SCALE = 10;
/** Lambda's asynchronous retries: 1 minute after the first failure, 2 minutes after the second. */
export const RETRY_DELAYS_MS = [60_000 / TIME_SCALE, 120_000 / TIME_SCALE];

const FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:codebuild-webhooks-notifier:$LATEST";

/** One run of the function on an event. */
export interface InvocationRecord {
  eventId: string;
  /** 0 for the first invocation of a delivery, 1 and 2 for Lambda's retries; undefined for a replay. */
  attempt?: number;
  /** Whether this delivery is Lambda's second delivery of the event. */
  twin: boolean;
  container: number;
  startedAt: number;
  endedAt: number;
  ok: boolean;
  error?: LambdaError;
  /** The container was killed while it ran. */
  killed: boolean;
  /** Records the invocation logged it could not write, after receivers had answered (by receiver). */
  unrecorded: UnrecordedWrites;
}

/**
 * Receivers whose delivery record, or whose streak record (or record of a build's message), an invocation
 * could not write.
 */
export interface UnrecordedWrites {
  deliveries: string[];
  streaks: string[];
}

/** What the notifier's log lines say it could not record (they name receivers, never values). */
function unrecordedWrites(logs: string[]): UnrecordedWrites {
  const unrecorded: UnrecordedWrites = { deliveries: [], streaks: [] };
  for (const line of logs) {
    let entry: { message?: string; receivers?: string[]; receiver?: string };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if (entry.message?.startsWith("Delivery records not written")) {
      unrecorded.deliveries.push(...(entry.receivers ?? []));
    } else if (
      (entry.message?.startsWith("Streak record not written") ||
        entry.message?.startsWith("Build message record not written")) &&
      entry.receiver
    ) {
      unrecorded.streaks.push(entry.receiver);
    }
  }
  return unrecorded;
}

/** How an asynchronous delivery of an event ended. */
export type Settlement = "succeeded" | "dead-lettered";

export interface AsyncDelivery {
  /** Resolves when the first invocation has ended, whatever its outcome. */
  handled: Promise<void>;
  settled: Promise<Settlement>;
}

interface QueuedInvocation {
  event: { id?: string };
  attempt: number;
  twin: boolean;
  readyAt: number;
  /** Set for a synchronous invocation (a replay): it is answered, not retried. */
  answer?: (invocation: Invocation) => void;
  settle?: (settlement: Settlement) => void;
  handled?: () => void;
}

/**
 * Lambda's asynchronous invocation, as the notifier's EventBridge rule uses it, over a fixed set of
 * containers: events wait in a queue until a container is free; a failed invocation is retried twice
 * (after RETRY_DELAYS_MS), then written with its error to the dead-letter queue in the record Lambda's
 * on-failure destination writes. Lambda may deliver an event twice; `invokeAsync` can be told to.
 * `invoke` is the synchronous Invoke API a replay uses: no retry, no dead letter.
 */
export class AsyncLambda {
  readonly invocations: InvocationRecord[] = [];
  deadLettered = 0;
  private readonly queue: QueuedInvocation[] = [];
  private readonly idle: ((item: QueuedInvocation | undefined) => void)[] = [];
  private readonly running = new Map<number, QueuedInvocation>();
  private readonly killed = new Set<number>();
  private readonly workers: Promise<void>[];
  private wakeTimer?: NodeJS.Timeout;
  private pending = 0;
  private drainedWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly containers: LambdaProcess[],
    private readonly settings: { timeoutMs: number; deadLetters: VisibilityQueue },
  ) {
    this.workers = containers.map((_, index) => this.work(index));
  }

  /**
   * Hands the event to Lambda as EventBridge does. `handled` resolves when its first invocation has
   * ended, `settled` when the delivery has succeeded or gone to the dead-letter queue. With
   * `twiceAfterMs`, Lambda delivers the event a second time that much later.
   */
  invokeAsync(event: { id?: string }, twiceAfterMs?: number): AsyncDelivery {
    if (twiceAfterMs !== undefined) {
      this.pending += 1;
      this.enqueue({
        event,
        attempt: 0,
        twin: true,
        readyAt: Date.now() + twiceAfterMs,
        settle: () => this.done(),
      });
    }
    this.pending += 1;
    let handled: () => void = () => undefined;
    const delivery: AsyncDelivery = {
      handled: new Promise((resolve) => (handled = resolve)),
      settled: new Promise((resolve) =>
        this.enqueue({
          event,
          attempt: 0,
          twin: false,
          readyAt: Date.now(),
          handled: () => handled(),
          settle: (settlement) => {
            resolve(settlement);
            this.done();
          },
        }),
      ),
    };
    return delivery;
  }

  /** The synchronous Invoke API: runs the event once on a free container and answers its outcome. */
  invoke(event: unknown): Promise<Invocation> {
    return new Promise((answer) =>
      this.enqueue({ event: event as { id?: string }, attempt: 0, twin: false, readyAt: Date.now(), answer }),
    );
  }

  /** Resolves once every asynchronous delivery handed over so far has settled. */
  drained(): Promise<void> {
    return this.pending === 0
      ? Promise.resolve()
      : new Promise((resolve) => this.drainedWaiters.push(resolve));
  }

  /** Kills the container running an invocation of the event (not a replay), if one is; true when it did. */
  async killWhileRunning(eventId: string): Promise<boolean> {
    for (const [index, item] of this.running) {
      if (item.event.id !== eventId || item.answer) continue;
      this.killed.add(index);
      await this.containers[index].crash();
      return true;
    }
    return false;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.wakeTimer);
    for (const worker of this.idle.splice(0)) worker(undefined);
    await Promise.all(this.workers);
  }

  private done(): void {
    this.pending -= 1;
    if (this.pending === 0) for (const resolve of this.drainedWaiters.splice(0)) resolve();
  }

  private enqueue(item: QueuedInvocation): void {
    // Ready first; among the ready, first come first served.
    const at = this.queue.findIndex((queued) => queued.readyAt > item.readyAt);
    this.queue.splice(at < 0 ? this.queue.length : at, 0, item);
    this.dispatch();
  }

  /** Gives ready invocations to idle containers, and wakes up for the next one that becomes ready. */
  private dispatch(): void {
    clearTimeout(this.wakeTimer);
    while (this.idle.length > 0 && this.queue.length > 0 && this.queue[0].readyAt <= Date.now()) {
      const worker = this.idle.shift();
      worker?.(this.queue.shift());
    }
    if (this.idle.length > 0 && this.queue.length > 0) {
      this.wakeTimer = setTimeout(() => this.dispatch(), Math.max(1, this.queue[0].readyAt - Date.now()));
    }
  }

  private next(): Promise<QueuedInvocation | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.idle.push(resolve);
      this.dispatch();
    });
  }

  private async work(index: number): Promise<void> {
    for (let item = await this.next(); item; item = await this.next()) {
      this.running.set(index, item);
      const startedAt = Date.now();
      const invocation = await this.containers[index].invoke(item.event, {
        timeoutMs: this.settings.timeoutMs,
      });
      this.running.delete(index);
      const killed = this.killed.delete(index);
      this.invocations.push({
        eventId: item.event.id ?? "",
        attempt: item.answer ? undefined : item.attempt,
        twin: item.twin,
        container: index,
        startedAt,
        endedAt: Date.now(),
        ok: invocation.ok,
        error: invocation.error,
        killed,
        unrecorded: unrecordedWrites(invocation.logs),
      });
      item.handled?.();
      if (item.answer) {
        item.answer(invocation);
      } else if (invocation.ok) {
        item.settle?.("succeeded");
      } else if (item.attempt < RETRY_DELAYS_MS.length) {
        this.enqueue({
          ...item,
          attempt: item.attempt + 1,
          readyAt: Date.now() + RETRY_DELAYS_MS[item.attempt],
        });
      } else {
        this.settings.deadLetters.send(JSON.stringify(this.onFailureRecord(item, invocation)));
        this.deadLettered += 1;
        item.settle?.("dead-lettered");
      }
    }
  }

  /** The record Lambda's on-failure destination sends to SQS once an event's retries are exhausted. */
  private onFailureRecord(item: QueuedInvocation, invocation: Invocation): object {
    return {
      version: "1.0",
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId: randomUUID(),
        functionArn: FUNCTION_ARN,
        condition: "RetriesExhausted",
        approximateInvokeCount: item.attempt + 1,
      },
      requestPayload: item.event,
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      responsePayload: { errorType: invocation.error?.name, errorMessage: invocation.error?.message },
    };
  }
}
