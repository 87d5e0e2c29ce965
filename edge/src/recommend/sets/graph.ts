import type { ScoredItem } from "@genrec/shared";
import { ArtifactError } from "./files.ts";

/** CSR over item rows: neighbours of row r are indices[indptr[r] .. indptr[r+1]). */
export interface ItemGraph {
  indptr: Int32Array;
  indices: Int32Array;
}

/** graph.indptr.i32 / graph.indices.i32 as a graph over rows 0..n, every neighbour in 1..n. */
export function readGraph(indptrBuf: ArrayBuffer, indicesBuf: ArrayBuffer, n: number): ItemGraph {
  const graph = { indptr: new Int32Array(indptrBuf), indices: new Int32Array(indicesBuf) };
  const { indptr, indices } = graph;
  if (indptr.length !== n + 2 || indptr[0] !== 0 || indptr[n + 1] !== indices.length) {
    throw new ArtifactError(`graph.indptr.i32 must be ${n + 2} offsets from 0 to ${indices.length}`);
  }
  for (let r = 0; r <= n; r++) {
    if ((indptr[r + 1] as number) < (indptr[r] as number))
      throw new ArtifactError("graph.indptr.i32 is not monotone");
  }
  if (indices.some((r) => r < 1 || r > n))
    throw new ArtifactError("graph.indices.i32 holds rows outside 1..N");
  return graph;
}

/** An item's neighbours in list order, itself left out; `score(j, other)` scores list entry j. */
export function listNeighbours(
  graph: ItemGraph,
  itemIds: readonly string[],
  row: number,
  n: number,
  score: (j: number, other: number) => number,
): ScoredItem[] {
  const { indptr, indices } = graph;
  const out: ScoredItem[] = [];
  for (let j = indptr[row] as number; j < (indptr[row + 1] as number) && out.length < n; j++) {
    const other = indices[j] as number;
    if (other !== row) out.push({ item_id: itemIds[other] as string, score: score(j, other) });
  }
  return out;
}
