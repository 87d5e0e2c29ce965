import type { ScoredItem } from "@genrec/shared";
import { exhaustiveTop, type Ranked } from "../rank.ts";
import { historyRows } from "../sets/history.ts";
import type { EmbeddingSet } from "./artifacts.ts";

/** Exhaustive top-n by dot product with the user vector: O(N·dim), rows 1..N of `embeddings`. */
export function dotTopN(
  user: Float32Array,
  embeddings: Float32Array,
  n: number,
  exclude?: (row: number) => boolean,
): Ranked[] {
  const dim = user.length;
  const score = (row: number) => {
    let sum = 0;
    for (let i = 0, base = row * dim; i < dim; i++)
      sum += (user[i] as number) * (embeddings[base + i] as number);
    return sum;
  };
  return exhaustiveTop(embeddings.length / dim, score, n, exclude);
}

/** One user: one model pass for the user vector, then every item scored by its dot product. */
export async function embeddingRecommend(
  set: EmbeddingSet,
  history: readonly string[],
  n: number,
  excludeSeen: boolean,
): Promise<ScoredItem[]> {
  const { rows, input } = historyRows(set, set.manifest.max_len, history);
  const user = await set.model.run(input, 1);
  const seen = new Set(rows);
  const ranked = dotTopN(user, set.embeddings, n, excludeSeen ? (row) => seen.has(row) : undefined);
  return ranked.map(({ row, score }) => ({ item_id: set.itemIds[row] as string, score }));
}
