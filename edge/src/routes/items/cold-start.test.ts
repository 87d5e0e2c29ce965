import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { RecommendResponse, StoredItem, UpsertResult } from "@genrec/shared";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { addCatalogue, artifactFiles, DIGITS, manifestFor, upload } from "../../../test/artifact-set.ts";
import { addItems, rpgTextFiles, rpgTextManifest } from "../../../test/baseline-sets.ts";
import { ADMIN, type App, CLIENT, call } from "../../../test/helpers.ts";
import { useNetwork } from "../../../test/network.ts";
import { createApp } from "../../app.ts";

// The GPU worker is the unreachable edge here: msw answers assign_sids. The real worker encoding a
// new item's text with a trained version's codebooks is covered in test/e2e/cold-start.test.ts.
const network = useNetwork();
const GPU = "https://gpu.example.test";

/** Cosines of random unit code vectors, as codes.sim.f32 ships them: [digits, 256, 256]. */
function codeSim(): Uint8Array {
  let seed = 11;
  const rand = () => {
    seed = (seed * 16807) % 2147483647;
    return (seed - 1) / 2147483646 - 0.5;
  };
  const table = new Float32Array(DIGITS * 256 * 256);
  for (let d = 0; d < DIGITS; d++) {
    const vecs = Array.from({ length: 256 }, () => {
      const v = [rand(), rand(), rand()];
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    });
    for (let a = 0; a < 256; a++)
      for (let b = 0; b < 256; b++)
        table[(d * 256 + a) * 256 + b] = vecs[a]?.reduce((s, x, i) => s + x * (vecs[b]?.[i] ?? 0), 0) ?? 0;
  }
  return new Uint8Array(table.buffer);
}

/** The fixture RPG set with a SID artifact and code cosines, live; `rename` swaps catalogue ids. */
async function liveSet(app: App, version: string, rename: Record<string, string> = {}) {
  const files: Record<string, Uint8Array> = { ...artifactFiles(), "codes.sim.f32": codeSim() };
  const ids: string[] = JSON.parse(new TextDecoder().decode(files["items.json"] as Uint8Array));
  files["items.json"] = new TextEncoder().encode(JSON.stringify(ids.map((id) => rename[id] ?? id)));
  await upload(app, version, files);
  const manifest = { ...(await manifestFor(version, files)), sid_artifact: `${version}.sid` };
  expect((await call(app, "POST", `/v1/models/${version}`, { body: manifest })).status).toBe(200);
  await admin(app, "POST", `/v1/models/${version}/activate`);
}

/** An admin request with an ExecutionContext, answered 200, after its background work is done. */
async function admin(app: App, method: string, path: string, body?: unknown) {
  const ctx = createExecutionContext();
  const init: RequestInit = { method, headers: { authorization: `Bearer ${ADMIN}` } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { ...init.headers, "content-type": "application/json" };
  }
  const res = await app.request(path, init, env, ctx);
  expect(res.status, path).toBe(200);
  await waitOnExecutionContext(ctx);
  return res;
}

/** An item's codes in the fixture set's own SID table (its row in items.json). */
function tableCodes(id: string): number[] {
  const files = artifactFiles();
  const row = (JSON.parse(new TextDecoder().decode(files["items.json"])) as string[]).indexOf(id);
  expect(row, id).toBeGreaterThan(0);
  return Array.from((files["sids.u8"] as Uint8Array).subarray(row * DIGITS, (row + 1) * DIGITS));
}

const SKU4 = () => tableCodes("SKU-4");

/** A worker that gives every item SKU-4's SID once `open` resolves; records the items asked. */
function worker(asked: string[][], open: Promise<unknown> = Promise.resolve(), status = 200) {
  return http.post(`${GPU}/rpc/assign_sids`, async ({ request }) => {
    const body = (await request.json()) as { artifact_version: string; items: { id: string }[] };
    asked.push(body.items.map((item) => item.id));
    await open;
    if (status !== 200) return HttpResponse.json({ error: { code: "boom" } }, { status });
    const sids = body.items.map((item) => ({ item_id: item.id, codes: SKU4() }));
    return HttpResponse.json({ artifact_version: body.artifact_version, digits: DIGITS, sids });
  });
}

async function put(app: App, id: string, ctx: ExecutionContext) {
  const init = {
    method: "PUT",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: JSON.stringify({ id, title: `item ${id}` }),
  };
  const res = await app.request(`/v1/items/${id}`, init, env, ctx);
  expect(res.status).toBe(200);
  return UpsertResult.parse(await res.json());
}

const sidOf = async (app: App, id: string) =>
  StoredItem.parse(await (await call(app, "GET", `/v1/items/${id}`, { key: CLIENT })).json()).sid;

