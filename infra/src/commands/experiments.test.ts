import { describe, expect, it } from "vitest";
import { experimentStartArgs, metricsLines, metricsQuery } from "./experiments.ts";

describe("experiment arguments", () => {
  it("turns --arm NAME=VERSION:SHARE into the start body", () => {
    expect(experimentStartArgs("e1", ["a=rpg-1:0.25", "b=builtin-popularity:0.75"])).toEqual({
      id: "e1",
      arms: [
        { name: "a", version: "rpg-1", share: 0.25 },
        { name: "b", version: "builtin-popularity", share: 0.75 },
      ],
    });
  });

  it("names what is wrong before any request", () => {
    expect(() => experimentStartArgs("e1", ["a=rpg-1"])).toThrow(
      /--arm "a=rpg-1": expected NAME=VERSION:SHARE/,
    );
    expect(() => experimentStartArgs("e1", ["a=rpg-1:0.5", "b=rpg-2:0.4"])).toThrow(
      /arms: shares must sum to 1/,
    );
    expect(() => experimentStartArgs("e1", ["a=rpg-1:x", "b=rpg-2:0.5"])).toThrow(/arms.0.share/);
    expect(() => experimentStartArgs("e 1", ["a=r:0.5", "b=s:0.5"])).toThrow(/id: letters, digits/);
    expect(() => metricsQuery({ since: "7 days" })).toThrow(/--since "7 days": a duration/);
  });

  it("builds the metrics window from --since", () => {
    const now = Date.parse("2026-11-30T12:00:00Z");
    expect(metricsQuery({ since: "24h", experiment: "e1" }, now)).toBe(
      "from=2026-11-29T12%3A00%3A00.000Z&experiment_id=e1",
    );
    expect(metricsQuery({}, now)).toBe("");
  });

  it("prints one line per arm with its intervals", () => {
    const p = { value: 0.1, low: 0.05, high: 0.2 };
    const lines = metricsLines({
      from: "2026-11-29T00:00:00.000Z",
      to: "2026-11-30T00:00:00.000Z",
      arms: [
        {
          experiment_id: "e1",
          arm: "a",
          version: "rpg-1",
          served: 10,
          fallbacks: 0,
          events: { click: 1 },
          click_through: p,
          hit_rate: p,
        },
      ],
    });
    expect(lines[1]).toBe(
      "e1/a  rpg-1  served 10  ctr 10.00% [5.00, 20.00]  hit 10.00% [5.00, 20.00]  events: click 1",
    );
  });
});
