import type { ScoredItem } from "@genrec/shared";
import { sidKey } from "./sid-map.ts";

/**
 * Decoded SIDs of no trained item -> the cold-start items that have them. Each of the n items of one
 * SID scores the SID's log-prob + `bucketPrior` x log(1/n): the worker's joint mapping (SID log-prob
 * + bucket_prior x log P(item | SID)) with P the add-one smoothed share of a bucket nobody has
 * trained on, 1/n. `bucketPrior` 0 (a worker that does not say) gives every item the SID's score.
 */
export function coldStartItems(
  map: ReadonlyMap<string, readonly string[]>,
  unmatched: readonly { codes: number[]; score: number }[],
  bucketPrior = 0,
): ScoredItem[] {
  return unmatched.flatMap((sid) => {
    const ids = map.get(sidKey(sid.codes)) ?? [];
    const score = sid.score - bucketPrior * Math.log(ids.length);
    return ids.map((id) => ({ item_id: id, score }));
  });
}

/**
 * Both lists (each best first) as one, by score desc; on equal scores trained items first, and an
 * item listed twice keeps its first place. Pure.
 */
export function merged(trained: readonly ScoredItem[], added: readonly ScoredItem[]): ScoredItem[] {
  if (added.length === 0) return [...trained];
  const all = [
    ...trained.map((item, i) => ({ item, i })),
    ...added.map((item, i) => ({ item, i: trained.length + i })),
  ];
  all.sort((a, b) => b.item.score - a.item.score || a.i - b.i);
  const seen = new Set<string>();
  return all
    .map((e) => e.item)
    .filter((item) => !seen.has(item.item_id) && seen.add(item.item_id) !== undefined);
}
