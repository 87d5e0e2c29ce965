import { readyCodes, readyStamp } from "../../storage/overlay.ts";
import { OVERLAY_TTL_MS } from "./cache.ts";

/** A SID's codes as a map key. */
export const sidKey = (codes: ArrayLike<number>) => Array.from(codes).join(",");

interface Held {
  stamp: string;
  checkedAt: number;
  map: Promise<Map<string, string[]>>;
}

/**
 * Per app (keyed by its services object, so tests never share one) and version: the SID -> items
 * map of a GPU-served version's cold-start items, in arrival order within a SID, re-checked in D1
 * at most every OVERLAY_TTL_MS (cache.ts does the same for RPG sets).
 */
const held = new WeakMap<object, Map<string, Held>>();

export async function overlaySidMap(
  db: D1Database,
  owner: object,
  version: string,
  now = Date.now(),
): Promise<Map<string, string[]>> {
  const maps = held.get(owner) ?? new Map<string, Held>();
  held.set(owner, maps);
  const current = maps.get(version);
  if (current && now - current.checkedAt < OVERLAY_TTL_MS) return current.map;
  const stamp = await readyStamp(db, version);
  if (current && current.stamp === stamp) {
    current.checkedAt = now;
    return current.map;
  }
  const map = readyCodes(db, version).then((items) => {
    const out = new Map<string, string[]>();
    for (const { itemId, codes } of items)
      out.set(sidKey(codes), [...(out.get(sidKey(codes)) ?? []), itemId]);
    return out;
  });
  maps.set(version, { stamp, checkedAt: now, map });
  map.catch(() => {
    if (maps.get(version)?.map === map) maps.delete(version);
  });
  return map;
}

export function invalidateSidMap(owner: object, version: string): void {
  const current = held.get(owner)?.get(version);
  if (current) current.checkedAt = Number.NEGATIVE_INFINITY;
}
