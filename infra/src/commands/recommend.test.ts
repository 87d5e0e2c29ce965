import { describe, expect, it } from "vitest";
import { fallbackNotes } from "./recommend.ts";

const rec = {
  recommendation_id: "r1",
  model: "popularity" as const,
  model_version: "builtin-popularity",
  items: [],
};

describe("fallbackNotes", () => {
  it("shows the edge's fallback signal: who answered, instead of which version, and why", () => {
    expect(fallbackNotes(rec)).toEqual([]);
    expect(fallbackNotes({ ...rec, fallback: { from_version: "rpg-1", reason: "unknown_user" } })).toEqual([
      "note: answered by builtin-popularity instead of rpg-1: the user has no stored events (unknown_user)",
    ]);
    const noLive = {
      ...rec,
      fallback: { from_version: "builtin-popularity", reason: "circuit_open" as const },
    };
    expect(fallbackNotes(noLive)[0]).toMatch(
      /^note: answered by builtin-popularity: the GPU worker timed out/,
    );
  });

  it("names the history items the edge did not know", () => {
    const unknown = {
      ...rec,
      unknown_items: ["X1", "X2"],
      fallback: { from_version: "", reason: "unknown_items" as const },
    };
    expect(fallbackNotes(unknown)).toEqual([
      "note: answered by builtin-popularity: no history item is known to the edge (unknown_items)",
      "note: unknown items, ignored: X1, X2",
    ]);
  });
});
