import { env } from "cloudflare:test";
import { IngestResult, ModelList, ModelVersion, RecommendResponse, UserHistory } from "@genrec/shared";
import { describe, expect, it } from "vitest";
import { CLIENT, call, event, expectError } from "../../test/helpers.ts";
import { createApp } from "../app.ts";
import { insertModelVersion } from "../storage/models.ts";

const T = (minute: number) => `2026-11-24T10:${String(minute).padStart(2, "0")}:00Z`;

async function ingest(app: ReturnType<typeof createApp>, events: ReturnType<typeof event>[]) {
  const res = await call(app, "POST", "/v1/events", { body: { events } });
  expect(res.status).toBe(200);
  return IngestResult.parse(await res.json());
}

describe("catalogue", () => {
  it("upserts one item, then replaces it, and reads it back", async () => {
    const app = createApp();
    const item = {
      id: "B001",
      title: "Rose water toner",
      brand: "Acme",
      categories: ["Beauty", "Skin"],
      price: 9.5,
    };
    expect(await (await call(app, "PUT", "/v1/items/B001", { body: item })).json()).toEqual({ upserted: 1 });
    await call(app, "PUT", "/v1/items/B001", { body: { ...item, price: 8, attributes: { size_ml: 200 } } });
    const read = await call(app, "GET", "/v1/items/B001", { key: CLIENT });
    expect(await read.json()).toEqual({ ...item, price: 8, attributes: { size_ml: 200 } });
    await expectError(await call(app, "GET", "/v1/items/NOPE", { key: CLIENT }), 404, "not_found");
  });

  it("upserts a batch larger than one D1 statement", async () => {
    const app = createApp();
    const items = Array.from({ length: 250 }, (_, i) => ({ id: `I${i}`, title: `item ${i}` }));
    expect(await (await call(app, "POST", "/v1/items/batch", { body: { items } })).json()).toEqual({
      upserted: 250,
    });
    const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM items").first<{ n: number }>();
    expect(n?.n).toBe(250);
  });
});

describe("events and history", () => {
  it("stores a replayed batch once and counts the replays", async () => {
    const app = createApp();
    const batch = Array.from({ length: 45 }, (_, i) => event(`e${i}`, "u1", `I${i % 7}`, T(i % 60)));
    expect(await ingest(app, batch)).toEqual({ accepted: 45, duplicates: 0 });
    expect(await ingest(app, batch)).toEqual({ accepted: 0, duplicates: 45 });
    expect(await ingest(app, [event("e0", "u1", "I0", T(0)), event("e0", "u1", "I0", T(0))])).toEqual({
      accepted: 0,
      duplicates: 2,
    });
    const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM events").first<{ n: number }>();
    expect(n?.n).toBe(45);
  });

  it("returns history oldest first, ties in arrival order, limited to the most recent", async () => {
    const app = createApp();
    await ingest(app, [
      event("a", "u2", "X", T(5)),
      event("b", "u2", "Y", T(1)),
      event("c", "u2", "Z", T(5)),
    ]);
    await ingest(app, [event("d", "u2", "W", T(3))]);
    const all = UserHistory.parse(
      await (await call(app, "GET", "/v1/users/u2/history", { key: CLIENT })).json(),
    );
    expect(all.events.map((e) => e.item_id)).toEqual(["Y", "W", "X", "Z"]);
    expect(all.events[0]).toEqual({
      event_id: "b",
      item_id: "Y",
      timestamp: "2026-11-24T10:01:00.000Z",
      type: "view",
    });
    const last2 = UserHistory.parse(
      await (await call(app, "GET", "/v1/users/u2/history?limit=2", { key: CLIENT })).json(),
    );
    expect(last2.events.map((e) => e.item_id)).toEqual(["X", "Z"]);
  });

  it("deletes a user's history and nobody else's", async () => {
    const app = createApp();
    await ingest(app, [
      event("a", "u3", "X", T(1)),
      event("b", "u3", "Y", T(2)),
      event("c", "u4", "X", T(3)),
    ]);
    expect(await (await call(app, "DELETE", "/v1/users/u3/history")).json()).toEqual({ deleted: 2 });
    const left = await env.DB.prepare("SELECT user_id FROM events").all<{ user_id: string }>();
    expect(left.results.map((r) => r.user_id)).toEqual(["u4"]);
  });
});

