import { DENOISE_MAX_HISTORY, type FallbackReason, type RecommendResponse } from "@genrec/shared";
import { ApiError } from "../errors/api-error.ts";
import { getModelVersion, liveModelVersion, type ModelVersionRow } from "../storage/models.ts";
import { diffgrmRecommend } from "./diffgrm/recommend.ts";
import { liveVersion } from "./live/index.ts";
import { withLiveOverlay } from "./overlay/cache.ts";
import { topN } from "./popularity/cache.ts";
import type { RecommendInput, Serving } from "./serving.ts";
import { recommendFromSet, servedFromSet } from "./sets/serve.ts";

const POPULARITY_VERSION = "builtin-popularity";
/** Popularity ranks without a history; a stored user's newest 50 items are read all the same. */
const POPULARITY_HISTORY = 50;

/**
 * The requested version (404 when unknown), else the live one, else null (no model is live). With
 * `services` the live one comes from the isolate's cache (liveVersion); without, from D1.
 */
export async function resolveVersion(
  db: D1Database,
  requested: string | undefined,
  services?: Pick<Serving, "live">,
): Promise<ModelVersionRow | null> {
  if (!requested) return services ? liveVersion(db, services) : liveModelVersion(db);
  const row = await getModelVersion(db, requested);
  if (!row) throw ApiError.notFound(`unknown model version '${requested}'`);
  return row;
}

/**
 * How many of a user's newest items `version` reads: an artifact set's `max_len` (its manifest),
 * the denoise RPC's history limit for DiffGRM, and POPULARITY_HISTORY when no model is live.
 */
export async function historyLength(
  env: Env,
  services: Serving,
  version: ModelVersionRow | null,
): Promise<number> {
  if (version && servedFromSet(version.model))
    return (await services.artifacts.get(env.ARTIFACTS, version.version)).manifest.max_len;
  if (version?.model === "diffgrm") return DENOISE_MAX_HISTORY;
  return POPULARITY_HISTORY;
}

/**
 * Answers a recommendation from `version` (resolveVersion's answer), else popularity. Every answer
 * names the version that produced it and carries a fresh recommendation id for feedback joins. A
 * user without stored events (unknown_user), or a history of nothing but unknown items
 * (unknown_items), is answered by popularity with that reason in `fallback`; unknown items among
 * known ones are listed in `unknown_items` and left to the model, which ignores what it cannot use.
 */
export async function recommend(
  env: Env,
  services: Serving,
  version: ModelVersionRow | null,
  input: RecommendInput,
): Promise<RecommendResponse> {
  const unknown = input.unknownItems ?? [];
  const listed = unknown.length > 0 ? { unknown_items: unknown } : {};
  const allUnknown = unknown.length > 0 && input.history.every((id) => unknown.includes(id));
  const reason: FallbackReason | null =
    input.history.length === 0 ? "unknown_user" : allUnknown ? "unknown_items" : null;
  if (reason) {
    const answer = await recommendHere(
      env,
      services,
      version?.model === "popularity" ? version : null,
      input,
    );
    return {
      ...answer,
      ...listed,
      fallback: { from_version: version?.version ?? POPULARITY_VERSION, reason },
    };
  }
  const answer =
    version?.model === "diffgrm"
      ? await diffgrmRecommend(env, services, version, input, (here) =>
          recommendHere(env, services, here, input),
        )
      : await recommendHere(env, services, version, input);
  return { ...answer, ...listed };
}

/** A model served from this isolate: an artifact set of any kind, or popularity when `version` is null. */
async function recommendHere(
  env: Env,
  services: Serving,
  version: ModelVersionRow | null,
  input: RecommendInput,
): Promise<RecommendResponse> {
  if (version && servedFromSet(version.model)) {
    const loaded = await services.artifacts.get(env.ARTIFACTS, version.version);
    // RPG serves the items added after training too (overlay/: cold-start SIDs from D1)
    const set = loaded.kind === "rpg" ? await withLiveOverlay(env.DB, loaded) : loaded;
    return {
      recommendation_id: crypto.randomUUID(),
      model: set.manifest.model,
      model_version: version.version,
      items: await recommendFromSet(set, input, env.DECODE_MODE),
    };
  }
  if (version && version.model !== "popularity") {
    throw new ApiError(501, "not_implemented", `'${version.model}' is not served from this isolate`);
  }
  const exclude = input.excludeSeen ? new Set(input.history) : new Set<string>();
  const ranked = await services.popularity.ranked(env.DB);
  return {
    recommendation_id: crypto.randomUUID(),
    model: "popularity",
    model_version: version?.version ?? POPULARITY_VERSION,
    items: topN(ranked, input.n, exclude),
  };
}
