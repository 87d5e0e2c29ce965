/**
 * RPG scoring (docs/artifacts.md), as pure functions of the score table and the SID table. One
 * model pass gives `logprobs` [m, 256]; an item's score is the mean over digits of the
 * log-probability of its code, so each item costs m lookups. Exhaustive top-n is here;
 * graph-constrained decoding over the item graph is in graph.ts.
 */

import { exhaustiveTop, type Ranked } from "../rank.ts";

export { better, type Ranked } from "../rank.ts";
export type { ItemGraph } from "../sets/graph.ts";

export const CODES = 256;

/** uint8 [rows, digits], row 0 = padding. */
export interface SidTable {
  codes: Uint8Array;
  digits: number;
  rows: number;
}

export function scoreRow(logprobs: Float32Array, sids: SidTable, row: number): number {
  const m = sids.digits;
  const base = row * m;
  let sum = 0;
  for (let d = 0; d < m; d++) sum += logprobs[d * CODES + (sids.codes[base + d] as number)] as number;
  return sum / m;
}

/** Exhaustive top-n over rows 1..N: O(N·m) scoring (rank.ts keeps the top). */
export function exhaustiveTopN(
  logprobs: Float32Array,
  sids: SidTable,
  n: number,
  exclude?: (row: number) => boolean,
): Ranked[] {
  return exhaustiveTop(sids.rows, (row) => scoreRow(logprobs, sids, row), n, exclude);
}