describe("recommendations without a live model", () => {
  async function seed(app: ReturnType<typeof createApp>) {
    // Popularity: P (3 users) > Q (2) > R (1); u5 has seen P.
    await ingest(app, [
      event("1", "u5", "P", T(1)),
      event("2", "u6", "P", T(2)),
      event("3", "u7", "P", T(3)),
      event("4", "u6", "Q", T(4)),
      event("5", "u7", "Q", T(5)),
      event("6", "u7", "R", T(6)),
    ]);
  }

  it("falls back to popularity, drops seen items by default, and names the version", async () => {
    const app = createApp();
    await seed(app);
    const res = await call(app, "GET", "/v1/users/u5/recommendations?n=2", { key: CLIENT });
    const body = RecommendResponse.parse(await res.json());
    expect(body.items).toEqual([
      { item_id: "Q", score: 2 },
      { item_id: "R", score: 1 },
    ]);
    expect(body).toMatchObject({ model: "popularity", model_version: "builtin-popularity" });
    expect(body.recommendation_id).toMatch(/^[0-9a-f-]{36}$/);
    const withSeen = await call(app, "GET", "/v1/users/u5/recommendations?n=1&exclude_seen=false", {
      key: CLIENT,
    });
    expect(RecommendResponse.parse(await withSeen.json()).items).toEqual([{ item_id: "P", score: 3 }]);
  });

  it("recommends for an anonymous session history", async () => {
    const app = createApp();
    await seed(app);
    const res = await call(app, "POST", "/v1/recommendations", {
      key: CLIENT,
      body: { history: ["Q"], n: 5 },
    });
    expect(RecommendResponse.parse(await res.json()).items.map((i) => i.item_id)).toEqual(["P", "R"]);
  });

  it("sees new events at once: ingest clears the isolate's popularity cache", async () => {
    const app = createApp();
    await seed(app);
    await call(app, "POST", "/v1/recommendations", { key: CLIENT, body: { history: ["P"], n: 1 } });
    await ingest(app, [event("7", "u8", "R", T(7)), event("8", "u9", "R", T(8))]);
    const res = await call(app, "POST", "/v1/recommendations", {
      key: CLIENT,
      body: { history: ["P"], n: 1 },
    });
    expect(RecommendResponse.parse(await res.json()).items).toEqual([{ item_id: "R", score: 3 }]);
  });

  it("answers 404 for an unknown model version", async () => {
    const app = createApp();
    const res = await call(app, "GET", "/v1/users/u5/recommendations?model_version=nope-1", { key: CLIENT });
    await expectError(res, 404, "not_found");
  });
});

describe("model versions", () => {
  it("lists, activates and rolls back", async () => {
    const app = createApp();
    await insertModelVersion(env.DB, { version: "pop-1", model: "popularity", manifest: "{}" }, 1000);
    await insertModelVersion(env.DB, { version: "pop-2", model: "popularity", manifest: "{}" }, 2000);
    await expectError(await call(app, "POST", "/v1/models/rollback"), 409, "conflict");
    await expectError(await call(app, "POST", "/v1/models/pop-9/activate"), 404, "not_found");

    expect(ModelVersion.parse(await (await call(app, "POST", "/v1/models/pop-1/activate")).json()).live).toBe(
      true,
    );
    await call(app, "POST", "/v1/models/pop-2/activate");
    const list = ModelList.parse(await (await call(app, "GET", "/v1/models", { key: CLIENT })).json());
    expect(list.models.map((m) => [m.version, m.live])).toEqual([
      ["pop-2", true],
      ["pop-1", false],
    ]);
    const rec = await call(app, "POST", "/v1/recommendations", { key: CLIENT, body: { history: ["x"] } });
    expect(RecommendResponse.parse(await rec.json()).model_version).toBe("pop-2");

    const back = ModelVersion.parse(await (await call(app, "POST", "/v1/models/rollback")).json());
    expect(back).toMatchObject({ version: "pop-1", live: true });
  });
});
