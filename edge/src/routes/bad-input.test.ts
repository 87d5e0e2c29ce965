import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CLIENT, call, event, expectError, snapshot } from "../../test/helpers.ts";
import { createApp } from "../app.ts";

const T0 = "2026-11-24T10:00:00Z";
const long = (n: number) => "x".repeat(n);

/** [what, method, path, request, expected status, expected first issue path]. */
type Case = [
  string,
  string,
  string,
  { body?: unknown; raw?: string; key?: string },
  number,
  (string | number)[],
];

const cases: Case[] = [
  ["item: id in path differs from body", "PUT", "/v1/items/A", { body: { id: "B" } }, 400, ["json", "id"]],
  [
    "item: whitespace in path id",
    "PUT",
    "/v1/items/a%20b",
    { body: { id: "a b" } },
    400,
    ["param", "item_id"],
  ],
  ["item: negative price", "PUT", "/v1/items/A", { body: { id: "A", price: -1 } }, 400, ["json", "price"]],
  [
    "item: categories not a list",
    "PUT",
    "/v1/items/A",
    { body: { id: "A", categories: "Beauty" } },
    400,
    ["json", "categories"],
  ],
  ["item: unknown field", "PUT", "/v1/items/A", { body: { id: "A", colour: "red" } }, 400, ["json"]],
  [
    "item: title too long",
    "PUT",
    "/v1/items/A",
    { body: { id: "A", title: long(2001) } },
    400,
    ["json", "title"],
  ],
  ["item: malformed JSON", "PUT", "/v1/items/A", { raw: '{"id": "A",' }, 400, []],
  ["item: JSON array body", "PUT", "/v1/items/A", { body: [] }, 400, ["json"]],
  ["items: empty batch", "POST", "/v1/items/batch", { body: { items: [] } }, 400, ["json", "items"]],
  [
    "items: bad item deep in batch",
    "POST",
    "/v1/items/batch",
    { body: { items: [{ id: "A" }, { id: "" }] } },
    400,
    ["json", "items", 1, "id"],
  ],
  [
    "items: duplicate id in batch",
    "POST",
    "/v1/items/batch",
    { body: { items: [{ id: "A" }, { id: "A" }] } },
    400,
    ["json", "items", 1, "id"],
  ],
  [
    "items: too many",
    "POST",
    "/v1/items/batch",
    { body: { items: Array.from({ length: 1001 }, (_, i) => ({ id: `I${i}` })) } },
    400,
    ["json", "items"],
  ],
  ["events: missing events", "POST", "/v1/events", { body: {} }, 400, ["json", "events"]],
  [
    "events: bad timestamp",
    "POST",
    "/v1/events",
    { body: { events: [{ ...event("e1", "u", "i", T0), timestamp: "yesterday" }] } },
    400,
    ["json", "events", 0, "timestamp"],
  ],
  [
    "events: timestamp without offset",
    "POST",
    "/v1/events",
    { body: { events: [event("e1", "u", "i", "2026-11-24T10:00:00")] } },
    400,
    ["json", "events", 0, "timestamp"],
  ],
  [
    "events: unknown type",
    "POST",
    "/v1/events",
    { body: { events: [event("e1", "u", "i", T0, "like")] } },
    400,
    ["json", "events", 0, "type"],
  ],
  [
    "events: empty user id",
    "POST",
    "/v1/events",
    { body: { events: [event("e1", "", "i", T0)] } },
    400,
    ["json", "events", 0, "user_id"],
  ],
  [
    "events: one bad event spoils the batch",
    "POST",
    "/v1/events",
    { body: { events: [event("ok", "u", "i", T0), { event_id: "e2" }] } },
    400,
    ["json", "events", 1, "user_id"],
  ],
  ["history: limit zero", "GET", "/v1/users/u1/history?limit=0", { key: CLIENT }, 400, ["query", "limit"]],
  [
    "history: limit not a number",
    "GET",
    "/v1/users/u1/history?limit=ten",
    { key: CLIENT },
    400,
    ["query", "limit"],
  ],
  [
    "recommend: n too large",
    "GET",
    "/v1/users/u1/recommendations?n=101",
    { key: CLIENT },
    400,
    ["query", "n"],
  ],
  [
    "recommend: exclude_seen not boolean",
    "GET",
    "/v1/users/u1/recommendations?exclude_seen=maybe",
    { key: CLIENT },
    400,
    ["query", "exclude_seen"],
  ],
  [
    "recommend: bad model version",
    "GET",
    "/v1/users/u1/recommendations?model_version=../x",
    { key: CLIENT },
    400,
    ["query", "model_version"],
  ],
  [
    "recommend: unknown query parameter",
    "GET",
    "/v1/users/u1/recommendations?count=3",
    { key: CLIENT },
    400,
    ["query"],
  ],
  [
    "session: empty history",
    "POST",
    "/v1/recommendations",
    { key: CLIENT, body: { history: [] } },
    400,
    ["json", "history"],
  ],
  [
    "session: n as string",
    "POST",
    "/v1/recommendations",
    { key: CLIENT, body: { history: ["a"], n: "5" } },
    400,
    ["json", "n"],
  ],
  [
    "session: history of numbers",
    "POST",
    "/v1/recommendations",
    { key: CLIENT, body: { history: [1, 2] } },
    400,
    ["json", "history", 0],
  ],
  [
    "events: NUL in a user id",
    "POST",
    "/v1/events",
    { body: { events: [event("e1", "u\u0000x", "i", T0)] } },
    400,
    ["json", "events", 0, "user_id"],
  ],
  [
    "events: lone surrogate in an item id",
    "POST",
    "/v1/events",
    { body: { events: [event("e1", "u", "i\ud800", T0)] } },
    400,
    ["json", "events", 0, "item_id"],
  ],
  [
    "events: control character in an event id",
    "POST",
    "/v1/events",
    { body: { events: [event("e\u0007", "u", "i", T0)] } },
    400,
    ["json", "events", 0, "event_id"],
  ],
  [
    "item: control character in path id",
    "PUT",
    "/v1/items/a%01b",
    { body: { id: "a\u0001b" } },
    400,
    ["param", "item_id"],
  ],
  [
    "user: zero-width space in path id",
    "DELETE",
    "/v1/users/a%E2%80%8Bb/history",
    {},
    400,
    ["param", "user_id"],
  ],
  ["recommend: n in hex", "GET", "/v1/users/u1/recommendations?n=0x10", { key: CLIENT }, 400, ["query", "n"]],
  [
    "history: limit in exponent form",
    "GET",
    "/v1/users/u1/history?limit=1e2",
    { key: CLIENT },
    400,
    ["query", "limit"],
  ],
  ["upload: empty body", "PUT", "/v1/models/x/files/items.json", {}, 400, ["body"]],
  ["models: bad version in path", "POST", "/v1/models/bad%20version/activate", {}, 400, ["param", "version"]],
  [
    "train: unknown model",
    "POST",
    "/v1/train",
    { body: { model: "bert4rec", dataset: { kind: "builtin", name: "sample" } } },
    400,
    ["json", "model"],
  ],
  [
    "train: unknown dataset kind",
    "POST",
    "/v1/train",
    { body: { model: "rpg", dataset: { kind: "s3", uri: "x" } } },
    400,
    ["json", "dataset", "kind"],
  ],
  [
    "train: dataset uri a file path",
    "POST",
    "/v1/train",
    { body: { model: "rpg", dataset: { kind: "snapshot", uri: "file:///etc" } } },
    400,
    ["json", "dataset", "uri"],
  ],
  [
    "train: snapshot uri of another host",
    "POST",
    "/v1/train",
    {
      body: { model: "rpg", dataset: { kind: "snapshot", uri: "http://evil.test/v1/snapshots/0123abcd-ef" } },
    },
    400,
    ["json", "dataset", "uri"],
  ],
];

