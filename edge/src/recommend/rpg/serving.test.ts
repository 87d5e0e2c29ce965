import { ModelVersion, RecommendResponse } from "@genrec/shared";
import { describe, expect, it } from "vitest";
import { addCatalogue, artifactFiles, N_ITEMS, publish } from "../../../test/artifact-set.ts";
import { CLIENT, call, expectError } from "../../../test/helpers.ts";
import { createApp } from "../../app.ts";
import { loadLogprobModel } from "../../inference/ort.ts";
import { exhaustiveTopN } from "./decode.ts";

describe("serving an RPG artifact set", () => {
  it("registers a validated set, activates it, and serves what exhaustive scoring ranks first", async () => {
    const app = createApp();
    const registered = await publish(app, "rpg-fixture-1");
    expect(registered.status).toBe(200);
    expect(ModelVersion.parse(await registered.json())).toMatchObject({
      version: "rpg-fixture-1",
      live: false,
    });
    expect((await call(app, "POST", "/v1/models/rpg-fixture-1/activate")).status).toBe(200);

    await addCatalogue(app);
    const history = ["SKU-3", "SKU-1", "unknown-item"];
    const res = await call(app, "POST", "/v1/recommendations", { key: CLIENT, body: { history, n: 5 } });
    expect(res.status).toBe(200);
    const body = RecommendResponse.parse(await res.json());
    // The unknown item is named, and the model answers from the known ones.
    expect(body).toMatchObject({
      model: "rpg",
      model_version: "rpg-fixture-1",
      unknown_items: ["unknown-item"],
    });
    expect(body.fallback).toBeUndefined();

    // The same model run directly, ranked exhaustively: the complete graph must find the same top 5.
    const files = artifactFiles();
    const model = await loadLogprobModel(files["model.onnx"] as Uint8Array, 50, 2);
    const input = new BigInt64Array(50);
    input.set([3n, 1n], 48);
    const { logprobs } = await model.run(input, 1);
    const sids = { codes: files["sids.u8"] as Uint8Array, digits: 2, rows: N_ITEMS + 1 };
    const expected = exhaustiveTopN(logprobs, sids, 5, (r) => r === 1 || r === 3);
    expect(body.items.map((i) => i.item_id)).toEqual(expected.map((r) => `SKU-${r.row}`));
    for (const [i, item] of body.items.entries())
      expect(item.score).toBeCloseTo(expected[i]?.score as number, 5);
  });
});

describe("similar items", () => {
  it("answers from the live set's item graph, itself excluded, scored by SID overlap without graph scores", async () => {
    const app = createApp();
    await expectError(await call(app, "GET", "/v1/items/SKU-1/similar", { key: CLIENT }), 409, "conflict");
    await publish(app, "rpg-sim-1");
    await call(app, "POST", "/v1/models/rpg-sim-1/activate");
    const res = await call(app, "GET", "/v1/items/SKU-4/similar?n=3", { key: CLIENT });
    const body = RecommendResponse.parse(await res.json());
    // The fixture graph is complete and in row order, so the neighbours are rows 1, 2, 3.
    expect(body.items.map((i) => i.item_id)).toEqual(["SKU-1", "SKU-2", "SKU-3"]);
    for (const item of body.items) expect(item.score).toBeGreaterThanOrEqual(0);
    await expectError(await call(app, "GET", "/v1/items/NOPE/similar", { key: CLIENT }), 404, "not_found");
    await expectError(
      await call(app, "GET", "/v1/items/SKU-4/similar?n=0", { key: CLIENT }),
      400,
      "invalid_request",
    );
  });
});
