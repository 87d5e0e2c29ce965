import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { event, ingest, T } from "../../../test/helpers.ts";
import { createApp } from "../../app.ts";

describe("event ingest", () => {
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
});
