import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../app.ts";

describe("/openapi.json", () => {
  it("lists every route the app serves", async () => {
    const app = createApp();
    const res = await app.request("/openapi.json", {}, env);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe("3.1.0");
    const served = app.routes
      // the dashboard's HTML pages and form posts are a UI, not part of the JSON API
      .filter((r) => r.method !== "ALL" && r.path !== "/openapi.json" && !r.path.startsWith("/dashboard"))
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path}`),
    );
    expect(served.length).toBeGreaterThan(0);
    expect(new Set(documented)).toEqual(new Set(served));
  });
});
