import * as assert from "node:assert/strict";
import fc from "fast-check";
import { createReadPace } from "../src/notifier/readPace";

/** A clock the test moves: sleepers wake in time order, each once everything due before it has run. */
function fakeClock() {
  let time = 1_000_000;
  const sleepers: { at: number; wake(): void }[] = [];
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    now: () => time,
    sleep: (ms: number) => new Promise<void>((wake) => sleepers.push({ at: time + ms, wake })),
    /** Runs until nothing sleeps any more. */
    async runAll() {
      for (await settle(); sleepers.length > 0; await settle()) {
        sleepers.sort((a, b) => a.at - b.at);
        const next = sleepers.shift();
        if (!next) break;
        time = Math.max(time, next.at);
        next.wake();
      }
    },
    advance(ms: number) {
      time += ms;
    },
  };
}

/** The most calls that started in any window of `windowMs`. */
function mostInWindow(starts: number[], windowMs: number): number {
  let most = 0;
  for (const from of starts)
    most = Math.max(most, starts.filter((at) => at >= from && at < from + windowMs).length);
  return most;
}

describe("the pace of a container's parameter-store calls", () => {
  it("lets a cold container's first 10 calls (50 receivers) leave at once", async () => {
    const clock = fakeClock();
    const pace = createReadPace(clock.now, clock.sleep);
    const starts: number[] = [];
    const started = clock.now();
    const calls = Array.from({ length: 10 }, () =>
      pace.turn(started + 60_000).then(() => starts.push(clock.now())),
    );
    await clock.runAll();
    await Promise.all(calls);
    assert.deepEqual(starts, Array(10).fill(started));
  });

  it("spreads a large read over the second: 40 calls in any second, 10 in any quarter", async () => {
    const clock = fakeClock();
    const pace = createReadPace(clock.now, clock.sleep);
    const starts: number[] = [];
    const started = clock.now();
    const calls = Array.from({ length: 100 }, () =>
      pace.turn(started + 60_000).then(() => starts.push(clock.now())),
    );
    await clock.runAll();
    await Promise.all(calls);
    assert.equal(starts.length, 100);
    assert.ok(mostInWindow(starts, 1000) <= 40, `${mostInWindow(starts, 1000)} calls in one second`);
    assert.ok(mostInWindow(starts, 250) <= 10, `${mostInWindow(starts, 250)} calls in a quarter second`);
    // At the quota's pace, not slower: 100 calls in 10 quarter seconds (each window's margin aside).
    assert.ok(
      Math.max(...starts) - started < 2600,
      `the last call left after ${Math.max(...starts) - started} ms`,
    );
  });

  it("gives no turn at or after the deadline", async () => {
    const clock = fakeClock();
    const pace = createReadPace(clock.now, clock.sleep);
    const started = clock.now();
    const turns = Array.from({ length: 20 }, () => pace.turn(started + 200));
    await clock.runAll();
    const granted = await Promise.all(turns);
    assert.equal(granted.filter(Boolean).length, 10);
  });

  it("halves after a throttled call, pausing first, and keeps within the windows whatever the order of calls", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ gapMs: fc.nat(400), calls: fc.integer({ min: 1, max: 30 }), throttled: fc.boolean() }),
          {
            minLength: 1,
            maxLength: 12,
          },
        ),
        async (bursts) => {
          const clock = fakeClock();
          const pace = createReadPace(clock.now, clock.sleep);
          const starts: number[] = [];
          let throttledAt: number | undefined;
          for (const burst of bursts) {
            clock.advance(burst.gapMs);
            const turns = Array.from({ length: burst.calls }, () =>
              pace.turn(clock.now() + 60_000).then(() => starts.push(clock.now())),
            );
            if (burst.throttled && throttledAt === undefined) {
              pace.slowDown();
              throttledAt = clock.now();
            }
            await clock.runAll();
            await Promise.all(turns);
          }
          // Never past the quota's windows; after the throttle, never past half of them.
          assert.ok(mostInWindow(starts, 1000) <= 40);
          assert.ok(mostInWindow(starts, 250) <= 10);
          if (throttledAt !== undefined) {
            const after = starts.filter((at) => at > (throttledAt as number));
            assert.ok(
              mostInWindow(after, 1000) <= 20,
              `${mostInWindow(after, 1000)} a second after a throttle`,
            );
          }
        },
      ),
      { seed: 20261207, numRuns: 200 },
    );
  });
});
