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
 * Per-catalogue scratch memory, reused by every decode of that SID table: stamps say which rows the
 * current call has already scored and which the current step has already collected, so a decode
 * never allocates or clears O(N) memory. Decoding is synchronous and an isolate runs one request
 * at a time between awaits, so one scratch per table is safe.
 */
interface Scratch {
  scoredIn: Uint32Array; // [rows] the call that last scored the row
  score: Float64Array; // [rows] that score
  collectedIn: Uint32Array; // [rows] the step that last collected the row as a candidate
  stamp: number; // the last stamp handed out, for calls and steps alike
}
const scratches = new WeakMap<Uint8Array, Scratch>();

function scratchFor(sids: SidTable): Scratch {
  let s = scratches.get(sids.codes);
  if (!s || s.score.length !== sids.rows) {
    s = {
      scoredIn: new Uint32Array(sids.rows),
      score: new Float64Array(sids.rows),
      collectedIn: new Uint32Array(sids.rows),
      stamp: 0,
    };
    scratches.set(sids.codes, s);
  }
  return s;
}

/**
 * Graph-constrained decoding: the beam walks the item graph; each step scores the union of the
 * beam and its neighbours and keeps the best `beam` rows. Excluded rows never enter the beam.
 */
export function graphDecode(opts: GraphDecodeOptions): GraphDecodeResult {
  const { logprobs, sids, graph, beam: b, steps, n, exclude } = opts;
  if (b < n) throw new Error(`beam ${b} must be >= n ${n}`);
  const s = scratchFor(sids);
  const call = nextStamp(s);
  let scored = 0;
  const score = (row: number): number => {
    if (s.scoredIn[row] !== call) {
      s.scoredIn[row] = call;
      s.score[row] = scoreRow(logprobs, sids, row);
      scored++;
    }
    return s.score[row] as number;
  };
  const admit = (row: number) => row > 0 && row < sids.rows && !exclude?.(row);

  let candidates: number[] = [];
  let step = nextStamp(s);
  for (let i = 0; i < opts.initialBeam.length; i++) {
    const row = opts.initialBeam[i] as number;
    if (admit(row) && s.collectedIn[row] !== step) {
      s.collectedIn[row] = step;
      candidates.push(row);
    }
  }
  let current = keepBest(candidates, score, b);
  for (let q = 0; q < steps; q++) {
    step = nextStamp(s);
    candidates = [];
    for (const { row } of current) {
      s.collectedIn[row] = step; // beam rows were admitted when they entered
      candidates.push(row);
    }
    for (const { row } of current) {
      const end = graph.indptr[row + 1] as number;
      for (let j = graph.indptr[row] as number; j < end; j++) {
        const neighbour = graph.indices[j] as number;
        if (s.collectedIn[neighbour] !== step && admit(neighbour)) {
          s.collectedIn[neighbour] = step;
          candidates.push(neighbour);
        }
      }
    }
    current = keepBest(candidates, score, b);
  }
  return { items: current.slice(0, n), scored };
}

function nextStamp(s: Scratch): number {
  s.stamp = (s.stamp + 1) >>> 0 || 1; // wraps past 2^32 - 1 to 1: 0 would match fresh memory
  return s.stamp;
}

/** The best `b` of distinct `rows`, best first: a bounded worst-on-top heap, O(C log b). */
function keepBest(rows: readonly number[], score: (row: number) => number, b: number): Ranked[] {
  const heap: Ranked[] = [];
  for (const row of rows) {
    const cand = { row, score: score(row) };
    if (heap.length < b) {
      heap.push(cand);
      siftUp(heap, heap.length - 1);
    } else if (better(cand, heap[0] as Ranked) < 0) {
      heap[0] = cand;
      siftDown(heap, 0);
    }
  }
  return heap.sort(better);
}

// heap order: the worst entry (by `better`) at the root
function siftUp(heap: Ranked[], i: number): void {
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (better(heap[i] as Ranked, heap[parent] as Ranked) <= 0) return;
    [heap[i], heap[parent]] = [heap[parent] as Ranked, heap[i] as Ranked];
    i = parent;
  }
}

function siftDown(heap: Ranked[], i: number): void {
  for (;;) {
    const [l, r] = [2 * i + 1, 2 * i + 2];
    let worst = i;
    if (l < heap.length && better(heap[l] as Ranked, heap[worst] as Ranked) > 0) worst = l;
    if (r < heap.length && better(heap[r] as Ranked, heap[worst] as Ranked) > 0) worst = r;
    if (worst === i) return;
    [heap[i], heap[worst]] = [heap[worst] as Ranked, heap[i] as Ranked];
    i = worst;
  }
}
