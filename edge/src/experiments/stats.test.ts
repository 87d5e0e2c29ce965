import { describe, expect, it } from "vitest";
import { wilson } from "./stats.ts";

describe("wilson", () => {
  it("matches the textbook interval (Newcombe 1998, 81 of 263: 0.2553 to 0.3662)", () => {
    const p = wilson(81, 263);
    expect(p.value).toBeCloseTo(81 / 263, 12);
    expect(p.low).toBeCloseTo(0.2553, 4);
    expect(p.high).toBeCloseTo(0.3662, 4);
  });

  it("stays inside [0, 1] at the extremes and covers everything with no trials", () => {
    expect(wilson(0, 10)).toMatchObject({ value: 0, low: 0 });
    expect(wilson(0, 10).high).toBeCloseTo(0.2775, 4);
    expect(wilson(10, 10).high).toBe(1);
    expect(wilson(0, 0)).toEqual({ value: 0, low: 0, high: 1 });
  });
});
