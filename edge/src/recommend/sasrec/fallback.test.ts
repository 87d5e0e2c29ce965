import { RecommendResponse } from "@genrec/shared";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import {
  addItems,
  knnFiles,
  knnManifest,
  publishLive,
  sasrecFiles,
  sasrecManifest,
} from "../../../test/baseline-sets.ts";
import { CLIENT, call, event } from "../../../test/helpers.ts";
import { useNetwork } from "../../../test/network.ts";
import sasrec from "../../../test/vectors/sasrec-topk.json";
import { createApp } from "../../app.ts";

const network = useNetwork();
const GPU = "https://gpu.example.test";
const dg = (version: string, fallback: string) => ({
  format: 1,
  version,
  model: "diffgrm",
  artifact_version: "diffgrm-fixture",
  deadline_ms: 200,
  fallback_version: fallback,
});
const answering = http.post(`${GPU}/rpc/denoise`, async ({ request }) => {
  const body = (await request.json()) as { artifact_version: string; histories: string[][] };
  const items = [{ item_id: "SKU-1", score: 0 }];
  return HttpResponse.json({
    artifact_version: body.artifact_version,
    results: body.histories.map(() => ({ items, invalid: 0 })),
  });
});

describe("any edge model kind as a DiffGRM version's fallback", () => {
  it.each([["sasrec"], ["content-knn"]])("a %s set answers when the GPU worker is down", async (kind) => {
    const app = createApp();
    await addItems(app, sasrec.n_items);
    const events = [1, 2, 3].map((r) => event(`e${r}`, "u1", `SKU-${r}`, "2026-11-24T10:00:00Z"));
    expect((await call(app, "POST", "/v1/events", { body: { events } })).status).toBe(200);
    const fallback = `${kind}-fb-1`;
    if (kind === "sasrec") await publishLive(app, await sasrecManifest(fallback), sasrecFiles());
    else await publishLive(app, await knnManifest(fallback, 0), knnFiles());

    network.use(answering);
    expect((await call(app, "POST", "/v1/models/dg-1/remote", { body: dg("dg-1", fallback) })).status).toBe(
      200,
    );
    expect((await call(app, "POST", "/v1/models/dg-1/activate")).status).toBe(200);
    network.use(http.post(`${GPU}/rpc/denoise`, () => HttpResponse.error()));

    const res = await call(app, "POST", "/v1/recommendations", {
      key: CLIENT,
      body: { history: ["SKU-2"], n: 5 },
    });
    const body = RecommendResponse.parse(await res.json());
    expect(body).toMatchObject({ model: kind, model_version: fallback, fallback: { from_version: "dg-1" } });
    expect(body.items).toHaveLength(5);
    // Similar items come from the fallback's lists when it has them.
    const similar = await call(app, "GET", "/v1/items/SKU-2/similar?n=3", { key: CLIENT });
    expect(similar.status).toBe(kind === "content-knn" ? 200 : 409);
  });
});
