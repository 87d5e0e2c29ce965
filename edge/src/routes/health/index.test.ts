import { env } from "cloudflare:test";
import { Liveness, Readiness } from "@genrec/shared";
import { describe, expect, it } from "vitest";
import { createApp } from "../../app.ts";

const app = createApp();

describe("health", () => {
  it("answers liveness without touching bindings", async () => {
    const res = await app.request("/health", {}, env);
    expect(res.status).toBe(200);
    expect(Liveness.parse(await res.json()).status).toBe("ok");
  });

  it("reports the local launcher's instance value, and no header when none is set", async () => {
    const mine = await app.request("/health", {}, { ...env, GENREC_INSTANCE: "run-1" });
    expect(mine.headers.get("x-genrec-instance")).toBe("run-1");
    const plain = await app.request("/health", {}, { ...env, GENREC_INSTANCE: "" });
    expect(plain.headers.has("x-genrec-instance")).toBe(false);
  });

  it("is ready when D1 and R2 answer, with no live model yet", async () => {
    const res = await app.request("/ready", {}, env);
    expect(res.status).toBe(200);
    const body = Readiness.parse(await res.json());
    expect(body).toMatchObject({ status: "ready", live_model: null, checks: { d1: true, r2: true } });
  });

  it("names the live model version from D1", async () => {
    await env.DB.prepare(
      "INSERT INTO model_versions (version, model, manifest, created_at, live) VALUES (?, ?, ?, ?, 1)",
    )
      .bind("rpg-test-1", "rpg", "{}", Date.now())
      .run();
    const body = Readiness.parse(await (await app.request("/ready", {}, env)).json());
    expect(body.live_model).toBe("rpg-test-1");
  });

  it("reports degraded with 503 when D1 fails", async () => {
    const broken = { ...env, DB: { prepare: () => ({ first: () => Promise.reject(new Error("down")) }) } };
    const res = await app.request("/ready", {}, broken);
    expect(res.status).toBe(503);
    expect(Readiness.parse(await res.json())).toMatchObject({
      status: "degraded",
      checks: { d1: false, r2: true },
    });
  });
});
