import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { removeDir, scratchDir } from "./paths.ts";
import { readSample } from "./sample.ts";

describe("readSample", () => {
  it("reads the bundled sample (gzipped, no timestamps: one minute apart in the dataset's order)", () => {
    const { items, events } = readSample();
    expect(items).toHaveLength(2795);
    expect(events).toHaveLength(4161);
    expect(events[1]?.timestamp).toBe("2014-01-01T00:01:00.000Z");
  });

  it("reads a folder written by `genrec data import`: plain JSONL, the rows' own timestamps", () => {
    const dir = scratchDir("sample-test");
    try {
      writeFileSync(join(dir, "items.jsonl"), `${JSON.stringify({ id: "i1", title: "One" })}\n`);
      const user = { user_id: "u1", item_ids: ["i1", "i2"], timestamps: [1704067200, 1704153600] };
      writeFileSync(join(dir, "sequences.jsonl"), `${JSON.stringify(user)}\n`);
      const { items, events } = readSample(dir);
      expect(items).toEqual([{ id: "i1", title: "One" }]);
      expect(events.map((e) => [e.item_id, e.timestamp])).toEqual([
        ["i1", "2024-01-01T00:00:00.000Z"],
        ["i2", "2024-01-02T00:00:00.000Z"],
      ]);
      expect(() => readSample(join(dir, "missing"))).toThrow(/genrec data import/);
    } finally {
      removeDir(dir);
    }
  });
});
