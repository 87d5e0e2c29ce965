import type { ScoredItem } from "@genrec/shared";
import type { LoadedArtifacts } from "./artifacts.ts";

/** Share of equal digits between two items' semantic IDs: 1 for identical SIDs, 0 for disjoint. */
function sidOverlap(art: LoadedArtifacts, a: number, b: number): number {
  const m = art.sids.digits;
  let same = 0;
  for (let d = 0; d < m; d++) if (art.sids.codes[a * m + d] === art.sids.codes[b * m + d]) same++;
  return same / m;
}

/**
 * An item's nearest neighbours in the published item graph (itself excluded), in graph order.
 * Scores are the graph's own similarities when the set ships them, else SID digit overlap.
 */
export function similarItems(art: LoadedArtifacts, row: number, n: number): ScoredItem[] {
  const { indptr, indices } = art.graph;
  const out: ScoredItem[] = [];
  for (let j = indptr[row] as number; j < (indptr[row + 1] as number) && out.length < n; j++) {
    const other = indices[j] as number;
    if (other === row) continue;
    const score = art.graphScores ? (art.graphScores[j] as number) : sidOverlap(art, row, other);
    out.push({ item_id: art.itemIds[other] as string, score });
  }
  return out;
}
