import { readyCodes, readyStamp } from "../../storage/overlay.ts";
import type { LoadedArtifacts } from "../rpg/artifacts.ts";
import { withOverlay } from "./view.ts";

/** How long an isolate serves an overlay before it checks D1 for items another isolate added. */
export const OVERLAY_TTL_MS = 1_000;

interface Held {
  stamp: string;
  checkedAt: number;
  view: Promise<LoadedArtifacts>;
}

/**
 * The overlay view of each loaded RPG set, beside it (a lazy per-isolate resource, keyed by the set
 * object, so it goes when the artifact cache drops the set, and a fresh app starts empty). At most
 * one D1 read per set every OVERLAY_TTL_MS decides whether the view is current; the view is rebuilt
 * only when the version's ready items changed.
 */
const held = new WeakMap<LoadedArtifacts, Held>();

/** `set` with its version's ready cold-start items; the set itself when it has no SID artifact. */
export async function withLiveOverlay(
  db: D1Database,
  set: LoadedArtifacts,
  now = Date.now(),
  ttlMs = OVERLAY_TTL_MS,
): Promise<LoadedArtifacts> {
  if (!set.manifest.sid_artifact) return set;
  const current = held.get(set);
  if (current && now - current.checkedAt < ttlMs) return current.view;
  const stamp = await readyStamp(db, set.manifest.version);
  if (current && current.stamp === stamp) {
    current.checkedAt = now;
    return current.view;
  }
  const view = readyCodes(db, set.manifest.version).then((items) => withOverlay(set, items));
  held.set(set, { stamp, checkedAt: now, view });
  view.catch(() => {
    if (held.get(set)?.view === view) held.delete(set); // a failed read is retried by the next request
  });
  return view;
}

/** After this isolate stored new codes: the next request checks D1 at once. */
export function invalidateOverlay(set: LoadedArtifacts): void {
  const current = held.get(set);
  if (current) current.checkedAt = Number.NEGATIVE_INFINITY;
}
