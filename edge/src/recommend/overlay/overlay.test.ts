import type { RpgManifest } from "@genrec/shared";
import { describe, expect, it } from "vitest";
import type { LoadedArtifacts } from "../rpg/artifacts.ts";
import { exhaustiveTopN, type ItemGraph } from "../rpg/decode.ts";
import { keepBest } from "../rpg/heap.ts";
import { type Codes, linkRows, similarity } from "./link.ts";
import { withOverlay } from "./view.ts";

const M = 3;

/** A deterministic generator (mulberry32), so the tables are the same on every run. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cosines of random unit code vectors: a real code-similarity table [M, 256, 256]. */
function cosineTables(rand: () => number, dim = 4): Float32Array {
  const table = new Float32Array(M * 256 * 256);
  for (let d = 0; d < M; d++) {
    const vecs = Array.from({ length: 256 }, () => {
      const v = Array.from({ length: dim }, () => rand() - 0.5);
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    });
    for (let a = 0; a < 256; a++)
      for (let b = 0; b < 256; b++)
        table[(d * 256 + a) * 256 + b] = vecs[a]?.reduce((s, x, i) => s + x * (vecs[b]?.[i] ?? 0), 0) ?? 0;
  }
  return table;
}

function randomCodes(rand: () => number, rows: number): Codes {
  const codes = new Uint8Array((rows + 1) * M);
  for (let i = M; i < codes.length; i++) codes[i] = Math.floor(rand() * 256);
  return { codes, digits: M };
}

/** What the exporter builds (genrec.rpg.graph): per row, itself first, then top-k by (sim desc, row asc). */
function rebuild(sim: Float32Array, t: Codes, k: number): ItemGraph {
  const n = t.codes.length / M - 1;
  const rows = Array.from({ length: n }, (_, i) => i + 1);
  const indptr = new Int32Array(n + 2);
  const out: number[] = [];
  for (let r = 1; r <= n; r++) {
    const score = (o: number) => (o === r ? Number.POSITIVE_INFINITY : similarity(sim, t, r, o));
    out.push(...keepBest(rows, score, k).map((x) => x.row));
    indptr[r + 1] = out.length;
  }
  return { indptr, indices: Int32Array.from(out) };
}

describe("linking new items into the item graph", () => {
  it("gives the graph a rebuild with the new items would give", () => {
    const rand = rng(7);
    const sim = cosineTables(rand);
    const all = randomCodes(rand, 40); // rows 1..34 trained, 35..40 added later
    const base = { codes: all.codes.slice(0, 35 * M), digits: M };
    for (const k of [5, 12, 40]) {
      const linked = linkRows(rebuild(sim, base, k), sim, all, 34, k);
      expect(linked).toEqual(rebuild(sim, all, k));
    }
  });
});

function fixtureSet(withSim: boolean): LoadedArtifacts {
  const rand = rng(3);
  const sim = cosineTables(rand);
  const sids = randomCodes(rand, 10);
  const graph = rebuild(sim, sids, 4);
  const itemIds = ["", ...Array.from({ length: 10 }, (_, i) => `I${i + 1}`)];
  const manifest = { version: "rpg-o", n_items: 10, digits: M, decode: { beam: 5, neighbours: 4, steps: 2 } };
  return {
    kind: "rpg",
    manifest: manifest as RpgManifest,
    itemIds,
    rowOf: new Map(itemIds.map((id, row) => [id, row] as const).filter(([, row]) => row > 0)),
    sids: { ...sids, rows: 11 },
    graph,
    popular: Int32Array.from([1, 2, 3]),
    graphScores: null,
    codeSim: withSim ? sim : null,
    text: null,
    addedText: null,
    model: {
      digits: M,
      text: null,
      run: () => Promise.reject(new Error("withOverlay never runs the model")),
    },
  };
}

describe("an RPG set with cold-start items", () => {
  it("scores a new item by its codes alone and lists it beside its twin", () => {
    const art = fixtureSet(true);
    const twin = Array.from(art.sids.codes.subarray(4 * M, 5 * M)); // I4's SID
    const view = withOverlay(art, [
      { itemId: "NEW-1", codes: twin },
      { itemId: "I2", codes: [1, 2, 3] }, // known: keeps its trained SID
      { itemId: "NEW-2", codes: [1, 2] }, // wrong length: left out
    ]);
    expect(view.itemIds).toEqual([...art.itemIds, "NEW-1"]);
    expect(view.rowOf.get("NEW-1")).toBe(11);
    expect(view.rowOf.get("I2")).toBe(2);
    expect(view.sids.rows).toBe(12);
    const logprobs = Float32Array.from({ length: M * 256 }, (_, i) => -((i * 7919) % 101) / 10);
    const ranked = exhaustiveTopN(logprobs, view.sids, 11);
    const at = ranked.findIndex((r) => r.row === 4);
    expect(ranked[at + 1]).toEqual({ row: 11, score: ranked[at]?.score }); // equal score, later row
    const own = view.graph.indices.subarray(view.graph.indptr[11], view.graph.indptr[12]);
    expect(Array.from(own.subarray(0, 2))).toEqual([11, 4]); // itself, then its twin (sim 1)
    const fours = view.graph.indices.subarray(view.graph.indptr[4], view.graph.indptr[5]);
    expect(Array.from(fours.subarray(0, 2))).toEqual([4, 11]); // and the twin lists it
    expect(art.sids.rows).toBe(11); // the loaded set itself is unchanged
  });

  it("without code cosines, adds the rows unlinked (exhaustive scoring still ranks them)", () => {
    const art = fixtureSet(false);
    const view = withOverlay(art, [{ itemId: "NEW-1", codes: [9, 9, 9] }]);
    expect(view.graph.indptr).toHaveLength(13);
    expect(view.graph.indptr[12]).toBe(view.graph.indptr[11]);
    expect(view.graph.indices).toBe(art.graph.indices);
    expect(withOverlay(art, [])).toBe(art);
  });
});
