import { describe, expect, it } from "vitest";
import { itemIds, sasrecFiles } from "../../../test/baseline-sets.ts";
import vectors from "../../../test/vectors/sasrec-topk.json";
import { loadUserModel } from "../../inference/ort.ts";
import type { EmbeddingSet } from "./artifacts.ts";
import { dotTopN, embeddingRecommend } from "./recommend.ts";

// PyTorch's top-10 for fixed histories (python -m genrec.tools.baseline_vectors; the Python tests
// check the same file): the exported user side run by onnxruntime-web in workerd must rank alike.
describe("SASRec at the edge = SASRec in PyTorch on committed vectors", async () => {
  const files = sasrecFiles();
  const ids = itemIds(vectors.n_items);
  const set: EmbeddingSet = {
    kind: "embedding",
    manifest: { max_len: vectors.max_len } as EmbeddingSet["manifest"],
    itemIds: ids,
    rowOf: new Map(ids.map((id, row) => [id, row])),
    embeddings: new Float32Array((files["embeddings.f32"] as Uint8Array).buffer),
    model: await loadUserModel(files["model.onnx"] as Uint8Array, vectors.max_len, vectors.dim),
  };

  it.each(vectors.cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const history = c.history.map((row) => `SKU-${row}`);
    const items = await embeddingRecommend(set, history, c.n, c.exclude_seen);
    expect(items.map((i) => i.item_id)).toEqual(c.expected.rows.map((row) => `SKU-${row}`));
    items.forEach((item, i) => {
      expect(item.score).toBeCloseTo(c.expected.scores[i] as number, 4);
    });
  });

  it("ranks by dot product, ties by row, skipping excluded rows", () => {
    const embeddings = Float32Array.from([0, 0, 1, 0, 0, 1, 1, 1, 2, 0]); // rows 0..4, dim 2
    const user = Float32Array.from([1, 0]);
    expect(dotTopN(user, embeddings, 3).map((r) => r.row)).toEqual([4, 1, 3]);
    expect(dotTopN(user, embeddings, 2, (r) => r === 4).map((r) => [r.row, r.score])).toEqual([
      [1, 1],
      [3, 1],
    ]);
  });
});
