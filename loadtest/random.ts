import { createHash } from "node:crypto";

/**
 * A seeded pseudo-random generator (mulberry32): the same seed gives the same sequence, so the same
 * scenario. For choices made while the run goes on, where the order of calls varies, use `draw`.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * A number in [0, 1) fixed by the seed and `parts` alone: a fault decided for "the second request of
 * this delivery" is the same in every run with that seed, whichever order concurrent requests come in.
 */
export function draw(seed: number, ...parts: (string | number)[]): number {
  const digest = createHash("sha256")
    .update([seed, ...parts].join("\n"))
    .digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** A version-4-shaped UUID from the generator, for event and build ids that a seed reproduces. */
export function seededUuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = "4";
  hex[16] = "89ab"[Math.floor(random() * 4)];
  const text = hex.join("");
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}
