/**
 * One D1-backed value cached in the isolate for `ttlMs` since its read; `invalidate` drops it at
 * once (a change made through this isolate). Only finished reads are kept, never a pending one:
 * workerd refuses to let one request await I/O that another request started ("Cannot perform I/O
 * on behalf of a different request"), so concurrent misses each read D1 once. A read that an
 * invalidation overtook is answered but not kept. A failed read throws and keeps nothing.
 */
export class IsolateCache<T> {
  #value: { value: T; at: number } | null = null;
  #generation = 0;

  constructor(private readonly ttlMs: number) {}

  async get(read: () => Promise<T>, now = Date.now()): Promise<T> {
    if (this.#value !== null && now - this.#value.at < this.ttlMs) return this.#value.value;
    const generation = this.#generation;
    const value = await read();
    if (generation === this.#generation) this.#value = { value, at: now };
    return value;
  }

  invalidate(): void {
    this.#value = null;
    this.#generation += 1;
  }
}

/**
 * A value built from D1 rows that change rarely, rebuilt only when their cheap `stamp` changes
 * (a count and a latest time, say). The stamp is read at most once per `ttlMs`; `invalidate` (a
 * change made through this isolate) makes the next call read it at once. As in IsolateCache, only
 * finished values are kept, so concurrent misses each read and build; a build that an invalidation
 * overtook is answered but not kept, and a failed read or build throws and keeps nothing.
 */
export class StampedCache<T> {
  #held: { stamp: string; checkedAt: number; value: T } | null = null;
  #generation = 0;

  constructor(private readonly ttlMs: number) {}

  async get(stamp: () => Promise<string>, build: () => Promise<T>, now = Date.now()): Promise<T> {
    const held = this.#held;
    if (held !== null && now - held.checkedAt < this.ttlMs) return held.value;
    const generation = this.#generation;
    const current = await stamp();
    const value = held !== null && held.stamp === current ? held.value : await build();
    if (generation === this.#generation) this.#held = { stamp: current, checkedAt: now, value };
    return value;
  }

  invalidate(): void {
    if (this.#held !== null) this.#held = { ...this.#held, checkedAt: Number.NEGATIVE_INFINITY };
    this.#generation += 1;
  }
}
