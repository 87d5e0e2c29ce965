import { z } from "zod";
import { ArtifactVersion, ItemId, ModelKind, ScoredItem } from "./common.ts";
import { define } from "./registry.ts";

const Count = z.int().min(1).max(100);
const N = Count.default(10);

/** Query string of `GET /v1/users/{user_id}/recommendations` (strings on the wire, coerced). */
export const RecommendQuery = z.strictObject({
  n: z.coerce.number<string>().pipe(Count).optional(),
  exclude_seen: z.stringbool().optional(),
  model_version: ArtifactVersion.optional(),
});

export const SessionRecommendRequest = define(
  "SessionRecommendRequest",
  "Recommendations for an anonymous session: the history travels in the body, oldest first.",
  z.strictObject({
    history: z.array(ItemId).min(1).max(200),
    n: N,
    exclude_seen: z.boolean().default(true),
    model_version: ArtifactVersion.optional(),
  }),
);
export type SessionRecommendRequest = z.infer<typeof SessionRecommendRequest>;

export const RecommendResponse = define(
  "RecommendResponse",
  "Ranked items, best first, with the model version that produced them.",
  z.strictObject({
    recommendation_id: z.string(),
    model: ModelKind,
    model_version: z.string(),
    items: z.array(ScoredItem),
    fallback: define(
      "RecommendFallback",
      "Present when the requested model could not answer and another one did.",
      z.strictObject({
        from_version: z.string(),
        reason: z.string().describe("why: an error code such as upstream_timeout, or empty_history"),
      }),
    ).optional(),
  }),
);
export type RecommendResponse = z.infer<typeof RecommendResponse>;
