import type { Spread } from "./spread";

/** `median (min–max)`, or the bare value when every measurement agreed. */
export function formatSpread(spread: Spread, digits = 0): string {
  const median = spread.median.toFixed(digits);
  const min = spread.min.toFixed(digits);
  const max = spread.max.toFixed(digits);
  return min === max ? median : `${median} (${min}–${max})`;
}

/** `a ÷ b` with two significant digits, e.g. `0.034×`, `2.1×`, `57×`. */
export function formatRatio(value: number, reference: number): string {
  if (reference === 0) return value === 0 ? "1×" : "∞";
  const ratio = value / reference;
  return `${ratio >= 10 ? ratio.toFixed(0) : ratio.toPrecision(2)}×`;
}

export function formatKiB(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}
