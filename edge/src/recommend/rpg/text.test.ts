import { env } from "cloudflare:test";
import { RecommendResponse } from "@genrec/shared";
import { describe, expect, it } from "vitest";
import { upload } from "../../../test/artifact-set.ts";
import { addItems, publishLive, rpgTextFiles, rpgTextManifest } from "../../../test/baseline-sets.ts";
import { CLIENT, call, expectError } from "../../../test/helpers.ts";
import vectors from "../../../test/vectors/rpg-text-topk.json";
import { createApp } from "../../app.ts";

const sku = (rows: number[]) => rows.map((r) => `SKU-${r}`);

describe("an RPG set with a text term (real ONNX with two outputs, D1 and R2)", () => {
  it("ranks as PyTorch's score_all does, by either decoder, with seen items excluded or kept", async () => {
    const app = createApp();
    await addItems(app, vectors.n_items);
    await publishLive(app, await rpgTextManifest("rpg-text-1"), rpgTextFiles());
    for (const c of vectors.cases) {
      for (const mode of ["exhaustive", "graph"]) {
        const init = {
          method: "POST",
          headers: { authorization: `Bearer ${CLIENT}`, "content-type": "application/json" },
          body: JSON.stringify({ history: sku(c.history), n: c.n, exclude_seen: c.exclude_seen }),
        };
        const res = await app.request("/v1/recommendations", init, { ...env, DECODE_MODE: mode });
        expect(res.status).toBe(200);
        const body = RecommendResponse.parse(await res.json());
        expect(body).toMatchObject({ model: "rpg", model_version: "rpg-text-1" });
        expect(
          body.items.map((i) => i.item_id),
          `${c.name} ${mode}`,
        ).toEqual(sku(c.expected.rows));
        for (const [i, item] of body.items.entries())
          expect(item.score, `${c.name} ${mode} #${i}`).toBeCloseTo(c.expected.scores[i] as number, 4);
      }
    }
  });

  it("refuses a set whose text vectors or model do not match its manifest", async () => {
    const app = createApp();
    const short = { ...rpgTextFiles(), "text.f32": new Uint8Array(64) };
    const badText = await rpgTextManifest("rpg-text-short", short);
    await upload(app, badText.version, short);
    const res = await call(app, "POST", "/v1/models/rpg-text-short", { body: badText });
    expect((await expectError(res, 422, "invalid_artifact")).error.message).toMatch(
      /text\.f32 must hold 61 x 8/,
    );

    // Vectors of another width than the model's query: its smoke inference fails.
    const wide = { ...rpgTextFiles(), "text.f32": new Uint8Array((vectors.n_items + 1) * 16 * 4) };
    const manifest = await rpgTextManifest("rpg-text-wide", wide);
    if (manifest.model !== "rpg" || !manifest.text) throw new Error("the fixture is an RPG text set");
    manifest.text.dim = 16;
    await upload(app, manifest.version, wide);
    const answer = await call(app, "POST", "/v1/models/rpg-text-wide", { body: manifest });
    expect((await expectError(answer, 422, "invalid_artifact")).error.message).toMatch(
      /smoke inference failed/,
    );
  });
});
