import { describe, expect, it } from "vitest";
import { newLines } from "./train.ts";

describe("newLines", () => {
  it("shows only what a rolling log tail added", () => {
    expect(newLines([], ["a", "b"])).toEqual(["a", "b"]);
    expect(newLines(["a", "b"], ["a", "b", "c"])).toEqual(["c"]);
    expect(newLines(["a", "b", "c"], ["b", "c", "d", "e"])).toEqual(["d", "e"]);
    expect(newLines(["a", "b"], ["a", "b"])).toEqual([]);
    expect(newLines(["x"], ["y", "z"])).toEqual(["y", "z"]);
  });
});
