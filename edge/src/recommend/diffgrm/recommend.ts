import type { FallbackReason, RecommendResponse } from "@genrec/shared";
import { ApiError } from "../../errors/api-error.ts";
import { getModelVersion, type ModelVersionRow } from "../../storage/models.ts";
import type { RecommendInput, Serving } from "../serving.ts";
import { remoteManifest, remoteRecommend } from "./remote.ts";

/**
 * DiffGRM through the GPU worker's denoise RPC. When the worker is slow, down or refuses, or its
 * circuit is open after repeated timeouts (services.breaker: the call is skipped, so a hung worker
 * costs nothing until the next probe), `answerHere` answers from the manifest's fallback version
 * (a version the edge serves: any artifact set, or popularity), else popularity, and the answer says which version it replaced
 * and why.
 */
export async function diffgrmRecommend(
  env: Env,
  services: Serving,
  version: ModelVersionRow,
  input: RecommendInput,
  answerHere: (version: ModelVersionRow | null) => Promise<RecommendResponse>,
): Promise<RecommendResponse> {
  const manifest = remoteManifest(version);
  const exclude = input.excludeSeen ? new Set(input.history) : new Set<string>();
  let reason: FallbackReason = "circuit_open";
  if (services.breaker.allow()) {
    try {
      const items = await remoteRecommend(env, services, manifest, input.history, input.n, exclude);
      services.breaker.record(false);
      return {
        recommendation_id: crypto.randomUUID(),
        model: "diffgrm",
        model_version: version.version,
        items,
      };
    } catch (err) {
      const timedOut = err instanceof ApiError && err.code === "upstream_timeout";
      services.breaker.record(timedOut);
      if (!(err instanceof ApiError)) throw err;
      reason = err.code;
    }
  }
  const fallback = manifest.fallback_version
    ? await getModelVersion(env.DB, manifest.fallback_version)
    : null;
  const answer = await answerHere(fallback && fallback.model !== "diffgrm" ? fallback : null);
  return { ...answer, fallback: { from_version: version.version, reason } };
}
