import { describe, expect, it } from "vitest";
import { ADMIN, CLIENT, call, expectError } from "../../test/helpers.ts";
import { createApp } from "../app.ts";
import { matchesAny, parseKeys } from "./keys.ts";

describe("API keys", () => {
  it("parses comma-separated secrets, ignoring blanks", () => {
    expect(parseKeys(" a, b ,,c, ")).toEqual(["a", "b", "c"]);
    expect(parseKeys(undefined)).toEqual([]);
  });

  it("matches exactly, whatever the length", async () => {
    expect(await matchesAny("abc", ["x", "abc"])).toBe(true);
    expect(await matchesAny("ab", ["abc"])).toBe(false);
    expect(await matchesAny("abcd", ["abc"])).toBe(false);
    expect(await matchesAny("", [])).toBe(false);
  });

  it("answers 401 without a key and 403 with an unknown one", async () => {
    const app = createApp();
    const missing = await expectError(
      await call(app, "GET", "/v1/models", { key: null }),
      401,
      "unauthorized",
    );
    expect(missing.error.message).toContain("Bearer");
    await expectError(await call(app, "GET", "/v1/models", { key: "guess" }), 403, "forbidden");
  });

  it("lets client keys read but not write, and admin keys do both", async () => {
    const app = createApp();
    expect((await call(app, "GET", "/v1/models", { key: CLIENT })).status).toBe(200);
    expect((await call(app, "GET", "/v1/models", { key: "second-client-key" })).status).toBe(200);
    const denied = await expectError(
      await call(app, "PUT", "/v1/items/i1", { key: CLIENT, body: { id: "i1" } }),
      403,
      "forbidden",
    );
    expect(denied.error.message).toContain("admin");
    expect((await call(app, "PUT", "/v1/items/i1", { key: ADMIN, body: { id: "i1" } })).status).toBe(200);
    expect((await call(app, "GET", "/v1/models", { key: ADMIN })).status).toBe(200);
  });
});
