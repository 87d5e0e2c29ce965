/**
 * RPG scoring (docs/artifacts.md), as pure functions of the score table and the SID table. One
 * model pass gives `logprobs` [m, 256]; an item's score is the mean over digits of the
 * log-probability of its code, so each item costs m lookups. Exhaustive top-n is here;
 * graph-constrained decoding over the item graph is in graph.ts.
 */

export const CODES = 256;

/** uint8 [rows, digits], row 0 = padding. */
export interface SidTable {
  codes: Uint8Array;
  digits: number;
  rows: number;
}

/** CSR over item rows: neighbours of row r are indices[indptr[r] .. indptr[r+1]). */
export interface ItemGraph {
  indptr: Int32Array;
  indices: Int32Array;
}

export interface Ranked {
  row: number;
  score: number;
}

/** Ranking order everywhere: higher score first, then lower row, so results are deterministic. */
export function better(a: Ranked, b: Ranked): number {
  return b.score - a.score || a.row - b.row;
}

export function scoreRow(logprobs: Float32Array, sids: SidTable, row: number): number {
  const m = sids.digits;
  const base = row * m;
  let sum = 0;
  for (let d = 0; d < m; d++) sum += logprobs[d * CODES + (sids.codes[base + d] as number)] as number;
  return sum / m;
}

/** Exhaustive top-n over rows 1..N: O(N·m) scoring, a bounded insertion list for the top. */
export function exhaustiveTopN(
  logprobs: Float32Array,
  sids: SidTable,
  n: number,
  exclude?: (row: number) => boolean,
): Ranked[] {
  const top: Ranked[] = [];
  for (let row = 1; row < sids.rows; row++) {
    if (exclude?.(row)) continue;
    const cand = { row, score: scoreRow(logprobs, sids, row) };
    if (top.length === n && better(cand, top[n - 1] as Ranked) >= 0) continue;
    let i = Math.min(top.length, n - 1);
    top[i] = cand;
    while (i > 0 && better(top[i] as Ranked, top[i - 1] as Ranked) < 0) {
      [top[i - 1], top[i]] = [top[i] as Ranked, top[i - 1] as Ranked];
      i--;
    }
  }
  return top;
}
