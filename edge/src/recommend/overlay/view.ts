import type { LoadedArtifacts } from "../rpg/artifacts.ts";
import type { ItemGraph } from "../sets/graph.ts";
import { type Codes, linkRows, similarity } from "./link.ts";

/** An item the version was not trained on, with the SID the GPU worker gave it (its `digits` codes). */
export interface OverlayItem {
  itemId: string;
  codes: ArrayLike<number>;
  /** Its unit text vector (`text.dim` values), for a set with a text term. */
  vector?: ArrayLike<number>;
}

/**
 * An RPG set serving `items` as well: rows N+1.. in the given order, in the SID table (so both
 * decoders score them: a code tuple is all RPG needs), in items.json's map and, when the set ships
 * its code cosines (codes.sim.f32), linked into the item graph (link.ts). Items the set already
 * knows, repeated ids and tuples of the wrong length are left out. The model's own input stays rows
 * 1..N (its ONNX graph holds the trained SID table): new items in a history are not read by the
 * model, but they are excluded when seen and seed the graph walk with their neighbours. In a set with
 * a text term, an item's vector gives it that term like any trained item; one without a vector (or of
 * the wrong width) gets none.
 */
export function withOverlay(art: LoadedArtifacts, items: readonly OverlayItem[]): LoadedArtifacts {
  const m = art.sids.digits;
  const rowOf = new Map(art.rowOf);
  const added = items.filter((item) => {
    if (rowOf.has(item.itemId) || item.codes.length !== m) return false;
    rowOf.set(item.itemId, art.sids.rows + rowOf.size - art.rowOf.size);
    return true;
  });
  if (added.length === 0) return art;
  const rows = art.sids.rows + added.length;
  const codes = new Uint8Array(rows * m);
  codes.set(art.sids.codes);
  added.forEach((item, i) => {
    codes.set(Array.from(item.codes), (art.sids.rows + i) * m);
  });
  const sids = { codes, digits: m, rows };
  const base = art.sids.rows - 1;
  const graph = art.codeSim
    ? linkRows(art.graph, art.codeSim, sids, base, art.manifest.decode.neighbours)
    : unlinked(art, added.length);
  const graphScores = art.graphScores && art.codeSim ? rescore(art, graph, sids, art.codeSim) : null;
  const itemIds = [...art.itemIds, ...added.map((item) => item.itemId)];
  return { ...art, itemIds, rowOf, sids, graph, graphScores, addedText: addedText(art, added) };
}

/** The added items' text vectors [K, dim] for a set with a text term; null otherwise. */
function addedText(art: LoadedArtifacts, added: readonly OverlayItem[]): Float32Array | null {
  const dim = art.manifest.text?.dim;
  if (!art.text || !dim) return null;
  const vectors = new Float32Array(added.length * dim);
  added.forEach((item, i) => {
    if (item.vector?.length === dim) vectors.set(Array.from(item.vector), i * dim);
  });
  return vectors;
}

/** Scores aligned with the new graph: the set's own where a list is unchanged, else recomputed. */
function rescore(art: LoadedArtifacts, graph: ItemGraph, sids: Codes, sim: Float32Array): Float32Array {
  const old = art.graph;
  const scores = new Float32Array(graph.indices.length);
  for (let r = 1; r < sids.codes.length / sids.digits; r++) {
    const [start, end] = [graph.indptr[r] as number, graph.indptr[r + 1] as number];
    const was = r < old.indptr.length - 1 ? (old.indptr[r] as number) : -1;
    const same =
      was >= 0 &&
      (old.indptr[r + 1] as number) - was === end - start &&
      graph.indices.subarray(start, end).every((v, i) => v === old.indices[was + i]);
    for (let j = start; j < end; j++) {
      scores[j] = same
        ? (art.graphScores?.[was + j - start] as number)
        : similarity(sim, sids, r, graph.indices[j] as number);
    }
  }
  return scores;
}

/** Without code cosines the new rows get empty lists: exhaustive scoring still ranks them. */
function unlinked(art: LoadedArtifacts, count: number) {
  const last = art.graph.indptr[art.graph.indptr.length - 1] as number;
  const indptr = new Int32Array(art.graph.indptr.length + count);
  indptr.set(art.graph.indptr);
  indptr.fill(last, art.graph.indptr.length);
  return { indptr, indices: art.graph.indices };
}