describe("cold start: items added after training", () => {
  it("are pending until the worker answers, in the background, then scored and linked at once", async () => {
    const app = createApp();
    await addCatalogue(app);
    await liveSet(app, "rpg-cold-1");
    let release = () => {};
    const asked: string[][] = [];
    network.use(worker(asked, new Promise<void>((r) => (release = r))));
    const ctx = createExecutionContext();
    expect(await put(app, "NEW-1", ctx)).toEqual({ upserted: 1, sids_pending: 1 });
    expect(await sidOf(app, "NEW-1")).toEqual({ model_version: "rpg-cold-1", state: "pending", attempts: 0 });
    release();
    await waitOnExecutionContext(ctx);
    expect(asked).toEqual([["NEW-1"]]);
    expect(await sidOf(app, "NEW-1")).toEqual({
      model_version: "rpg-cold-1",
      state: "ready",
      codes: SKU4(),
      attempts: 1,
    });
    const trained = { model_version: "rpg-cold-1", state: "trained", codes: tableCodes("SKU-2") };
    expect(await sidOf(app, "SKU-2")).toEqual(trained);
    expect(trained.codes).not.toEqual(SKU4());

    // SKU-4's twin: its neighbours start with SKU-4 (similarity 1), and SKU-4's list holds it.
    const similar = await call(app, "GET", "/v1/items/NEW-1/similar?n=2", { key: CLIENT });
    const twins = RecommendResponse.parse(await similar.json()).items.map((i) => i.item_id);
    expect(twins[0]).toBe("SKU-4");
    const fours = await call(app, "GET", "/v1/items/SKU-4/similar?n=1", { key: CLIENT });
    expect(RecommendResponse.parse(await fours.json()).items.map((i) => i.item_id)).toEqual(["NEW-1"]);

    // Recommended at once, by either decoder: SKU-4's twin scores as SKU-4 does and ranks right after it.
    for (const mode of ["exhaustive", "graph"]) {
      const init = {
        method: "POST",
        headers: { authorization: `Bearer ${CLIENT}`, "content-type": "application/json" },
        body: JSON.stringify({ history: ["SKU-3", "SKU-1"], n: 19 }),
      };
      const res = await app.request("/v1/recommendations", init, { ...env, DECODE_MODE: mode });
      const items = RecommendResponse.parse(await res.json()).items;
      const at = items.findIndex((i) => i.item_id === "SKU-4");
      expect(items[at + 1], mode).toEqual({ item_id: "NEW-1", score: items[at]?.score });
    }
    // In a history it is seen (excluded), though the model reads only the items it was trained on.
    const seen = await call(app, "POST", "/v1/recommendations", {
      key: CLIENT,
      body: { history: ["SKU-3", "NEW-1"], n: 19 },
    });
    const withNew = RecommendResponse.parse(await seen.json());
    expect(withNew.model_version).toBe("rpg-cold-1");
    expect(withNew.items.map((i) => i.item_id)).not.toContain("NEW-1");
    expect(withNew.items).toHaveLength(19);

    // Upserting a trained item asks the worker nothing.
    const known = createExecutionContext();
    expect(await put(app, "SKU-2", known)).toEqual({ upserted: 1 });
    await waitOnExecutionContext(known);
    expect(asked).toHaveLength(1);
  });

  it("reports a failure on the item, answers the upsert 200, and retries on the next write", async () => {
    const app = createApp();
    await liveSet(app, "rpg-cold-2");
    const asked: string[][] = [];
    network.use(worker(asked, undefined, 503));
    const first = createExecutionContext();
    expect(await put(app, "NEW-1", first)).toEqual({ upserted: 1, sids_pending: 1 });
    await waitOnExecutionContext(first);
    const failed = await sidOf(app, "NEW-1");
    expect(failed).toMatchObject({ state: "failed", attempts: 1 });
    expect(failed?.error).toMatch(/upstream_unavailable/);
    expect(failed?.codes).toBeUndefined();

    network.resetHandlers();
    network.use(worker(asked));
    const second = createExecutionContext();
    expect(await put(app, "NEW-2", second)).toEqual({ upserted: 1, sids_pending: 1 });
    await waitOnExecutionContext(second);
    expect(asked.at(-1)).toEqual(["NEW-2", "NEW-1"]);
    expect(await sidOf(app, "NEW-1")).toMatchObject({ state: "ready", attempts: 2 });
    expect(await sidOf(app, "NEW-2")).toMatchObject({ state: "ready", attempts: 1 });
  });

  it("asks once more when the worker's connection fails at once (a dropped keep-alive socket)", async () => {
    const app = createApp();
    await liveSet(app, "rpg-cold-5");
    const asked: string[][] = [];
    let dropped = 0;
    network.use(
      http.post(
        `${GPU}/rpc/assign_sids`,
        () => {
          dropped += 1;
          return HttpResponse.error();
        },
        { once: true },
      ),
      worker(asked),
    );
    const ctx = createExecutionContext();
    expect(await put(app, "NEW-9", ctx)).toEqual({ upserted: 1, sids_pending: 1 });
    await waitOnExecutionContext(ctx);
    expect([dropped, asked]).toEqual([1, [["NEW-9"]]]);
    expect(await sidOf(app, "NEW-9")).toMatchObject({ state: "ready", attempts: 1 });
  });

  it("starts nothing for a set without a SID artifact; a newly live version catches up, a retrained one knows the item", async () => {
    const app = createApp();
    await upload(app, "rpg-old", artifactFiles());
    const manifest = await manifestFor("rpg-old", artifactFiles());
    expect((await call(app, "POST", "/v1/models/rpg-old", { body: manifest })).status).toBe(200);
    await admin(app, "POST", "/v1/models/rpg-old/activate");
    const ctx = createExecutionContext();
    expect(await put(app, "NEW-1", ctx)).toEqual({ upserted: 1 }); // no handler: a call would fail the test
    await waitOnExecutionContext(ctx);
    expect(await sidOf(app, "NEW-1")).toBeUndefined();

    // Activating a cold-start set asks for the catalogue items it does not know.
    const asked: string[][] = [];
    network.use(worker(asked));
    await liveSet(app, "rpg-cold-3");
    expect(asked).toEqual([["NEW-1"]]);
    expect(await sidOf(app, "NEW-1")).toMatchObject({ model_version: "rpg-cold-3", state: "ready" });

    await liveSet(app, "rpg-cold-4", { "SKU-20": "NEW-1" }); // retrained with NEW-1 in its catalogue
    const retrained = { model_version: "rpg-cold-4", state: "trained", codes: tableCodes("SKU-20") };
    expect(await sidOf(app, "NEW-1")).toEqual(retrained);
    const again = createExecutionContext();
    expect(await put(app, "NEW-1", again)).toEqual({ upserted: 1 });
    await waitOnExecutionContext(again);
    const similar = await call(app, "GET", "/v1/items/NEW-1/similar?n=1", { key: CLIENT });
    expect(RecommendResponse.parse(await similar.json()).model_version).toBe("rpg-cold-4");

    // Rolling back serves rpg-cold-3 with the SID it already had, asking nothing again.
    await admin(app, "POST", "/v1/models/rollback");
    expect(await sidOf(app, "NEW-1")).toMatchObject({ model_version: "rpg-cold-3", state: "ready" });
    expect(asked).toHaveLength(1);
  });
});

