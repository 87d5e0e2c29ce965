import { liveModelVersion, type ModelVersionRow } from "../../storage/models.ts";

/**
 * The live version's row, cached in the isolate so that a recommendation does not read
 * model_versions. Activation and rollback in this isolate invalidate it at once; other isolates
 * (they share D1, not memory) re-read it once `ttlMs` has passed since their last read, so they
 * serve the previous version for at most `ttlMs` after a switch. Only finished reads are kept:
 * workerd does not let one request await I/O that another request started, so concurrent misses
 * each read D1 (one cheap query each) rather than share a pending promise.
 */
export class LiveVersionCache {
  #row: { value: ModelVersionRow | null; at: number } | null = null;
  #generation = 0; // bumped by invalidate: a read that started before it is not kept

  constructor(private readonly ttlMs: number) {}

  async get(db: D1Database, now = Date.now()): Promise<ModelVersionRow | null> {
    if (this.#row !== null && now - this.#row.at < this.ttlMs) return this.#row.value;
    const generation = this.#generation;
    const value = await liveModelVersion(db); // a failed read throws and keeps nothing
    if (generation === this.#generation) this.#row = { value, at: now };
    return value;
  }

  /** After activate or rollback in this isolate: the next request reads D1. */
  invalidate(): void {
    this.#row = null;
    this.#generation += 1;
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
