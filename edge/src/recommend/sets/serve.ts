import type { ModelKind, ScoredItem } from "@genrec/shared";
import { knnRecommend, knnSimilar } from "../knn/recommend.ts";
import { rpgRecommend, setDecodeMode } from "../rpg/recommend.ts";
import { similarItems } from "../rpg/similar.ts";
import { embeddingRecommend } from "../sasrec/recommend.ts";
import type { RecommendInput } from "../serving.ts";
import type { LoadedSet } from "./load.ts";

/** Kinds whose artifact sets this isolate serves (everything but GPU-served DiffGRM and popularity). */
export type SetKind = Exclude<ModelKind, "diffgrm" | "popularity">;

export function servedFromSet(model: ModelKind): model is SetKind {
  return model !== "diffgrm" && model !== "popularity";
}

/** One recommendation from a loaded set, by its kind; `decodeSetting` is RPG's DECODE_MODE. */
export async function recommendFromSet(
  set: LoadedSet,
  input: RecommendInput,
  decodeSetting: string | undefined,
): Promise<ScoredItem[]> {
  const { history, n, excludeSeen } = input;
  switch (set.kind) {
    case "rpg": {
      return rpgRecommend(set, history, n, excludeSeen, setDecodeMode(decodeSetting, set.manifest));
    }
    case "embedding":
      return embeddingRecommend(set, history, n, excludeSeen);
    case "knn":
      return knnRecommend(set, history, n, excludeSeen);
  }
}

/** Whether a set ships item lists for similar items: RPG's item graph, content kNN's neighbours. */
export function hasItemLists(set: LoadedSet): set is Exclude<LoadedSet, { kind: "embedding" }> {
  return set.kind !== "embedding";
}

/** An item's nearest items from a set's precomputed lists, itself excluded, in list order. */
export function similarFromSet(set: Exclude<LoadedSet, { kind: "embedding" }>, row: number, n: number) {
  return set.kind === "rpg" ? similarItems(set, row, n) : knnSimilar(set, row, n);
}
