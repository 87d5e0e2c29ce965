import { describe, expect, it } from "vitest";
import { pickArm, unitHash } from "./hash.ts";

const arms = [
  { name: "a", share: 0.2 },
  { name: "b", share: 0.3 },
  { name: "c", share: 0.5 },
];

describe("stable user hashing", () => {
  it("gives one key the same arm every time and keeps the shares over 20,000 users", () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const arm = pickArm("exp-1", `user-${i}`, arms);
      expect(pickArm("exp-1", `user-${i}`, arms)).toBe(arm);
      counts.set(arm.name, (counts.get(arm.name) ?? 0) + 1);
    }
    // binomial sd at n = 20,000 is at most 0.0035: 4 sd either side
    for (const arm of arms)
      expect(Math.abs((counts.get(arm.name) ?? 0) / 20_000 - arm.share)).toBeLessThan(0.014);
  });

  it("assigns independently across experiments (the id salts the hash)", () => {
    const half = [
      { name: "x", share: 0.5 },
      { name: "y", share: 0.5 },
    ];
    let same = 0;
    for (let i = 0; i < 10_000; i++)
      if (pickArm("exp-1", `u${i}`, half).name === pickArm("exp-2", `u${i}`, half).name) same++;
    expect(Math.abs(same / 10_000 - 0.5)).toBeLessThan(0.02);
  });

  it("maps into [0, 1) and is fixed for a known key (a change would reshuffle running experiments)", () => {
    expect(unitHash("")).toBeGreaterThanOrEqual(0);
    expect(unitHash("user-1")).toBeLessThan(1);
    expect(unitHash("user-1")).toBe(0.4670340372249484);
    expect(unitHash("")).toBe(0.6689221884589642);
    expect(unitHash("user-1")).not.toBe(unitHash("user-2"));
    expect(unitHash("é")).not.toBe(unitHash("e"));
  });
});
