/**
 * RPG scoring and graph-constrained decoding (docs/artifacts.md), as pure functions of the score
 * table, the SID table and the item graph. One model pass gives `logprobs` [m, 256]; an item's
 * score is the mean over digits of the log-probability of its code, so each item costs m lookups.
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

export interface GraphDecodeOptions {
  logprobs: Float32Array;
  sids: SidTable;
  graph: ItemGraph;
  /** Starting rows (the paper: b random items); rows that are excluded or repeated are dropped. */
  initialBeam: ArrayLike<number>;
  beam: number;
  steps: number;
  n: number;
  exclude?: (row: number) => boolean;
}

export interface GraphDecodeResult {
  items: Ranked[];
  /** Distinct items scored: the decoding cost, O(q·b·k), independent of catalogue size. */
  scored: number;
}

/**
 * Graph-constrained decoding: the beam walks the item graph; each step scores the union of the
 * beam and its neighbours and keeps the best `beam` rows. Excluded rows never enter the beam.
 */
export function graphDecode(opts: GraphDecodeOptions): GraphDecodeResult {
  const { logprobs, sids, graph, beam: b, steps, n, exclude } = opts;
  if (b < n) throw new Error(`beam ${b} must be >= n ${n}`);
  const cache = new Map<number, number>();
  const score = (row: number): number => {
    let s = cache.get(row);
    if (s === undefined) {
      s = scoreRow(logprobs, sids, row);
      cache.set(row, s);
    }
    return s;
  };
  const admit = (row: number) => row > 0 && row < sids.rows && !exclude?.(row);

  let current = keepBest(Array.from(opts.initialBeam).filter(admit), score, b);
  for (let step = 0; step < steps; step++) {
    const candidates = new Set<number>();
    for (const { row } of current) {
      candidates.add(row);
      const end = graph.indptr[row + 1] as number;
      for (let j = graph.indptr[row] as number; j < end; j++) {
        const neighbour = graph.indices[j] as number;
        if (admit(neighbour)) candidates.add(neighbour);
      }
    }
    current = keepBest(candidates, score, b);
  }
  return { items: current.slice(0, n), scored: cache.size };
}

function keepBest(rows: Iterable<number>, score: (row: number) => number, b: number): Ranked[] {
  const unique = new Set(rows);
  const ranked = Array.from(unique, (row) => ({ row, score: score(row) }));
  ranked.sort(better);
  return ranked.slice(0, b);
}
