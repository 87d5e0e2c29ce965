import type { RpgManifest, ScoredItem } from "@genrec/shared";
import { historyRows } from "../sets/history.ts";
import { type LoadedArtifacts, lastTextOf } from "./artifacts.ts";
import { exhaustiveTopN, type ItemGraph, itemBonus, type Ranked } from "./decode.ts";
import { graphDecode } from "./graph.ts";

export type DecodeMode = "graph" | "exhaustive";

/**
 * Below this many score lookups (items x digits), exact exhaustive scoring costs no more than the
 * graph walk: on Beauty (12,101 x 32) both took ~1.4 ms p50 in process with b 20, k 200, q 3
 * (bench/results/edge/load-beauty.json); at 1M items exhaustive took 63 ms and the walk from
 * `initialBeam` 0.23 ms (bench/results/rpg/decode-scale-1000000.json).
 */
export const EXHAUSTIVE_LOOKUPS = 2_000_000;

/**
 * `auto` (the default) picks by the cost of scoring every item, `perItem` values each (the digits,
 * plus the text vector's width for a set with a text term); `graph` and `exhaustive` force a decoder.
 */
export function decodeMode(setting: string | undefined, nItems: number, perItem: number): DecodeMode {
  if (setting === "graph" || setting === "exhaustive") return setting;
  return nItems * perItem <= EXHAUSTIVE_LOOKUPS ? "exhaustive" : "graph";
}

/** The decoder for a set: its items cost a lookup per digit and, with a text term, a product per dim. */
export function setDecodeMode(
  setting: string | undefined,
  manifest: Pick<RpgManifest, "n_items" | "digits" | "text">,
): DecodeMode {
  return decodeMode(setting, manifest.n_items, manifest.digits + (manifest.text?.dim ?? 0));
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

/**
 * One user: one model pass for the m x 256 table (and the text query of a set with a text term), then
 * graph-constrained (or exhaustive) decoding.
 */
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
  const model = historyRows(art, art.manifest.max_len, trained);
  const { logprobs, textQuery } = await art.model.run(model.input, 1, lastTextOf(art, model.rows));
  const seen = new Set(rows);
  const exclude = excludeSeen ? (row: number) => seen.has(row) : undefined;
  const bonus = setBonus(art, textQuery, excludeSeen ? null : model.input);
  let ranked: Ranked[];
  if (mode === "exhaustive") {
    ranked = exhaustiveTopN(logprobs, art.sids, n, exclude, bonus);
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
      ...(bonus ? { bonus } : {}),
    }).items;
  }
  return ranked.map(({ row, score }) => ({ item_id: art.itemIds[row] as string, score }));
}

/**
 * The set's bonus for one request: the text term from the model's query, and the repeat bias on the
 * rows of the model's input (`input`, null when seen items are filtered out and it cannot matter).
 */
function setBonus(art: LoadedArtifacts, query: Float32Array | null, input: BigInt64Array | null) {
  const text =
    art.text && query ? { vectors: art.text, dim: query.length, query, added: art.addedText } : null;
  const bias = art.manifest.repeat_bias;
  const repeat =
    bias !== undefined && input
      ? { bias, rows: new Set(Array.from(input, Number).filter((row) => row > 0)) }
      : null;
  return itemBonus(text, repeat);
}
