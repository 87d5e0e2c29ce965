import { describe, expect, it } from "vitest";
import vectors from "../../../test/vectors/rpg-decode.json";
import { CODES, exhaustiveTopN, type ItemGraph, type SidTable } from "./decode.ts";
import { graphDecode } from "./graph.ts";

// Written by `python -m genrec.tools.rpg_decode_vectors` from the Python decoder (genrec/rpg/decode.py); the
// Python tests check the same file, so the two decoders agree through it.
const sids: SidTable = {
  codes: Uint8Array.from(vectors.sids.flat()),
  digits: vectors.digits,
  rows: vectors.n_items + 1,
};
const graph: ItemGraph = {
  indptr: Int32Array.from(vectors.graph.indptr),
  indices: Int32Array.from(vectors.graph.indices),
};

describe("TypeScript decoder = Python decoder on committed vectors", () => {
  it.each(vectors.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(c.logprobs).toHaveLength(vectors.digits);
    for (const digit of c.logprobs) expect(digit).toHaveLength(CODES);
    const logprobs = Float32Array.from(c.logprobs.flat());
    const excluded = new Set<number>(c.exclude);
    const exclude = excluded.size ? (row: number) => excluded.has(row) : undefined;

    const exhaustive = exhaustiveTopN(logprobs, sids, c.n, exclude);
    expect(exhaustive.map((r) => r.row)).toEqual(c.expected.exhaustive.rows);
    const graphTop = graphDecode({
      logprobs,
      sids,
      graph,
      initialBeam: c.initial_beam,
      beam: c.b,
      steps: c.q,
      n: c.n,
      ...(exclude ? { exclude } : {}),
    });
    expect(graphTop.items.map((r) => r.row)).toEqual(c.expected.graph.rows);
    // Scores: the same sums over float32 log-probabilities (float32 input rounding allows ~1e-6).
    exhaustive.forEach((r, i) => {
      expect(r.score).toBeCloseTo(c.expected.exhaustive.scores[i] as number, 5);
    });
  });
});
