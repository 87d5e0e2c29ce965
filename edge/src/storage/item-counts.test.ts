import { applyD1Migrations, env, reset } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CLIENT, call, event, ingest, T } from "../../test/helpers.ts";
import { createApp } from "../app.ts";
import { topItems } from "./events.ts";

type Count = { item_id: string; count: number };

/** What the popularity ranking was before migration 0004: a GROUP BY over every stored event. */
async function groupedCounts(): Promise<Count[]> {
  const { results } = await env.DB.prepare(
    "SELECT item_id, COUNT(*) AS count FROM events GROUP BY item_id ORDER BY count DESC, item_id",
  ).all<Count>();
  return results;
}

describe("item_counts: popularity materialised at ingest (migration 0004)", () => {
  it("counts each stored event once: replays, in-batch repeats and conflicts add nothing", async () => {
    const app = createApp();
    const batch = Array.from({ length: 60 }, (_, i) =>
      event(`e${i}`, `u${i % 9}`, `I${(i * i) % 11}`, T(i % 60)),
    );
    await ingest(app, batch);
    await ingest(app, batch.slice(10, 40)); // a resent part
    await ingest(app, [event("e70", "u1", "I3", T(1)), event("e70", "u1", "I3", T(1)), batch[5] as never]);
    const conflict = [
      event("e71", "u2", "I4", T(2)),
      { ...(batch[0] as ReturnType<typeof event>), item_id: "I9" },
    ];
    expect((await call(app, "POST", "/v1/events", { body: { events: conflict } })).status).toBe(409);

    const expected = await groupedCounts();
    expect(expected.reduce((s, r) => s + r.count, 0)).toBe(61);
    expect(await topItems(env.DB, 1000)).toEqual(expected);
    expect(await topItems(env.DB, 3)).toEqual(expected.slice(0, 3));
  });

  it("forgetting a user takes their events out of the counts", async () => {
    const app = createApp();
    await ingest(app, [
      event("1", "u1", "P", T(1)),
      event("2", "u2", "P", T(2)),
      event("3", "u1", "Q", T(3)),
      event("4", "u1", "Q", T(4)),
    ]);
    expect((await call(app, "DELETE", "/v1/users/u1/history")).status).toBe(200);
    expect(await topItems(env.DB, 10)).toEqual([{ item_id: "P", count: 1 }]);
    expect(await groupedCounts()).toEqual([{ item_id: "P", count: 1 }]);
    const res = await call(app, "POST", "/v1/recommendations", { key: CLIENT, body: { history: ["P"] } });
    expect(((await res.json()) as { items: unknown[] }).items).toEqual([]);
  });

  it("is filled from the events stored before the migration", async () => {
    await reset();
    const before = env.TEST_MIGRATIONS.filter((m) => m.name < "0004");
    await applyD1Migrations(env.DB, before);
    await env.DB.prepare(
      "INSERT INTO events (event_id, user_id, item_id, ts, type) VALUES ('a', 'u', 'X', 1, 'view'), ('b', 'v', 'X', 2, 'view'), ('c', 'v', 'Y', 3, 'view')",
    ).run();
    await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
    expect(await topItems(env.DB, 10)).toEqual([
      { item_id: "X", count: 2 },
      { item_id: "Y", count: 1 },
    ]);
  });
});
