import { env } from "cloudflare:test";
import { RecommendResponse } from "@genrec/shared";
import { describe, expect, it } from "vitest";
import { type App, CLIENT, call } from "../../../test/helpers.ts";
import { createApp } from "../../app.ts";
import { activateModelVersion, insertModelVersion } from "../../storage/models.ts";
import { LiveVersionCache } from "./index.ts";

async function publish(...versions: string[]) {
  for (const [i, version] of versions.entries())
    await insertModelVersion(env.DB, { version, model: "popularity", manifest: "{}" }, 1000 + i);
}

async function served(app: App, query = ""): Promise<string> {
  const res = await call(app, "GET", `/v1/users/nobody/recommendations${query}`, { key: CLIENT });
  return RecommendResponse.parse(await res.json()).model_version;
}

describe("the live version cached in the isolate", () => {
  it("reads D1 once per ttl, and again at once after invalidate", async () => {
    await publish("pop-1", "pop-2");
    await activateModelVersion(env.DB, "pop-1");
    const cache = new LiveVersionCache(1000);
    expect((await cache.read(env.DB, 0))?.version).toBe("pop-1");
    await activateModelVersion(env.DB, "pop-2"); // as another isolate would
    expect((await cache.read(env.DB, 999))?.version).toBe("pop-1");
    expect((await cache.read(env.DB, 1000))?.version).toBe("pop-2");
    await activateModelVersion(env.DB, "pop-1");
    cache.invalidate();
    expect((await cache.read(env.DB, 1001))?.version).toBe("pop-1");
  });

  it("is invalidated by activate and rollback in its isolate; others see them within their ttl", async () => {
    await publish("pop-1", "pop-2");
    const here = createApp({ liveTtlMs: 3_600_000 });
    const elsewhere = createApp({ liveTtlMs: 3_600_000 });
    const fresh = createApp({ liveTtlMs: 0 });
    expect(await served(here)).toBe("builtin-popularity");
    expect(await served(elsewhere)).toBe("builtin-popularity");

    expect((await call(here, "POST", "/v1/models/pop-1/activate")).status).toBe(200);
    expect(await served(here)).toBe("pop-1");
    expect((await call(here, "POST", "/v1/models/pop-2/activate")).status).toBe(200);
    expect(await served(here)).toBe("pop-2");
    expect((await call(here, "POST", "/v1/models/rollback")).status).toBe(200);
    expect(await served(here)).toBe("pop-1");

    // Another isolate keeps what it read until its ttl runs out; with no ttl it follows D1.
    expect(await served(elsewhere)).toBe("builtin-popularity");
    expect(await served(fresh)).toBe("pop-1");
    // A requested version is read from D1 whatever the cache holds.
    expect(await served(elsewhere, "?model_version=pop-2")).toBe("pop-2");
  });

  it("does not keep a failed read", async () => {
    const cache = new LiveVersionCache(3_600_000);
    await env.DB.exec("ALTER TABLE model_versions RENAME TO mv_moved");
    await expect(cache.read(env.DB, 0)).rejects.toThrow();
    await env.DB.exec("ALTER TABLE mv_moved RENAME TO model_versions");
    await publish("pop-1");
    await activateModelVersion(env.DB, "pop-1");
    expect((await cache.read(env.DB, 1))?.version).toBe("pop-1");
  });
});

describe("concurrent misses", () => {
  it("each read D1 and keep no pending promise, and a read that an invalidation overtook is not kept", async () => {
    await publish("pop-1", "pop-2");
    await activateModelVersion(env.DB, "pop-1");
    const cache = new LiveVersionCache(3_600_000);
    const [a, b] = await Promise.all([cache.read(env.DB, 0), cache.read(env.DB, 0)]);
    expect([a?.version, b?.version]).toEqual(["pop-1", "pop-1"]);

    cache.invalidate();
    const overtaken = cache.read(env.DB, 1); // started before the switch below
    await activateModelVersion(env.DB, "pop-2");
    cache.invalidate();
    await overtaken;
    expect((await cache.read(env.DB, 2))?.version).toBe("pop-2");
  });
});