describe("cold start in an RPG set with a text term", () => {
  /** The text set live with a SID artifact; the worker answers SKU-5's codes and, unless `bare`, its text vector. */
  async function liveTextSet(app: App, version: string, sources: unknown[], bare = false) {
    await addItems(app, 60);
    const files = rpgTextFiles();
    const manifest = { ...(await rpgTextManifest(version, files)), sid_artifact: `${version}.sid` };
    await upload(app, version, files);
    expect((await call(app, "POST", `/v1/models/${version}`, { body: manifest })).status).toBe(200);
    await admin(app, "POST", `/v1/models/${version}/activate`);
    const digits = 2;
    const dim = 8;
    const codes = Array.from((files["sids.u8"] as Uint8Array).subarray(5 * digits, 6 * digits));
    const text = new Float32Array((files["text.f32"] as Uint8Array).slice().buffer);
    const vector = Array.from(text.subarray(5 * dim, 6 * dim));
    network.use(
      http.post(`${GPU}/rpc/assign_sids`, async ({ request }) => {
        const body = (await request.json()) as { artifact_version: string; items: { id: string }[] };
        sources.push((body as { text_source?: string }).text_source);
        const sids = body.items.map((item) => ({ item_id: item.id, codes, ...(bare ? {} : { vector }) }));
        return HttpResponse.json({ artifact_version: body.artifact_version, digits, sids });
      }),
    );
  }

  it("asks for the new item's text vector, and scores it as the trained item it copies", async () => {
    const app = createApp();
    const sources: unknown[] = [];
    await liveTextSet(app, "rpg-text-cold", sources);
    const ctx = createExecutionContext();
    expect(await put(app, "NEW-T", ctx)).toEqual({ upserted: 1, sids_pending: 1 });
    await waitOnExecutionContext(ctx);
    expect(sources).toEqual(["fixture"]); // the manifest's text.source
    expect(await sidOf(app, "NEW-T")).toMatchObject({ state: "ready", attempts: 1 });
    const init = {
      method: "POST",
      headers: { authorization: `Bearer ${CLIENT}`, "content-type": "application/json" },
      body: JSON.stringify({ history: ["SKU-3", "SKU-17"], n: 61 }),
    };
    const res = await app.request("/v1/recommendations", init, { ...env, DECODE_MODE: "exhaustive" });
    const items = RecommendResponse.parse(await res.json()).items;
    const score = (id: string) => items.find((i) => i.item_id === id)?.score;
    expect(score("NEW-T")).toBeDefined();
    expect(score("NEW-T")).toBe(score("SKU-5")); // same codes, same text term
  });

  it("fails an item the worker gives no text vector, so a later write retries it", async () => {
    const app = createApp();
    await liveTextSet(app, "rpg-text-bare", [], true);
    const ctx = createExecutionContext();
    expect(await put(app, "NEW-U", ctx)).toEqual({ upserted: 1, sids_pending: 1 });
    await waitOnExecutionContext(ctx);
    const sid = await sidOf(app, "NEW-U");
    expect(sid).toMatchObject({ state: "failed", attempts: 1 });
    expect(sid?.error).toMatch(/no finite text vector of 8 values/);
  });
});
