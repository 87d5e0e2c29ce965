import type { KnnManifest } from "@genrec/shared";
import { ArtifactError, type ArtifactSource, type ItemTable, itemTable, readFiles } from "../sets/files.ts";
import { type ItemGraph, readGraph } from "../sets/graph.ts";

/** A loaded content-kNN set: each item's nearest items by text similarity, with the similarities. */
export interface KnnSet extends ItemTable {
  kind: "knn";
  manifest: KnnManifest;
  lists: ItemGraph;
  scores: Float32Array;
}

export async function loadKnnSet(bucket: ArtifactSource, manifest: KnnManifest): Promise<KnnSet> {
  const n = manifest.n_items;
  const [itemsBuf, indptrBuf, indicesBuf, scoresBuf] = await readFiles(bucket, manifest, [
    "items.json",
    "graph.indptr.i32",
    "graph.indices.i32",
    "graph.scores.f32",
  ]);
  const items = itemTable(itemsBuf as ArrayBuffer, n);
  const lists = readGraph(indptrBuf as ArrayBuffer, indicesBuf as ArrayBuffer, n);
  const scores = new Float32Array(scoresBuf as ArrayBuffer);
  if (scores.length !== lists.indices.length)
    throw new ArtifactError("graph.scores.f32 must align with graph.indices.i32");
  if (!scores.every(Number.isFinite)) throw new ArtifactError("graph.scores.f32 holds non-finite values");
  return { kind: "knn", manifest, ...items, lists, scores };
}
