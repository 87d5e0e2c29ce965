import { describe, expect, it } from "vitest";
import { difference, wilson } from "./stats.ts";

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

  it("gives Newcombe's interval for a difference (his example: 56/70 - 48/80: 0.0524 to 0.3339)", () => {
    const d = difference(wilson(56, 70), wilson(48, 80));
    expect(d.value).toBeCloseTo(0.2, 12);
    expect(d.low).toBeCloseTo(0.0524, 4);
    expect(d.high).toBeCloseTo(0.3339, 4);
  });
});
