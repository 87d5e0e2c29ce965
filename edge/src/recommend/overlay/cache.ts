import { StampedCache } from "../../storage/isolate-cache.ts";
import { readyCodes, readyStamp } from "../../storage/overlay.ts";
import type { LoadedArtifacts } from "../rpg/artifacts.ts";
import { withOverlay } from "./view.ts";

/** How long an isolate serves an overlay before it checks D1 for items another isolate added. */
export const OVERLAY_TTL_MS = 1_000;

/**
 * The overlay view of each loaded RPG set, beside it (a lazy per-isolate resource, keyed by the set
 * object, so it goes when the artifact cache drops the set, and a fresh app starts empty). At most
 * one D1 read per set every OVERLAY_TTL_MS decides whether the view is current; the view is rebuilt
 * only when the version's ready items changed.
 */
const views = new WeakMap<LoadedArtifacts, StampedCache<LoadedArtifacts>>();

/** `set` with its version's ready cold-start items; the set itself when it has no SID artifact. */
export async function withLiveOverlay(
  db: D1Database,
  set: LoadedArtifacts,
  now = Date.now(),
): Promise<LoadedArtifacts> {
  if (!set.manifest.sid_artifact) return set;
  let cache = views.get(set);
  if (!cache) {
    cache = new StampedCache<LoadedArtifacts>(OVERLAY_TTL_MS);
    views.set(set, cache);
  }
  const version = set.manifest.version;
  return cache.get(
    () => readyStamp(db, version),
    async () => withOverlay(set, await readyCodes(db, version)),
    now,
  );
}

/** After this isolate stored new codes: the next request checks D1 at once. */
export function invalidateOverlay(set: LoadedArtifacts): void {
  views.get(set)?.invalidate();
}
