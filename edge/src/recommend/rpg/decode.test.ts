import { describe, expect, it } from "vitest";
import { CODES, exhaustiveTopN, type ItemGraph, itemBonus, type SidTable, scoreRow } from "./decode.ts";
import { graphDecode } from "./graph.ts";

// Two digits; digit 0 prefers code 1, digit 1 prefers code 2.
function table(): Float32Array {
  const lp = new Float32Array(2 * CODES).fill(-10);
  lp[1] = -0.1;
  lp[2] = -1;
  lp[CODES + 2] = -0.2;
  lp[CODES + 3] = -2;
  return lp;
}
// rows 1..5 (row 0 padding), scores falling with the row: 1: -0.15, 2: -0.6, 3: -1.05, 4: -5.05, 5: -10
const sids: SidTable = { codes: Uint8Array.from([0, 0, 1, 2, 2, 2, 1, 3, 1, 0, 0, 0]), digits: 2, rows: 6 };
// A chain graph 5 -> 4 -> 3 -> 2 -> 1 (each row also lists itself).
const chain: ItemGraph = {
  indptr: Int32Array.from([0, 0, 1, 3, 5, 7, 9]),
  indices: Int32Array.from([1, 2, 1, 3, 2, 4, 3, 5, 4]),
};

describe("RPG scoring", () => {
  it("averages the log-probabilities of an item's codes", () => {
    expect(scoreRow(table(), sids, 1)).toBeCloseTo((-0.1 + -0.2) / 2, 6);
    expect(scoreRow(table(), sids, 4)).toBeCloseTo((-0.1 + -10) / 2, 6);
  });

  it("ranks every item exhaustively, skipping padding and excluded rows", () => {
    expect(exhaustiveTopN(table(), sids, 3).map((r) => r.row)).toEqual([1, 2, 3]);
    expect(exhaustiveTopN(table(), sids, 2, (r) => r === 1).map((r) => r.row)).toEqual([2, 3]);
    expect(exhaustiveTopN(table(), sids, 10)).toHaveLength(5);
  });

  it("adds a set's bonus: the text term where a row has a vector, the repeat bias on history rows", () => {
    // text vectors for rows 0..4 (dim 2); row 5 was added at the edge after training and has none
    const vectors = Float32Array.from([0, 0, 1, 0, 0, 1, 0, 0, 0, 0]);
    const bonus = itemBonus({ vectors, dim: 2, query: Float32Array.from([0.5, 3]) }, null);
    expect([1, 2, 3, 5].map((r) => bonus?.(r))).toEqual([0.5, 3, 0, 0]);
    // row 2 (-0.6 + 3) now beats row 1 (-0.15 + 0.5); row 5 keeps its digit score
    expect(exhaustiveTopN(table(), sids, 2, undefined, bonus).map((r) => r.row)).toEqual([2, 1]);
    // its vector given at the edge (`added`, rows 5..): it gets the text term like a trained row
    const added = itemBonus(
      { vectors, dim: 2, query: Float32Array.from([0.5, 3]), added: Float32Array.from([2, 1]) },
      null,
    );
    expect([2, 5, 6].map((r) => added?.(r))).toEqual([3, 4, 0]); // row 6: beyond both tables
    const repeat = itemBonus(null, { bias: -1, rows: new Set([1]) });
    expect(exhaustiveTopN(table(), sids, 2, undefined, repeat).map((r) => r.row)).toEqual([2, 3]);
    expect(itemBonus(null, null)).toBeUndefined();
  });

  it("breaks ties by the lower row", () => {
    const twins: SidTable = { codes: Uint8Array.from([0, 0, 7, 7, 1, 2, 7, 7]), digits: 2, rows: 4 };
    expect(exhaustiveTopN(table(), twins, 3).map((r) => r.row)).toEqual([2, 1, 3]);
  });
});

describe("graph-constrained decoding", () => {
  it("walks the graph from a far start to the best items, one hop per step", () => {
    const oneStep = graphDecode({
      logprobs: table(),
      sids,
      graph: chain,
      initialBeam: [5],
      beam: 1,
      steps: 1,
      n: 1,
    });
    expect(oneStep.items.map((r) => r.row)).toEqual([4]);
    const four = graphDecode({
      logprobs: table(),
      sids,
      graph: chain,
      initialBeam: [5],
      beam: 1,
      steps: 4,
      n: 1,
    });
    expect(four.items.map((r) => r.row)).toEqual([1]);
    expect(four.scored).toBe(5);
  });

  it("keeps excluded rows out of the beam entirely", () => {
    const res = graphDecode({
      logprobs: table(),
      sids,
      graph: chain,
      initialBeam: [3, 1],
      beam: 2,
      steps: 3,
      n: 2,
      exclude: (r) => r === 1,
    });
    expect(res.items.map((r) => r.row)).toEqual([2, 3]);
  });

  it("matches exhaustive scoring when the graph is complete", () => {
    const all = [1, 2, 3, 4, 5];
    const complete: ItemGraph = {
      indptr: Int32Array.from([0, 0, 5, 10, 15, 20, 25]),
      indices: Int32Array.from([...all, ...all, ...all, ...all, ...all]),
    };
    const res = graphDecode({
      logprobs: table(),
      sids,
      graph: complete,
      initialBeam: [4],
      beam: 3,
      steps: 1,
      n: 3,
    });
    expect(res.items).toEqual(exhaustiveTopN(table(), sids, 3));
  });

  it("gives every call the same answer and cost, whatever ran before on the same table", () => {
    const opts = { logprobs: table(), sids, graph: chain, initialBeam: [5, 4], beam: 2, steps: 2, n: 2 };
    const first = graphDecode(opts);
    graphDecode({ ...opts, initialBeam: [1], exclude: (r: number) => r === 2 });
    graphDecode({ ...opts, logprobs: new Float32Array(2 * CODES) }); // other scores, same rows
    expect(graphDecode(opts)).toEqual(first);
    expect(first.scored).toBe(4); // rows 5, 4, 3, 2: each scored once across both steps
  });

  it("refuses a beam narrower than the answer", () => {
    expect(() =>
      graphDecode({ logprobs: table(), sids, graph: chain, initialBeam: [1], beam: 1, steps: 1, n: 2 }),
    ).toThrow(/beam/);
  });
});

describe("decode mode", () => {
  it("scores small catalogues exhaustively and walks the graph for large ones, unless forced", async () => {
    const { decodeMode } = await import("./recommend.ts");
    expect(decodeMode("auto", 12_101, 32)).toBe("exhaustive");
    expect(decodeMode(undefined, 1_000_000, 32)).toBe("graph");
    expect(decodeMode("graph", 100, 8)).toBe("graph");
    expect(decodeMode("exhaustive", 1_000_000, 64)).toBe("exhaustive");
  });
});
