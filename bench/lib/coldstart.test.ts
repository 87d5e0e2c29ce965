import { describe, expect, it } from "vitest";
import { rankMetrics, readNpyUint8, seededSample, sidAgreement } from "./coldstart.ts";

/** A .npy file as numpy 1.x writes it: magic, version, header padded with spaces to 64, data. */
function npy(header: string, data: number[], major = 1): Uint8Array {
  const lenSize = major === 1 ? 2 : 4;
  const unpadded = 8 + lenSize + header.length + 1;
  const text = `${header}${" ".repeat((64 - (unpadded % 64)) % 64)}\n`;
  const out = new Uint8Array(8 + lenSize + text.length + data.length);
  out.set([0x93, ..."NUMPY"].map((c) => (typeof c === "number" ? c : c.charCodeAt(0))));
  out.set([major, 0], 6);
  const view = new DataView(out.buffer);
  if (lenSize === 2) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  out.set(new TextEncoder().encode(text), 8 + lenSize);
  out.set(data, 8 + lenSize + text.length);
  return out;
}

describe("readNpyUint8", () => {
  it("reads a 2-D uint8 table in row order (format 1 and 2)", () => {
    const header = "{'descr': '|u1', 'fortran_order': False, 'shape': (3, 2), }";
    for (const major of [1, 2]) {
      const table = readNpyUint8(npy(header, [0, 0, 7, 255, 1, 2], major));
      expect({ rows: table.rows, cols: table.cols }).toEqual({ rows: 3, cols: 2 });
      expect([...table.data.subarray(2, 4)]).toEqual([7, 255]);
    }
  });
  it("refuses other dtypes, Fortran order and short files", () => {
    const f8 = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }";
    expect(() => readNpyUint8(npy(f8, [0, 0, 0, 0, 0, 0, 0, 0]))).toThrow(/not uint8/);
    const fortran = "{'descr': '|u1', 'fortran_order': True, 'shape': (1, 2), }";
    expect(() => readNpyUint8(npy(fortran, [1, 2]))).toThrow(/fortran/);
    const short = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }";
    expect(() => readNpyUint8(npy(short, [1, 2, 3]))).toThrow(/truncated/);
    expect(() => readNpyUint8(new Uint8Array(16))).toThrow(/not a .npy/);
  });
});

describe("sidAgreement", () => {
  it("counts identical SIDs and agreement per digit", () => {
    const a = sidAgreement([
      { edge: [1, 2, 3], reference: [1, 2, 3] },
      { edge: [1, 9, 3], reference: [1, 2, 3] },
      { edge: [1, 2], reference: [4, 2, 3] },
    ]);
    expect(a.items).toBe(3);
    expect(a.identical_share).toBeCloseTo(1 / 3);
    expect(a.wrong_length).toBe(1);
    expect(a.digit_agreement).toEqual([2 / 3, 2 / 3, 2 / 3]);
    expect(a.digit_agreement_mean).toBeCloseTo(2 / 3);
  });
});

describe("rankMetrics", () => {
  it("scores hits by rank and the held-out items' share of top-k slots", () => {
    const m = rankMetrics(
      [
        ["a", "cold1", "b"],
        ["cold1", "cold2", "c"],
        ["d", "e", "f"],
      ],
      ["a", "cold2", "x"],
      new Set(["cold1", "cold2"]),
      3,
    );
    expect(m.users).toBe(3);
    expect(m["hit_rate@3"]).toBeCloseTo(2 / 3);
    expect(m["ndcg@3"]).toBeCloseTo((1 + 1 / Math.log2(3)) / 3);
    expect(m["held_out_slot_share@3"]).toBeCloseTo(3 / 9);
    expect(m.held_out_items_reached).toBe(2);
    expect(m.distinct_items).toBe(8);
  });
  it("looks at the first k only", () => {
    const m = rankMetrics([["a", "b", "t"]], ["t"], new Set(["t"]), 2);
    expect(m["hit_rate@2"]).toBe(0);
    expect(m["held_out_slot_share@2"]).toBe(0);
  });
});

describe("seededSample", () => {
  it("draws distinct elements, the same ones for the same seed", () => {
    const xs = Array.from({ length: 50 }, (_, i) => i);
    const a = seededSample(xs, 10, 7);
    expect(new Set(a).size).toBe(10);
    expect(seededSample(xs, 10, 7)).toEqual(a);
    expect(seededSample(xs, 10, 8)).not.toEqual(a);
    expect(seededSample(xs, 99, 7).sort((x, y) => x - y)).toEqual(xs);
  });
});
