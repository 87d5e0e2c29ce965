import { RecommendResponse } from "@genrec/shared";
import { describe, expect, it } from "vitest";
import { upload } from "../../../test/artifact-set.ts";
import {
  addItems,
  knnFiles,
  knnManifest,
  publishLive,
  sasrecFiles,
  sasrecManifest,
} from "../../../test/baseline-sets.ts";
import { CLIENT, call, expectError } from "../../../test/helpers.ts";
import knn from "../../../test/vectors/knn-topk.json";
import sasrec from "../../../test/vectors/sasrec-topk.json";
import { createApp } from "../../app.ts";

const sku = (rows: number[]) => rows.map((r) => `SKU-${r}`);

async function recommend(app: ReturnType<typeof createApp>, history: string[], n = 10) {
  const res = await call(app, "POST", "/v1/recommendations", { key: CLIENT, body: { history, n } });
  expect(res.status).toBe(200);
  return RecommendResponse.parse(await res.json());
}

describe("serving SASRec and content kNN from published sets (real ONNX, D1 and R2)", () => {
  it("publishes, activates and answers a SASRec set as PyTorch ranks it", async () => {
    const app = createApp();
    await addItems(app, sasrec.n_items);
    await publishLive(app, await sasrecManifest("sasrec-fixture-1"), sasrecFiles());
    const c = sasrec.cases.find((x) => x.name === "short");
    const body = await recommend(app, sku(c?.history ?? []));
    expect(body).toMatchObject({ model: "sasrec", model_version: "sasrec-fixture-1" });
    expect(body.items.map((i) => i.item_id)).toEqual(sku(c?.expected.rows ?? []));
    // Similar items need item lists, which a SASRec set does not ship.
    await expectError(await call(app, "GET", "/v1/items/SKU-1/similar", { key: CLIENT }), 409, "conflict");
  });

  it("refuses a set whose embeddings do not match its manifest", async () => {
    const app = createApp();
    const files = { ...sasrecFiles(), "embeddings.f32": new Uint8Array(16) };
    const manifest = await sasrecManifest("sasrec-bad-1", files);
    await upload(app, manifest.version, files);
    await expectError(
      await call(app, "POST", "/v1/models/sasrec-bad-1", { body: manifest }),
      422,
      "invalid_artifact",
    );
  });

  it("serves content kNN with decay and answers similar items from its lists", async () => {
    const app = createApp();
    await addItems(app, knn.n_items);
    await publishLive(app, await knnManifest("knn-fixture-1", 0.5), knnFiles());
    const c = knn.cases.find((x) => x.name === "decay-half");
    const body = await recommend(app, sku(c?.history ?? []));
    expect(body).toMatchObject({ model: "content-knn", model_version: "knn-fixture-1" });
    expect(body.items.map((i) => i.item_id)).toEqual(sku(c?.expected.rows ?? []));

    const res = await call(app, "GET", "/v1/items/SKU-1/similar?n=3", { key: CLIENT });
    const similar = RecommendResponse.parse(await res.json());
    const start = knn.indptr[1] as number;
    expect(similar.items.map((i) => i.item_id)).toEqual(sku(knn.indices.slice(start, start + 3)));
    expect(similar.items[0]?.score).toBeCloseTo(knn.scores[start] as number, 6);
  });
});
