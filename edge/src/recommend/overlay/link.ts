/**
 * Links items added after training into an RPG item graph by the similarity the exporter built it
 * with (gpu-worker/src/genrec/rpg/graph.py): sim(i, j) = ½(1 + mean_d C_d[c_i^d, c_j^d]), where
 * C_d is digit d's 256 x 256 table of code cosines (codes.sim.f32). Each new row gets the top-k list
 * over every row (itself first, then similarity desc, row asc), and enters an old row's list where
 * it beats that list's last entry (or joins a list shorter than k), before the first entry it beats;
lists keep their length k, so
 * the result is the graph a rebuild with the new items would give, up to ties. Pure functions.
 */
import { keepBest } from "../rpg/heap.ts";
import type { ItemGraph } from "../sets/graph.ts";

const CODES = 256;

/** Code tuples, uint8 [rows, m] row-major (row 0 padding), and the code-cosine tables [m, 256, 256]. */
export interface Codes {
  codes: Uint8Array;
  digits: number;
}

export function similarity(sim: Float32Array, t: Codes, a: number, b: number): number {
  const m = t.digits;
  let total = 0;
  for (let d = 0; d < m; d++) {
    const ca = t.codes[a * m + d] as number;
    const cb = t.codes[b * m + d] as number;
    total += sim[(d * CODES + ca) * CODES + cb] as number;
  }
  return 0.5 * (1 + total / m);
}

/**
 * The graph over rows 0..base+added of `t` (which holds every row's codes): rows 1..base keep
 * `graph`'s lists with the new rows merged in, rows base+1.. get their own top-`k` lists.
 */
export function linkRows(graph: ItemGraph, sim: Float32Array, t: Codes, base: number, k: number): ItemGraph {
  const total = t.codes.length / t.digits - 1;
  const all = Array.from({ length: total }, (_, i) => i + 1);
  const fresh: number[][] = [];
  const joins = new Map<number, { row: number; score: number }[]>(); // old row -> new rows that enter
  const last = new Float64Array(base + 1); // each old row's bar: its last entry's similarity
  for (let j = 1; j <= base; j++) {
    const [start, end] = [graph.indptr[j] as number, graph.indptr[j + 1] as number];
    const full = end - start >= k;
    last[j] = full ? similarity(sim, t, j, graph.indices[end - 1] as number) : Number.NEGATIVE_INFINITY;
  }
  for (let x = base + 1; x <= total; x++) {
    const score = (r: number) => (r === x ? Number.POSITIVE_INFINITY : similarity(sim, t, x, r));
    fresh.push(keepBest(all, score, Math.min(k, total)).map((r) => r.row));
    for (let j = 1; j <= base; j++) {
      if (graph.indptr[j + 1] === graph.indptr[j]) continue;
      const s = similarity(sim, t, x, j);
      if (s > (last[j] as number)) {
        const list = joins.get(j) ?? [];
        list.push({ row: x, score: s });
        joins.set(j, list);
      }
    }
  }
  const indptr = new Int32Array(total + 2);
  const out: number[] = [];
  for (let j = 1; j <= total; j++) {
    if (j > base) out.push(...(fresh[j - base - 1] as number[]));
    else out.push(...merged(graph, sim, t, j, joins.get(j), k));
    indptr[j + 1] = out.length;
  }
  return { indptr, indices: Int32Array.from(out) };
}

/** Row j's list with `joining` rows inserted before the first entry each beats, cut to its length. */
function merged(
  graph: ItemGraph,
  sim: Float32Array,
  t: Codes,
  j: number,
  joining: { row: number; score: number }[] | undefined,
  k: number,
): number[] {
  const list = Array.from(graph.indices.subarray(graph.indptr[j] as number, graph.indptr[j + 1] as number));
  if (!joining) return list;
  const entries = list.map((row) => ({
    row,
    score: row === j ? Number.POSITIVE_INFINITY : similarity(sim, t, j, row),
  }));
  for (const add of joining) {
    const at = entries.findIndex((e) => e.score < add.score);
    entries.splice(at < 0 ? entries.length : at, 0, add);
  }
  return entries.slice(0, Math.max(k, list.length)).map((e) => e.row);
}
