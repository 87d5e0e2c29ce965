import { env } from "cloudflare:test";
import { UserHistory } from "@genrec/shared";
import { describe, expect, it } from "vitest";
import { CLIENT, call, event, ingest, T } from "../../../test/helpers.ts";
import { createApp } from "../../app.ts";

describe("user history", () => {
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

describe("ids of any script", () => {
  it("stores, reads and forgets a user whose id is non-ASCII text", async () => {
    const app = createApp();
    const user = "ユーザー-é-😀";
    await ingest(app, [event("1", user, "P", T(1))]);
    const path = `/v1/users/${encodeURIComponent(user)}/history`;
    const read = await call(app, "GET", path, { key: CLIENT });
    expect(((await read.json()) as { events: unknown[] }).events).toHaveLength(1);
    expect(await (await call(app, "DELETE", path)).json()).toEqual({ deleted: 1 });
  });
});
