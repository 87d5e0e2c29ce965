import { describe, expect, it } from "vitest";
import { StampedCache } from "./isolate-cache.ts";

/** A stamp and a builder that count their calls; `stamp.value` is what D1 would say now. */
function source(initial: string) {
  const calls = { stamp: 0, build: 0 };
  const state = { value: initial };
  return {
    calls,
    state,
    stamp: async () => {
      calls.stamp += 1;
      return state.value;
    },
    build: async () => {
      calls.build += 1;
      return `built from ${state.value}`;
    },
  };
}

describe("a value rebuilt only when its stamp changes", () => {
  it("reads the stamp once per ttl and rebuilds only on a new stamp", async () => {
    const cache = new StampedCache<string>(1000);
    const s = source("1:10");
    expect(await cache.get(s.stamp, s.build, 0)).toBe("built from 1:10");
    s.state.value = "2:20"; // another isolate added an item
    expect(await cache.get(s.stamp, s.build, 999)).toBe("built from 1:10");
    expect(s.calls).toEqual({ stamp: 1, build: 1 });
    expect(await cache.get(s.stamp, s.build, 1000)).toBe("built from 2:20");
    expect(await cache.get(s.stamp, s.build, 2500)).toBe("built from 2:20"); // same stamp: no build
    expect(s.calls).toEqual({ stamp: 3, build: 2 });
  });

  it("re-reads the stamp at once after invalidate, and keeps the value if nothing changed", async () => {
    const cache = new StampedCache<string>(3_600_000);
    const s = source("1:10");
    await cache.get(s.stamp, s.build, 0);
    cache.invalidate();
    expect(await cache.get(s.stamp, s.build, 1)).toBe("built from 1:10");
    expect(s.calls).toEqual({ stamp: 2, build: 1 });
  });

  it("never hands one caller another's pending build (workerd forbids cross-request I/O)", async () => {
    const cache = new StampedCache<string>(3_600_000);
    const s = source("1:10");
    const [a, b] = await Promise.all([cache.get(s.stamp, s.build, 0), cache.get(s.stamp, s.build, 0)]);
    expect([a, b]).toEqual(["built from 1:10", "built from 1:10"]);
    expect(s.calls).toEqual({ stamp: 2, build: 2 }); // each read and built for itself
    await cache.get(s.stamp, s.build, 1);
    expect(s.calls.stamp).toBe(2); // a finished build is then kept
  });

  it("does not keep a build that an invalidation overtook, nor a failed one", async () => {
    const cache = new StampedCache<string>(3_600_000);
    const s = source("1:10");
    const overtaken = cache.get(s.stamp, async () => {
      cache.invalidate(); // this isolate stored new codes while the build ran
      return "stale";
    });
    expect(await overtaken).toBe("stale");
    expect(await cache.get(s.stamp, s.build, 0)).toBe("built from 1:10");
    const failing = new StampedCache<string>(3_600_000);
    await expect(failing.get(s.stamp, () => Promise.reject(new Error("D1 down")), 0)).rejects.toThrow();
    expect(await failing.get(s.stamp, s.build, 0)).toBe("built from 1:10");
  });
});
