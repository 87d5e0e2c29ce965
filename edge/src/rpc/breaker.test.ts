import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "./breaker.ts";

describe("circuit breaker", () => {
  it("opens after repeated timeouts, lets one probe through after the cooldown, closes on success", () => {
    let now = 0;
    const breaker = new CircuitBreaker(2, 1000, () => now);
    breaker.record(true);
    expect(breaker.allow()).toBe(true);
    breaker.record(false); // a success resets the count
    breaker.record(true);
    breaker.record(true);
    expect(breaker.allow()).toBe(false);
    now = 1000;
    expect(breaker.allow()).toBe(true); // the probe
    expect(breaker.allow()).toBe(false); // everyone else waits for it
    breaker.record(true); // the probe timed out: open again
    expect(breaker.allow()).toBe(false);
    now = 2000;
    expect(breaker.allow()).toBe(true);
    breaker.record(false);
    expect([breaker.allow(), breaker.allow()]).toEqual([true, true]);
  });
});
