import type { ScoredItem } from "@genrec/shared";
import { exhaustiveTop } from "../rank.ts";
import { type ItemGraph, listNeighbours } from "../sets/graph.ts";
import { historyRows } from "../sets/history.ts";
import type { KnnSet } from "./artifacts.ts";

/**
 * Content-kNN scores (genrec.models.knn_lists): each history row adds weight x similarity to the
 * rows of its neighbour list, oldest first, with weight = decay^age as repeated products (age 0 =
 * the newest; decay 0 keeps the newest only). Rows no list reaches score -Infinity.
 */
export function knnScores(lists: ItemGraph, scores: Float32Array, rows: readonly number[], decay: number) {
  const weights = new Float64Array(rows.length);
  for (let h = rows.length - 1, w = 1; h >= 0; h--, w *= decay) weights[h] = w;
  const total = new Float64Array(lists.indptr.length - 1).fill(Number.NEGATIVE_INFINITY);
  rows.forEach((row, h) => {
    const weight = weights[h] as number;
    if (weight === 0) return;
    for (let j = lists.indptr[row] as number; j < (lists.indptr[row + 1] as number); j++) {
      const other = lists.indices[j] as number;
      const add = weight * (scores[j] as number);
      total[other] = total[other] === Number.NEGATIVE_INFINITY ? add : (total[other] as number) + add;
    }
  });
  return total;
}

export function knnTopN(set: KnnSet, rows: readonly number[], n: number, exclude?: (row: number) => boolean) {
  const total = knnScores(set.lists, set.scores, rows, set.manifest.decay);
  return exhaustiveTop(total.length, (row) => total[row] as number, n, exclude);
}

/** One user from the newest `max_len` known history items: list lookups only, no model pass. */
export function knnRecommend(
  set: KnnSet,
  history: readonly string[],
  n: number,
  excludeSeen: boolean,
): ScoredItem[] {
  const { rows } = historyRows(set, set.manifest.max_len, history);
  const seen = new Set(rows);
  const ranked = knnTopN(
    set,
    rows.slice(-set.manifest.max_len),
    n,
    excludeSeen ? (r) => seen.has(r) : undefined,
  );
  return ranked.map(({ row, score }) => ({ item_id: set.itemIds[row] as string, score }));
}

/** An item's nearest items by text similarity (its list, itself excluded). */
export function knnSimilar(set: KnnSet, row: number, n: number): ScoredItem[] {
  return listNeighbours(set.lists, set.itemIds, row, n, (j) => set.scores[j] as number);
}
