/**
 * GetParameters' default quota, calls per second per account and region. CodeBuild reads its builds'
 * `PARAMETER_STORE` variables from the same quota, and so do the notifier's other containers: a
 * container starts at this pace and slows down when it is throttled.
 */
const QUOTA_PER_SECOND = 40;
/** The slowest pace a container slows down to, calls per second. */
const SLOWEST_PER_SECOND = 1;
/** The quota counts calls per second: one throttled second slows the pace down once. */
const QUOTA_WINDOW_MS = 1000;
/**
 * At most a quarter of the pace leaves in any quarter of a second: a cold container with up to 50
 * receivers (10 calls) reads them at once rather than over a quarter of a second, and a larger read
 * still spreads over the second, as the other readers of the quota would want.
 */
const BURST_WINDOW_MS = QUOTA_WINDOW_MS / 4;
/** A call reaches the service a little after it leaves: the windows are kept this much longer. */
const WINDOW_MARGIN_MS = 20;

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The pace of a container's parameter-store calls, kept across invocations. */
export interface ReadPace {
  /** Waits for the next call's turn: false when it would come at or after `deadline` (epoch ms). */
  turn(deadline: number): Promise<boolean>;
  /** After a throttled call: half the pace, at most once a second, and a jittered pause. */
  slowDown(): void;
  /** After a call that went through: about one call per second faster, up to the quota. */
  speedUp(): void;
}

/**
 * At most `perSecond` calls in any second and a quarter of that in any quarter second; `perSecond`
 * starts at the quota, halves after a throttled second and grows back by about one each second
 * (additive increase, multiplicative decrease, as TCP shares a link).
 */
export function createReadPace(now: () => number, sleep: (ms: number) => Promise<void> = sleepFor): ReadPace {
  let perSecond = QUOTA_PER_SECOND;
  /** When the calls of the last second left, oldest first. */
  const recentCalls: number[] = [];
  /** No call before this time: set after a throttled call. */
  let pausedUntil = 0;
  let slowedDownAt = -Infinity;

  /** The earliest time `limit` calls fit in a window of `windowMs` after those already made. */
  function windowFreeAt(limit: number, windowMs: number): number {
    const perWindow = Math.max(1, Math.floor(limit));
    if (recentCalls.length < perWindow) return 0;
    return recentCalls[recentCalls.length - perWindow] + windowMs + WINDOW_MARGIN_MS;
  }

  return {
    async turn(deadline) {
      for (;;) {
        const at = now();
        while (recentCalls.length > 0 && recentCalls[0] <= at - QUOTA_WINDOW_MS - WINDOW_MARGIN_MS) {
          recentCalls.shift();
        }
        const next = Math.max(
          at,
          pausedUntil,
          windowFreeAt(perSecond, QUOTA_WINDOW_MS),
          windowFreeAt(perSecond / 4, BURST_WINDOW_MS),
        );
        if (next >= deadline) return false;
        if (next <= at) {
          recentCalls.push(at);
          return true;
        }
        await sleep(next - at);
      }
    },
    slowDown() {
      if (now() - slowedDownAt < QUOTA_WINDOW_MS) return;
      slowedDownAt = now();
      perSecond = Math.max(SLOWEST_PER_SECOND, perSecond / 2);
      // Jittered, so that containers throttled together do not come back together.
      pausedUntil = Math.max(pausedUntil, now() + (1000 / perSecond) * (0.5 + Math.random()));
    },
    speedUp() {
      perSecond = Math.min(QUOTA_PER_SECOND, perSecond + 1 / perSecond);
    },
  };
}
