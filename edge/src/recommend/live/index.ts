import { IsolateCache } from "../../storage/isolate-cache.ts";
import { liveModelVersion, type ModelVersionRow } from "../../storage/models.ts";

/**
 * The live version's row, cached in the isolate so that a recommendation does not read
 * model_versions. Activation and rollback in this isolate invalidate it at once; other isolates
 * (they share D1, not memory) re-read it once `ttlMs` has passed since their last read, so they
 * serve the previous version for at most `ttlMs` after a switch.
 */
export class LiveVersionCache extends IsolateCache<ModelVersionRow | null> {
  read(db: D1Database, now = Date.now()): Promise<ModelVersionRow | null> {
    return this.get(() => liveModelVersion(db), now);
  }
}

/**
 * The live model version (null: none is live, popularity answers). The one place a request learns
 * it: everything that routes traffic to a version (experiments, splits) wraps this function.
 */
export function liveVersion(
  db: D1Database,
  services: { live: LiveVersionCache },
): Promise<ModelVersionRow | null> {
  return services.live.read(db);
}
