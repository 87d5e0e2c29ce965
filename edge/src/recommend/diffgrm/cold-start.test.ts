import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { RecommendResponse, StoredItem } from "@genrec/shared";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { ADMIN, type App, CLIENT, call, event } from "../../../test/helpers.ts";
import { useNetwork } from "../../../test/network.ts";
import { createApp } from "../../app.ts";

// DiffGRM lives on the GPU worker (msw here; the real worker's unmatched SIDs are covered in
// gpu-worker/tests/diffgrm/test_diffgrm_denoise_rpc.py): the edge maps the decoded SIDs the worker
// finds no trained item for to the items it added after training.
const network = useNetwork();
const GPU = "https://gpu.example.test";
const NEW_SID = [7, 7, 7, 7];

/** The worker's handlers; `bucketPrior` is the version's decode.bucket_prior it reports (none: omitted). */
const workerWith = (bucketPrior?: number) => [
  http.post(`${GPU}/rpc/denoise`, async ({ request }) => {
    const body = (await request.json()) as { artifact_version: string; histories: string[][]; k: number };
    const items = Array.from({ length: body.k }, (_, i) => ({ item_id: `P${i + 1}`, score: -i }));
    const unmatched = [
      { codes: [9, 9, 9, 9], score: -0.2 }, // no item at all
      { codes: NEW_SID, score: -0.5 },
    ];
    return HttpResponse.json({
      artifact_version: body.artifact_version,
      digits: NEW_SID.length,
      ...(bucketPrior === undefined ? {} : { bucket_prior: bucketPrior }),
      results: body.histories.map(() => ({ items, invalid: 2, unmatched })),
    });
  }),
  http.post(`${GPU}/rpc/assign_sids`, async ({ request }) => {
    const body = (await request.json()) as { artifact_version: string; items: { id: string }[] };
    const sids = body.items.map((item) => ({ item_id: item.id, codes: NEW_SID }));
    return HttpResponse.json({ artifact_version: body.artifact_version, digits: 4, sids });
  }),
];
const worker = workerWith();

async function liveRemote(app: App, version: string, extra: Record<string, unknown>) {
  const events = [1, 2, 3].map((i) => event(`e${i}`, `u${i}`, `P${i}`, "2026-11-24T10:00:00Z"));
  expect((await call(app, "POST", "/v1/events", { body: { events } })).status).toBe(200);
  const manifest = { format: 1, version, model: "diffgrm", artifact_version: "dg-art", ...extra };
  expect((await call(app, "POST", `/v1/models/${version}/remote`, { body: manifest })).status).toBe(200);
  expect((await call(app, "POST", `/v1/models/${version}/activate`)).status).toBe(200);
}

async function put(app: App, id: string) {
  const ctx = createExecutionContext();
  const init = {
    method: "PUT",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: JSON.stringify({ id, title: `item ${id}` }),
  };
  const res = await app.request(`/v1/items/${id}`, init, env, ctx);
  await waitOnExecutionContext(ctx);
  return res.json();
}

const recommend = async (app: App) =>
  RecommendResponse.parse(
    await (
      await call(app, "POST", "/v1/recommendations", { key: CLIENT, body: { history: ["P1"], n: 3 } })
    ).json(),
  );

describe("cold start with a GPU-served DiffGRM version", () => {
  it("maps a decoded SID of no trained item to the item added after training, at that SID's score", async () => {
    const app = createApp();
    network.use(...worker);
    await liveRemote(app, "dg-cold-1", { sid_artifact: "dg-sids" });
    expect(await put(app, "NEW-1")).toEqual({ upserted: 1, sids_pending: 1 });
    const stored = StoredItem.parse(
      await (await call(app, "GET", "/v1/items/NEW-1", { key: CLIENT })).json(),
    );
    const ready = { model_version: "dg-cold-1", state: "ready", codes: NEW_SID, attempts: 1 };
    expect(stored.sid).toEqual(ready);
    const answer = await recommend(app);
    expect(answer.model).toBe("diffgrm");
    expect(answer.items).toEqual([
      { item_id: "NEW-1", score: -0.5 },
      { item_id: "P2", score: -1 },
      { item_id: "P3", score: -2 },
    ]);
  });

  it("shares a SID's probability among the items added to it, by the worker's bucket prior", async () => {
    const app = createApp();
    network.use(...workerWith(1));
    await liveRemote(app, "dg-cold-3", { sid_artifact: "dg-sids" });
    await put(app, "NEW-1");
    await put(app, "NEW-2");
    // Two untrained items in one SID: each gets half of its probability, -0.5 + log(1/2) = -1.193,
    // below P2 (-1): the joint mapping the worker applies to its own buckets.
    const items = (await recommend(app)).items;
    expect(items.map((i) => i.item_id)).toEqual(["P2", "NEW-1", "NEW-2"]);
    expect(items[1]?.score).toBeCloseTo(-0.5 + Math.log(0.5), 6);
    expect(items[2]?.score).toBe(items[1]?.score);
  });

  it("leaves the worker's answer as it is for a version without a SID artifact", async () => {
    const app = createApp();
    network.use(...worker);
    await liveRemote(app, "dg-cold-2", {});
    expect(await put(app, "NEW-1")).toEqual({ upserted: 1 });
    expect((await recommend(app)).items.map((i) => i.item_id)).toEqual(["P2", "P3", "P4"]);
  });
});