describe("bad input: a clear 4xx naming the field, and stored data untouched", () => {
  it.each(cases)("%s", async (_what, method, path, request, status, issuePath) => {
    const app = createApp();
    await call(app, "POST", "/v1/items/batch", {
      body: { items: [{ id: "A", title: "kept" }, { id: "i" }] },
    });
    await call(app, "POST", "/v1/events", { body: { events: [event("e0", "u1", "A", T0)] } });
    const before = await snapshot(env.DB);

    const body = await expectError(await call(app, method, path, request), status, "invalid_request");
    expect(body.error.issues.length).toBeGreaterThan(0);
    expect(body.error.issues[0]?.path).toEqual(issuePath);
    expect(body.error.message.length).toBeGreaterThan(0);

    expect(await snapshot(env.DB)).toEqual(before);
  });

  it("answers an oversized body with 413 and stores nothing", async () => {
    const app = createApp({ maxBodyBytes: 1024 });
    const before = await snapshot(env.DB);
    await expectError(
      await call(app, "PUT", "/v1/items/A", { body: { id: "A", description: long(4096) } }),
      413,
      "payload_too_large",
    );
    expect(await snapshot(env.DB)).toEqual(before);
  });
});

describe("bad input beyond validation: conflicts, methods and media types", () => {
  it("answers an event_id reused with a different payload with 409 naming it, and stores nothing of the batch", async () => {
    const app = createApp();
    await call(app, "POST", "/v1/events", { body: { events: [event("e0", "u1", "A", T0)] } });
    const same = await call(app, "POST", "/v1/events", { body: { events: [event("e0", "u1", "A", T0)] } });
    expect(await same.json()).toEqual({ accepted: 0, duplicates: 1 }); // a replay stays a duplicate
    const before = await snapshot(env.DB);
    const events = [event("e1", "u2", "A", T0), event("e0", "u1", "B", T0)];
    const body = await expectError(
      await call(app, "POST", "/v1/events", { body: { events } }),
      409,
      "conflict",
    );
    expect(body.error.issues[0]?.path).toEqual(["json", "events", 1, "event_id"]);
    const twice = [event("e2", "u2", "A", T0), event("e2", "u2", "A", T0, "purchase")];
    const inBatch = await expectError(
      await call(app, "POST", "/v1/events", { body: { events: twice } }),
      409,
      "conflict",
    );
    expect(inBatch.error.issues[0]?.path).toEqual(["json", "events", 1, "event_id"]);
    expect(await snapshot(env.DB)).toEqual(before);
  });

  it("answers a method a path does not serve with 405 and an Allow header", async () => {
    const app = createApp();
    const trace = await app.request("/health", { method: "TRACE" }, env);
    await expectError(trace, 405, "method_not_allowed");
    expect(trace.headers.get("allow")).toBe("GET, HEAD");
    const patch = await call(app, "PATCH", "/v1/items/A", { body: { id: "A" } });
    await expectError(patch, 405, "method_not_allowed");
    expect(patch.headers.get("allow")).toBe("GET, HEAD, PUT");
    await expectError(await call(app, "GET", "/v1/nothing-here"), 404, "not_found");
  });

  it("answers a JSON body without Content-Type with 415 naming the header", async () => {
    const headers = { authorization: "Bearer test-admin-key" };
    const res = await createApp().request("/v1/items/A", { method: "PUT", body: '{"id":"A"}', headers }, env);
    const body = await expectError(res, 415, "unsupported_media_type");
    expect(body.error.message).toContain("Content-Type");
    expect(body.error.issues[0]?.path).toEqual(["header", "content-type"]);
  });
});
