import type { ScoredItem } from "@genrec/shared";
import { listNeighbours } from "../sets/graph.ts";
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
  const scores = art.graphScores;
  return listNeighbours(art.graph, art.itemIds, row, n, (j, other) =>
    scores ? (scores[j] as number) : sidOverlap(art, row, other),
  );
}
