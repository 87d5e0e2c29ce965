import type { Services } from "../env.ts";
import { type RunningArm, runningExperiment } from "./store.ts";

/** How long an isolate trusts its copy of the running experiment: other isolates see a start, stop or promote this late. */
export const EXPERIMENT_TTL_MS = 5_000;

type Running = { id: string; arms: RunningArm[] } | null;

/**
 * The running experiment as this isolate last read it (one D1 read per TTL); a start, stop or
 * promote through this isolate clears it at once. Only the value is kept, never a pending read:
 * workerd refuses I/O that one request started from being awaited by another ("Cannot perform I/O
 * on behalf of a different request"), so concurrent misses each read D1 once.
 */
export class ExperimentCache {
  #value: { running: Running; at: number } | null = null;
  #generation = 0;

  constructor(private readonly ttlMs = EXPERIMENT_TTL_MS) {}

  async running(db: D1Database, now = Date.now()): Promise<Running> {
    if (this.#value !== null && now - this.#value.at <= this.ttlMs) return this.#value.running;
    const generation = this.#generation;
    const running = await runningExperiment(db);
    // a read that an invalidation overtook is answered but not kept
    if (generation === this.#generation) this.#value = { running, at: now };
    return running;
  }

  invalidate(): void {
    this.#generation++;
    this.#value = null;
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
