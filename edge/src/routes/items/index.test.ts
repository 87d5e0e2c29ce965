import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CLIENT, call, expectError } from "../../../test/helpers.ts";
import { createApp } from "../../app.ts";

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
