import { RecommendResponse } from "@genrec/shared";
import { describe, expect, it } from "vitest";
import { type App, CLIENT, call, event, expectError, ingest, T } from "../../../test/helpers.ts";
import { createApp } from "../../app.ts";

describe("recommendations without a live model", () => {
  async function seed(app: App) {
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

describe("unknown users and items", () => {
  it("answers an unknown user by popularity with fallback reason unknown_user", async () => {
    const app = createApp();
    await ingest(app, [event("1", "u5", "P", T(1))]);
    const res = await call(app, "GET", "/v1/users/nobody/recommendations", { key: CLIENT });
    expect(RecommendResponse.parse(await res.json())).toMatchObject({
      model: "popularity",
      items: [{ item_id: "P", score: 1 }],
      fallback: { from_version: "builtin-popularity", reason: "unknown_user" },
    });
  });

  it("names unknown history items, and answers by popularity with unknown_items when none is known", async () => {
    const app = createApp();
    await ingest(app, [event("1", "u5", "P", T(1))]);
    await call(app, "PUT", "/v1/items/Q", { body: { id: "Q" } });
    const session = async (history: string[]) =>
      RecommendResponse.parse(
        await (await call(app, "POST", "/v1/recommendations", { key: CLIENT, body: { history } })).json(),
      );
    const none = await session(["typo-1", "typo-2", "typo-1"]);
    expect(none).toMatchObject({
      model: "popularity",
      unknown_items: ["typo-1", "typo-2"],
      fallback: { from_version: "builtin-popularity", reason: "unknown_items" },
    });
    const some = await session(["Q", "typo-1"]);
    expect(some.unknown_items).toEqual(["typo-1"]);
    expect(some.fallback).toBeUndefined();
    const known = await session(["P", "Q"]);
    expect(known.unknown_items).toBeUndefined();
  });
});
