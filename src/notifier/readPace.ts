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
 * Calls a container may make at once, as a share of its pace: a quarter second's worth. A cold container
 * with up to 50 receivers (10 calls) reads them at once at the full pace, rather than one every 25 ms.
 */
const BURST_SHARE = 1 / 4;
/** A call reaches the service a little after it leaves: the one-second window is kept this much longer. */
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
 * A token bucket: `perSecond` calls a second, up to a quarter second's worth at once, and never more
 * than `perSecond` in any second (the burst and the refill together could exceed it). `perSecond` starts
 * at the quota, halves after a throttled second and grows back by about one each second (additive
 * increase, multiplicative decrease, as TCP shares a link).
 */
export function createReadPace(now: () => number, sleep: (ms: number) => Promise<void> = sleepFor): ReadPace {
  let perSecond = QUOTA_PER_SECOND;
  const burst = () => Math.max(1, perSecond * BURST_SHARE);
  let tokens = burst();
  let refilledAt = now();
  /** When the calls of the last second left, oldest first. */
  const recentCalls: number[] = [];
  /** No call before this time: set after a throttled call. */
  let pausedUntil = 0;
  let slowedDownAt = -Infinity;

  function refill(at: number): void {
    tokens = Math.min(burst(), tokens + (Math.max(0, at - refilledAt) * perSecond) / 1000);
    refilledAt = at;
    while (recentCalls.length > 0 && recentCalls[0] <= at - QUOTA_WINDOW_MS - WINDOW_MARGIN_MS) {
      recentCalls.shift();
    }
  }

  /** When the next call may leave: with a token, within the second's calls, after any pause. */
  function nextCallAt(at: number): number {
    const withToken = tokens >= 1 ? at : at + ((1 - tokens) * 1000) / perSecond;
    const perWindow = Math.ceil(perSecond);
    const withinSecond =
      recentCalls.length < perWindow
        ? at
        : recentCalls[recentCalls.length - perWindow] + QUOTA_WINDOW_MS + WINDOW_MARGIN_MS;
    return Math.max(at, pausedUntil, withToken, withinSecond);
  }

  return {
    async turn(deadline) {
      for (;;) {
        const at = now();
        refill(at);
        const next = nextCallAt(at);
        if (next >= deadline) return false;
        if (next <= at) {
          tokens -= 1;
          recentCalls.push(at);
          return true;
        }
        await sleep(next - at);
      }
    },
    slowDown() {
      if (now() - slowedDownAt < QUOTA_WINDOW_MS) return;
      slowedDownAt = now();
      refill(slowedDownAt);
      perSecond = Math.max(SLOWEST_PER_SECOND, perSecond / 2);
      tokens = 0;
      // Jittered, so that containers throttled together do not come back together.
      pausedUntil = Math.max(pausedUntil, now() + (1000 / perSecond) * (0.5 + Math.random()));
    },
    speedUp() {
      refill(now());
      perSecond = Math.min(QUOTA_PER_SECOND, perSecond + 1 / perSecond);
    },
  };
}
