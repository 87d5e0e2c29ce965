import { StampedCache } from "../../storage/isolate-cache.ts";
import { readyCodes, readyStamp } from "../../storage/overlay.ts";
import { OVERLAY_TTL_MS } from "./cache.ts";

/** A SID's codes as a map key. */
export const sidKey = (codes: ArrayLike<number>) => Array.from(codes).join(",");

/**
 * Per app (keyed by its services object, so tests never share one) and version: the SID -> items
 * map of a GPU-served version's cold-start items, in arrival order within a SID, re-checked in D1
 * at most every OVERLAY_TTL_MS (cache.ts does the same for RPG sets).
 */
const held = new WeakMap<object, Map<string, StampedCache<Map<string, string[]>>>>();

export async function overlaySidMap(
  db: D1Database,
  owner: object,
  version: string,
  now = Date.now(),
): Promise<Map<string, string[]>> {
  const maps = held.get(owner) ?? new Map<string, StampedCache<Map<string, string[]>>>();
  held.set(owner, maps);
  let cache = maps.get(version);
  if (!cache) {
    cache = new StampedCache<Map<string, string[]>>(OVERLAY_TTL_MS);
    maps.set(version, cache);
  }
  return cache.get(
    () => readyStamp(db, version),
    async () => {
      const out = new Map<string, string[]>();
      for (const { itemId, codes } of await readyCodes(db, version))
        out.set(sidKey(codes), [...(out.get(sidKey(codes)) ?? []), itemId]);
      return out;
    },
    now,
  );
}

export function invalidateSidMap(owner: object, version: string): void {
  held.get(owner)?.get(version)?.invalidate();
}
