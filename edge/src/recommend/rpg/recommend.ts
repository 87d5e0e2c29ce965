import type { ScoredItem } from "@genrec/shared";
import { historyRows } from "../sets/history.ts";
import type { LoadedArtifacts } from "./artifacts.ts";
import { exhaustiveTopN, type ItemGraph, type Ranked } from "./decode.ts";
import { graphDecode } from "./graph.ts";

export type DecodeMode = "graph" | "exhaustive";

/**
 * Below this many score lookups (items x digits), exact exhaustive scoring costs no more than the
 * graph walk: on Beauty (12,101 x 32) both took ~1.4 ms p50 in process with b 20, k 200, q 3
 * (bench/results/edge/load-beauty.json); at 1M items exhaustive took 63 ms and the walk from
 * `initialBeam` 0.23 ms (bench/results/rpg/decode-scale-1000000.json).
 */
export const EXHAUSTIVE_LOOKUPS = 2_000_000;

/** `auto` (the default) picks by catalogue size; `graph` and `exhaustive` force a decoder. */
export function decodeMode(setting: string | undefined, nItems: number, digits: number): DecodeMode {
  if (setting === "graph" || setting === "exhaustive") return setting;
  return nItems * digits <= EXHAUSTIVE_LOOKUPS ? "exhaustive" : "graph";
}

/** How many history items seed the initial beam with their graph neighbours. */
const SEED_ITEMS = 3;

/**
 * A deterministic initial beam: the most popular items plus the graph neighbours of the newest
 * history items. The paper starts from random items; this starts nearer the answer (see bench/).
 */
export function initialBeam(
  popular: Int32Array,
  graph: ItemGraph,
  rows: readonly number[],
  b: number,
): number[] {
  const seeds = new Set<number>(popular.subarray(0, b));
  for (const row of rows.slice(-SEED_ITEMS)) {
    const start = graph.indptr[row] as number;
    const end = Math.min(graph.indptr[row + 1] as number, start + b);
    for (let j = start; j < end; j++) seeds.add(graph.indices[j] as number);
  }
  return [...seeds];
}

/** One user: one model pass for the m x 256 table, then graph-constrained (or exhaustive) decoding. */
export async function rpgRecommend(
  art: LoadedArtifacts,
  history: readonly string[],
  n: number,
  excludeSeen: boolean,
  mode: DecodeMode,
): Promise<ScoredItem[]> {
  const { rows } = historyRows(art, art.manifest.max_len, history);
  // items added after training (overlay rows > N) are outside the model's own SID table
  const trained = history.filter((id) => (art.rowOf.get(id) ?? 0) <= art.manifest.n_items);
  const { input } = historyRows(art, art.manifest.max_len, trained);
  const logprobs = await art.model.run(input, 1);
  const seen = new Set(rows);
  const exclude = excludeSeen ? (row: number) => seen.has(row) : undefined;
  let ranked: Ranked[];
  if (mode === "exhaustive") {
    ranked = exhaustiveTopN(logprobs, art.sids, n, exclude);
  } else {
    const beam = Math.max(art.manifest.decode.beam, n);
    ranked = graphDecode({
      logprobs,
      sids: art.sids,
      graph: art.graph,
      initialBeam: initialBeam(art.popular, art.graph, rows, beam),
      beam,
      steps: art.manifest.decode.steps,
      n,
      ...(exclude ? { exclude } : {}),
    }).items;
  }
  return ranked.map(({ row, score }) => ({ item_id: art.itemIds[row] as string, score }));
}
