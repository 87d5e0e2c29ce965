import { type Bonus, type ItemGraph, type Ranked, rowScorer, type SidTable } from "./decode.ts";
import { keepBest } from "./heap.ts";

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
  /** The set's term beside each row's digit score (decode.ts). */
  bonus?: Bonus;
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
  const rowScore = rowScorer(logprobs, sids, opts.bonus);
  if (b < n) throw new Error(`beam ${b} must be >= n ${n}`);
  const s = scratchFor(sids);
  const call = nextStamp(s);
  let scored = 0;
  const score = (row: number): number => {
    if (s.scoredIn[row] !== call) {
      s.scoredIn[row] = call;
      s.score[row] = rowScore(row);
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
