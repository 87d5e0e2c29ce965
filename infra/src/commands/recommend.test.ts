import { describe, expect, it } from "vitest";
import { fallbackNote } from "./recommend.ts";

const rec = {
  recommendation_id: "r1",
  model: "popularity" as const,
  model_version: "builtin-popularity",
  items: [],
};

describe("fallbackNote", () => {
  it("shows the edge's fallback signal: who answered, for which version, and why", () => {
    expect(fallbackNote(rec)).toBeUndefined();
    expect(fallbackNote({ ...rec, fallback: { from_version: "rpg-1", reason: "unknown_user" } })).toBe(
      "note: answered by builtin-popularity (popularity) as a fallback for rpg-1: unknown_user",
    );
  });
});
