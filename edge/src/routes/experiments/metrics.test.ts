import { env } from "cloudflare:test";
import { MetricsReport, RecommendResponse } from "@genrec/shared";
import { describe, expect, it } from "vitest";
import { type App, CLIENT, call, event, expectError, ingest } from "../../../test/helpers.ts";
import { createApp } from "../../app.ts";
import { wilson } from "../../experiments/stats.ts";
import { insertModelVersion } from "../../storage/models.ts";

const NOW = new Date().toISOString();

async function metrics(app: App, query = "") {
  const res = await call(app, "GET", `/v1/metrics${query}`, { key: CLIENT });
  expect(res.status).toBe(200);
  return MetricsReport.parse(await res.json());
}

async function session(app: App, key: string) {
  const body = { history: ["i1"], n: 2, session_key: key, exclude_seen: false };
  const res = await call(app, "POST", "/v1/recommendations", { key: CLIENT, body });
  return RecommendResponse.parse(await res.json());
}

describe("feedback attribution and GET /v1/metrics", () => {
  it("counts served answers and attributed events per arm, with Wilson intervals", async () => {
    const app = createApp();
    await ingest(app, [
      event("seed-1", "s", "i1", NOW),
      event("seed-2", "s", "i2", NOW),
      event("seed-3", "t", "i2", NOW),
    ]);
    for (const version of ["pop-1", "pop-2"])
      await insertModelVersion(env.DB, { version, model: "popularity", manifest: "{}" });
    const arms = [
      { name: "a", version: "pop-1", share: 0.5 },
      { name: "b", version: "builtin-popularity", share: 0.5 },
    ];
    expect((await call(app, "POST", "/v1/experiments", { body: { id: "e1", arms } })).status).toBe(200);

    const answers: RecommendResponse[] = [];
    for (let i = 0; i < 12; i++) answers.push(await session(app, `k${i}`));
    const byArm = (name: string) => answers.filter((a) => a.arm?.name === name);
    expect(byArm("a").length + byArm("b").length).toBe(12);
    expect(byArm("b").every((a) => a.model_version === "builtin-popularity")).toBe(true);

    // arm a: a click on a recommended item for the first two answers, a purchase of an item it did
    // not recommend for the third; arm b: one view of a recommended item.
    const [a0, a1, a2] = byArm("a");
    const [b0] = byArm("b");
    if (!a0 || !a1 || !a2 || !b0) throw new Error("both arms need answers: change the keys");
    const top = (a: RecommendResponse) => a.items[0]?.item_id ?? "";
    const fb = (id: string, a: RecommendResponse, item: string, type: string) => ({
      ...event(id, "s", item, NOW, type),
      recommendation_id: a.recommendation_id,
    });
    const batch = [
      fb("f1", a0, top(a0), "click"),
      fb("f2", a0, top(a0), "purchase"),
      fb("f3", a1, top(a1), "click"),
      fb("f4", a2, "not-recommended", "purchase"),
      fb("f5", b0, top(b0), "view"),
    ];
    expect(await ingest(app, batch)).toEqual({ accepted: 5, duplicates: 0 });
    expect(await ingest(app, batch)).toEqual({ accepted: 0, duplicates: 5 }); // idempotent

    const report = await metrics(app, "?experiment_id=e1");
    const a = report.arms.find((r) => r.arm === "a");
    const b = report.arms.find((r) => r.arm === "b");
    const nA = byArm("a").length;
    const nB = byArm("b").length;
    expect(a).toMatchObject({ experiment_id: "e1", version: "pop-1", served: nA, fallbacks: 0 });
    expect(a?.events).toEqual({ click: 2, purchase: 2 });
    expect(a?.click_through).toEqual(wilson(2, nA));
    expect(a?.hit_rate).toEqual(wilson(2, nA)); // f4 names an item the answer did not hold
    expect(b).toMatchObject({ version: "builtin-popularity", served: nB, events: { view: 1 } });
    expect(b?.click_through).toEqual(wilson(0, nB));
    expect(b?.hit_rate).toEqual(wilson(1, nB));

    // a window that ends before anything was served holds nothing
    expect((await metrics(app, "?to=2020-01-01T00:00:00Z")).arms).toEqual([]);
  });

  it("refuses a replay naming another recommendation_id, an empty window, and forgets with the user", async () => {
    const app = createApp();
    const answer = await session(app, "k1");
    expect(answer.arm).toEqual({ experiment_id: null, name: "live" });
    const e = { ...event("f1", "u1", "i1", NOW, "click"), recommendation_id: answer.recommendation_id };
    await ingest(app, [e]);
    const res = await call(app, "POST", "/v1/events", {
      body: { events: [{ ...e, recommendation_id: "other" }] },
    });
    const body = await expectError(res, 409, "conflict");
    expect(body.error.issues[0]?.path).toEqual(["json", "events", 0, "event_id"]);
    const bad = await call(app, "GET", "/v1/metrics?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", {
      key: CLIENT,
    });
    expect((await expectError(bad, 400, "invalid_request")).error.issues[0]?.path).toEqual(["query", "from"]);

    expect((await metrics(app)).arms[0]).toMatchObject({ arm: "live", served: 1, events: { click: 1 } });
    expect((await call(app, "DELETE", "/v1/users/u1/history")).status).toBe(200);
    expect((await metrics(app)).arms[0]).toMatchObject({ served: 1, events: {} });
  });
});
