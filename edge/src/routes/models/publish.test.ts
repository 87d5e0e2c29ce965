import { env } from "cloudflare:test";
import { ModelVersion, RecommendResponse } from "@genrec/shared";
import { describe, expect, it } from "vitest";
import { artifactFiles, manifestFor, N_ITEMS, publish, upload } from "../../../test/artifact-set.ts";
import { CLIENT, call, expectError } from "../../../test/helpers.ts";
import { createApp } from "../../app.ts";
import { loadLogprobModel } from "../../inference/ort.ts";
import { artifactKey } from "../../recommend/rpg/artifacts.ts";
import { exhaustiveTopN } from "../../recommend/rpg/decode.ts";

describe("publishing and serving an RPG artifact set", () => {
  it("registers a validated set, activates it, and serves what exhaustive scoring ranks first", async () => {
    const app = createApp();
    const registered = await publish(app, "rpg-fixture-1");
    expect(registered.status).toBe(200);
    expect(ModelVersion.parse(await registered.json())).toMatchObject({
      version: "rpg-fixture-1",
      live: false,
    });
    expect((await call(app, "POST", "/v1/models/rpg-fixture-1/activate")).status).toBe(200);

    const history = ["SKU-3", "SKU-1", "unknown-item"];
    const res = await call(app, "POST", "/v1/recommendations", { key: CLIENT, body: { history, n: 5 } });
    expect(res.status).toBe(200);
    const body = RecommendResponse.parse(await res.json());
    expect(body).toMatchObject({ model: "rpg", model_version: "rpg-fixture-1" });

    // The same model run directly, ranked exhaustively: the complete graph must find the same top 5.
    const files = artifactFiles();
    const model = await loadLogprobModel(files["model.onnx"] as Uint8Array, 50, 2);
    const input = new BigInt64Array(50);
    input.set([3n, 1n], 48);
    const logprobs = await model.run(input, 1);
    const sids = { codes: files["sids.u8"] as Uint8Array, digits: 2, rows: N_ITEMS + 1 };
    const expected = exhaustiveTopN(logprobs, sids, 5, (r) => r === 1 || r === 3);
    expect(body.items.map((i) => i.item_id)).toEqual(expected.map((r) => `SKU-${r.row}`));
    for (const [i, item] of body.items.entries())
      expect(item.score).toBeCloseTo(expected[i]?.score as number, 5);
  });

  it("refuses a set whose file does not match its checksum, and registers nothing", async () => {
    const app = createApp();
    const files = artifactFiles();
    const manifest = await manifestFor("rpg-bad-1", files);
    const sids = files["sids.u8"] as Uint8Array;
    sids[5] = (sids[5] as number) ^ 1; // corrupted after the manifest was written
    await upload(app, "rpg-bad-1", files);
    const res = await call(app, "POST", "/v1/models/rpg-bad-1", { body: manifest });
    const body = await expectError(res, 422, "invalid_artifact");
    expect(body.error.message).toContain("sids.u8");
    expect((await call(app, "GET", "/v1/models", { key: CLIENT }).then((r) => r.json())) as unknown).toEqual({
      models: [],
    });
  });

  it("keeps the live version when a set broke after registration", async () => {
    const app = createApp();
    await publish(app, "rpg-good-1");
    await call(app, "POST", "/v1/models/rpg-good-1/activate");
    await publish(app, "rpg-good-2");
    await env.ARTIFACTS.put(artifactKey("rpg-good-2", "model.onnx"), new Uint8Array([1, 2, 3]));
    const res = await createApp().request(
      "/v1/models/rpg-good-2/activate",
      { method: "POST", headers: { authorization: "Bearer test-admin-key" } },
      env,
    );
    expect((await expectError(res, 422, "invalid_artifact")).error.message).toContain("model.onnx");
    const live = await env.DB.prepare("SELECT version FROM model_versions WHERE live = 1").first<{
      version: string;
    }>();
    expect(live?.version).toBe("rpg-good-1");
  });

  it("treats registered versions as immutable and rejects unknown file names", async () => {
    const app = createApp();
    await publish(app, "rpg-fixed-1");
    await expectError(
      await call(app, "POST", "/v1/models/rpg-fixed-1", {
        body: await manifestFor("rpg-fixed-1", artifactFiles()),
      }),
      409,
      "conflict",
    );
    const put = (name: string) =>
      app.request(
        `/v1/models/rpg-fixed-2/files/${name}`,
        { method: "PUT", body: "x", headers: { authorization: "Bearer test-admin-key" } },
        env,
      );
    await expectError(await put("evil.sh"), 400, "invalid_request");
    await expectError(
      await app.request(
        "/v1/models/rpg-fixed-1/files/sids.u8",
        { method: "PUT", body: "x", headers: { authorization: "Bearer test-admin-key" } },
        env,
      ),
      409,
      "conflict",
    );
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
