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
