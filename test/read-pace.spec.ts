import * as assert from "node:assert/strict";
import fc from "fast-check";
import { createReadPace, type ReadPace } from "../src/notifier/readPace";

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

/** Calls that leave in `ms` of virtual time, `readers` at a time, each a success when `succeed`. */
async function callsIn(
  clock: ReturnType<typeof fakeClock>,
  pace: ReadPace,
  ms: number,
  succeed: boolean,
): Promise<number[]> {
  const starts: number[] = [];
  const deadline = clock.now() + ms;
  const reader = async () => {
    while (await pace.turn(deadline)) {
      starts.push(clock.now());
      if (succeed) pace.speedUp();
    }
  };
  const readers = Array.from({ length: 100 }, reader);
  await clock.runAll();
  await Promise.all(readers);
  return starts;
}

/** Halves the pace `times` times, a throttled second apart, and lets the pauses pass. */
function throttledSeconds(clock: ReturnType<typeof fakeClock>, pace: ReadPace, times: number): void {
  for (let time = 0; time < times; time++) {
    pace.slowDown();
    clock.advance(5000);
  }
}

/** `count` calls asking their turn at once, until `withinMs`: when each granted one left, and how many were. */
async function turnsAtOnce(count: number, withinMs: number) {
  const clock = fakeClock();
  const pace = createReadPace(clock.now, clock.sleep);
  const started = clock.now();
  const starts: number[] = [];
  const turns = Array.from({ length: count }, () =>
    pace.turn(started + withinMs).then((granted) => {
      if (granted) starts.push(clock.now());
      return granted;
    }),
  );
  await clock.runAll();
  const granted = (await Promise.all(turns)).filter(Boolean).length;
  return { started, starts, granted };
}

describe("the pace of a container's parameter-store calls", () => {
  it("lets a cold container's first 10 calls (50 receivers) leave at once", async () => {
    const { started, starts } = await turnsAtOnce(10, 60_000);
    assert.deepEqual(starts, Array(10).fill(started));
  });

  it("spreads a large read at the quota's pace: 10 at once, then one every 25 ms, 40 in any second", async () => {
    const { started, starts } = await turnsAtOnce(100, 60_000);
    assert.equal(starts.length, 100);
    assert.deepEqual(starts.slice(0, 10), Array(10).fill(started));
    assert.deepEqual(
      starts.slice(10, 14).map((at) => at - started),
      [25, 50, 75, 100],
    );
    assert.ok(mostInWindow(starts, 1000) <= 40, `${mostInWindow(starts, 1000)} calls in one second`);
    // At the quota's pace, not slower: 100 calls in two and a half seconds (the window's margin aside).
    assert.ok(
      Math.max(...starts) - started < 2600,
      `the last call left after ${Math.max(...starts) - started} ms`,
    );
  });

  it("gives no turn at or after the deadline", async () => {
    const { started, starts, granted } = await turnsAtOnce(20, 200);
    // 10 at once, then one every 25 ms until the deadline: at 25, 50, ... 175.
    assert.equal(granted, 17);
    assert.ok(starts.every((at) => at < started + 200));
  });

  it("halves after a throttled call, pausing first, and keeps within the quota whatever the order of calls", async () => {
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
          // Never past the quota in any second; after the throttle, never past half of it.
          assert.ok(mostInWindow(starts, 1000) <= 40);
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

  it("keeps 10 calls a second after two throttled seconds halved it to 10 (a 10 s read, no successes)", async () => {
    const clock = fakeClock();
    const pace = createReadPace(clock.now, clock.sleep);
    throttledSeconds(clock, pace, 2);
    const starts = await callsIn(clock, pace, 10_000, false);
    // At 10 a second, a 10 s read makes about 100 calls.
    assert.ok(starts.length >= 95, `${starts.length} calls in 10 s at a pace of 10 a second`);
  });

  it("keeps about 7 calls a second at a pace of 7.9 (three throttled seconds, then successes)", async () => {
    const clock = fakeClock();
    const pace = createReadPace(clock.now, clock.sleep);
    throttledSeconds(clock, pace, 3);
    // From 5 a second, each success adds 1 / pace: 5 → 7.9 after about 20 successes.
    let perSecond = 5;
    while (perSecond + 1 / perSecond < 8) {
      pace.speedUp();
      perSecond += 1 / perSecond;
    }
    const starts = await callsIn(clock, pace, 5_000, false);
    assert.ok(
      starts.length >= 35,
      `${starts.length} calls in 5 s at a pace of ${perSecond.toFixed(2)} a second`,
    );
  });

  it("speeds up by about one call a second each second after a throttled second (20 → about 24 after 4 s)", async () => {
    const clock = fakeClock();
    const pace = createReadPace(clock.now, clock.sleep);
    throttledSeconds(clock, pace, 1);
    const starts = await callsIn(clock, pace, 5_000, true);
    const from = starts[0];
    const inSecond = (second: number) =>
      starts.filter((at) => at >= from + second * 1000 && at < from + (second + 1) * 1000).length;
    const perSecondSeen = [0, 1, 2, 3, 4].map(inSecond);
    // AIMD as documented: about 20, 21, 22, 23, 24.
    assert.ok(perSecondSeen[3] >= 22, `calls in each of the first 5 s: ${perSecondSeen.join(", ")}`);
  });
});
