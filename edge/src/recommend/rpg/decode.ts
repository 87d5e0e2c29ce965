/**
 * RPG scoring (docs/artifacts.md), as pure functions of the score table and the SID table. One
 * model pass gives `logprobs` [m, 256]; an item's score is the mean over digits of the
 * log-probability of its code, so each item costs m lookups, plus a set's `Bonus` when it has one
 * (the text term, the repeat bias). Exhaustive top-n is here; graph-constrained decoding over the
 * item graph is in graph.ts.
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

/** What a set adds to a row's digit score (text term, repeat bias); absent when nothing. */
export type Bonus = (row: number) => number;

/** A row's full score: the digit score plus the bonus. */
export function rowScorer(logprobs: Float32Array, sids: SidTable, bonus?: Bonus): (row: number) => number {
  return bonus ? (row) => scoreRow(logprobs, sids, row) + bonus(row) : (row) => scoreRow(logprobs, sids, row);
}

/** A set's text vectors for one request: `vectors` [R, dim] of rows 0..R-1, `added` of rows R.. */
export interface TextTerm {
  vectors: Float32Array;
  dim: number;
  query: Float32Array;
  /** Rows R.. (items added at the edge after training), [K, dim]; rows beyond both get 0. */
  added?: Float32Array | null;
}

/**
 * The bonus of one request (docs/artifacts.md): `query · text[row]` over the set's text vectors (and
 * those of items added at the edge after training), plus `repeat` on the rows of the model's input
 * history. Undefined when the set has neither.
 */
export function itemBonus(
  text: TextTerm | null,
  repeat: { bias: number; rows: ReadonlySet<number> } | null,
): Bonus | undefined {
  if (!text && !repeat) return undefined;
  const dim = text?.dim ?? 1;
  const own = text ? text.vectors.length / dim : 0;
  return (row) => {
    let sum = 0;
    if (text) {
      // no per-row allocation: this runs for every item an exhaustive request scores
      const vectors = row < own ? text.vectors : text.added;
      const base = (row < own ? row : row - own) * dim;
      if (vectors && base + dim <= vectors.length) {
        const { query } = text;
        for (let j = 0; j < dim; j++) sum += (query[j] as number) * (vectors[base + j] as number);
      }
    }
    return repeat?.rows.has(row) ? sum + repeat.bias : sum;
  };
}

/** Exhaustive top-n over rows 1..N: O(N·m) scoring, O(N·(m + dim)) with a text term (rank.ts keeps the top). */
export function exhaustiveTopN(
  logprobs: Float32Array,
  sids: SidTable,
  n: number,
  exclude?: (row: number) => boolean,
  bonus?: Bonus,
): Ranked[] {
  return exhaustiveTop(sids.rows, rowScorer(logprobs, sids, bonus), n, exclude);
}
