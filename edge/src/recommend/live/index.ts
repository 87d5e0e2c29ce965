import { liveModelVersion, type ModelVersionRow } from "../../storage/models.ts";

/**
 * The live version's row, cached in the isolate so that a recommendation does not read
 * model_versions. Activation and rollback in this isolate invalidate it at once; other isolates
 * (they share D1, not memory) re-read it once `ttlMs` has passed since their last read, so they
 * serve the previous version for at most `ttlMs` after a switch. Concurrent misses share one read.
 */
export class LiveVersionCache {
  #row: Promise<ModelVersionRow | null> | null = null;
  #at = 0;

  constructor(private readonly ttlMs: number) {}

  get(db: D1Database, now = Date.now()): Promise<ModelVersionRow | null> {
    if (this.#row === null || now - this.#at >= this.ttlMs) {
      const read = liveModelVersion(db);
      this.#row = read;
      this.#at = now;
      // A failed read is not kept (nor is one that an invalidation already replaced).
      read.catch(() => {
        if (this.#row === read) this.#row = null;
      });
    }
    return this.#row;
  }

  /** After activate or rollback in this isolate: the next request reads D1. */
  invalidate(): void {
    this.#row = null;
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
  return services.live.get(db);
}
