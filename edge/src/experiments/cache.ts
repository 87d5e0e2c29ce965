import type { Services } from "../env.ts";
import { IsolateCache } from "../storage/isolate-cache.ts";
import { type RunningArm, runningExperiment } from "./store.ts";

/** How long an isolate trusts its copy of the running experiment: other isolates see a start, stop or promote this late. */
export const EXPERIMENT_TTL_MS = 5_000;

type Running = { id: string; arms: RunningArm[] } | null;

/**
 * The running experiment as this isolate last read it (one D1 read per TTL); a start, stop or
 * promote through this isolate clears it at once (IsolateCache: finished reads only).
 */
export class ExperimentCache extends IsolateCache<Running> {
  constructor(ttlMs = EXPERIMENT_TTL_MS) {
    super(ttlMs);
  }

  running(db: D1Database, now = Date.now()): Promise<Running> {
    return this.get(() => runningExperiment(db), now);
  }
}

// One cache per app (per isolate in production; tests build fresh apps, so nothing leaks between them).
const caches = new WeakMap<Services, ExperimentCache>();

export function experimentCache(services: Services): ExperimentCache {
  let cache = caches.get(services);
  if (!cache) {
    cache = new ExperimentCache();
    caches.set(services, cache);
  }
  return cache;
}
