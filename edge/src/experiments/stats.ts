import type { Proportion } from "@genrec/shared";

/** z for a two-sided 95% interval. */
const Z = 1.959963984540054;

/**
 * `successes / trials` with its 95% Wilson score interval: unlike the normal approximation it stays
 * inside [0, 1] and is honest for small counts and shares near 0 (click-through usually is).
 * No trials: value 0 and the whole [0, 1] interval.
 */
export function wilson(successes: number, trials: number): Proportion {
  if (trials === 0) return { value: 0, low: 0, high: 1 };
  const p = successes / trials;
  const z2 = Z * Z;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (Z / (1 + z2 / trials)) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  // exact at the ends (the formula lands a rounding error off 0 or 1)
  return {
    value: p,
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === trials ? 1 : Math.min(1, centre + half),
  };
}

/**
 * The difference `a - b` of two independent proportions with its 95% interval by Newcombe's hybrid
 * score method (his method 10), built from each one's Wilson interval: an interval that excludes 0
 * tells the arms apart, and its sign says which is better.
 */
export function difference(a: Proportion, b: Proportion): Proportion {
  const d = a.value - b.value;
  return {
    value: d,
    low: d - Math.sqrt((a.value - a.low) ** 2 + (b.high - b.value) ** 2),
    high: d + Math.sqrt((a.high - a.value) ** 2 + (b.value - b.low) ** 2),
  };
}
