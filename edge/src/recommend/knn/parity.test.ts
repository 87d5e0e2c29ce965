import { describe, expect, it } from "vitest";
import { itemIds, knnFiles } from "../../../test/baseline-sets.ts";
import vectors from "../../../test/vectors/knn-topk.json";
import type { KnnSet } from "./artifacts.ts";
import { knnRecommend, knnScores } from "./recommend.ts";

function set(decay: number): KnnSet {
  const files = knnFiles();
  const ids = itemIds(vectors.n_items);
  const manifest = { decay, max_len: 50 } as KnnSet["manifest"];
  const lists = {
    indptr: new Int32Array((files["graph.indptr.i32"] as Uint8Array).buffer),
    indices: new Int32Array((files["graph.indices.i32"] as Uint8Array).buffer),
  };
  const scores = new Float32Array((files["graph.scores.f32"] as Uint8Array).buffer);
  return { kind: "knn", manifest, itemIds: ids, rowOf: new Map(ids.map((id, r) => [id, r])), lists, scores };
}

// genrec.models.knn_lists.list_scores' top-10 (python -m genrec.tools.baseline_vectors).
describe("content kNN at the edge = the Python list scorer on committed vectors", () => {
  it.each(vectors.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const items = knnRecommend(
      set(c.decay),
      c.history.map((r) => `SKU-${r}`),
      c.n,
      true,
    );
    expect(items.map((i) => i.item_id)).toEqual(c.expected.rows.map((r) => `SKU-${r}`));
    items.forEach((item, i) => {
      expect(item.score).toBeCloseTo(c.expected.scores[i] as number, 6);
    });
  });

  it("weighs the newest item 1, older ones by repeated decay, and leaves unreached rows out", () => {
    const lists = { indptr: Int32Array.from([0, 0, 1, 2, 2]), indices: Int32Array.from([3, 3]) };
    const scores = Float32Array.from([0.5, 0.25]);
    expect(Array.from(knnScores(lists, scores, [1, 2], 0.5))).toEqual([-Infinity, -Infinity, -Infinity, 0.5]);
    expect(knnScores(lists, scores, [1, 2], 0)[3]).toBe(0.25);
    const few = knnRecommend(set(0), ["SKU-1"], 500, true);
    expect(few).toHaveLength(12); // only the newest item's list answers at decay 0
  });
});
