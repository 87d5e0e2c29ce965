/**
 * A circuit breaker for calls that have a cheaper answer elsewhere (DiffGRM's denoise, answered by
 * its fallback): after `threshold` timeouts in a row it opens, and callers skip the call for
 * `cooldownMs`; then one call is let through as a probe: success closes it, another timeout opens
 * it again. State is per isolate (a documented in-memory cache, like the artifact cache): each
 * isolate learns on its own, which bounds the cost to `threshold` slow calls per isolate.
 */
export class CircuitBreaker {
  #timeouts = 0;
  #openUntil = 0;
  #probing = false;

  constructor(
    private readonly threshold = 3,
    private readonly cooldownMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a call may go out now; while half-open, only the first caller (the probe) may. */
  allow(): boolean {
    if (this.#timeouts < this.threshold) return true;
    if (this.now() < this.#openUntil || this.#probing) return false;
    this.#probing = true;
    return true;
  }

  /** Records how an allowed call ended: `timeout` counts toward opening, anything else resets. */
  record(timeout: boolean): void {
    this.#probing = false;
    if (!timeout) {
      this.#timeouts = 0;
      return;
    }
    this.#timeouts++;
    if (this.#timeouts >= this.threshold) this.#openUntil = this.now() + this.cooldownMs;
  }
}
