import { z } from "zod";
import { ArtifactVersion, ItemId, ModelKind, QueryBool, queryInt, ScoredItem, UserId } from "./common.ts";
import { ErrorCode } from "./errors.ts";
import { ServedArm } from "./experiments.ts";
import { define } from "./registry.ts";

const N = z.int().min(1).max(100).default(10);

/** Query string of `GET /v1/users/{user_id}/recommendations` (strings on the wire, coerced). */
export const RecommendQuery = z.strictObject({
  n: queryInt(100).optional(),
  exclude_seen: QueryBool.optional(),
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
    session_key: UserId.optional().describe(
      "a stable key of the session: it assigns the session to an experiment arm (without one, the live version answers)",
    ),
  }),
);
export type SessionRecommendRequest = z.infer<typeof SessionRecommendRequest>;

/** Why another model answered: the worker's error code, its open circuit, or what the edge did not know. */
export const FallbackReason = z.enum([...ErrorCode.options, "circuit_open", "unknown_user", "unknown_items"]);
export type FallbackReason = z.infer<typeof FallbackReason>;

export const RecommendResponse = define(
  "RecommendResponse",
  "Ranked items, best first, with the model version that produced them.",
  z.strictObject({
    recommendation_id: z.string(),
    model: ModelKind,
    model_version: z.string(),
    items: z.array(ScoredItem),
    unknown_items: z
      .array(ItemId)
      .optional()
      .describe(
        "history items the edge has no record of (in no catalogue item and no event): the model ignored them",
      ),
    fallback: define(
      "RecommendFallback",
      "Present when the requested (or live) model did not answer and popularity or the version's " +
        "fallback did: the worker failed (its error code), its circuit is open after repeated timeouts " +
        "(circuit_open), the user has no stored events (unknown_user), or no history item is known " +
        "(unknown_items, listed in `unknown_items`); the last two are answered by popularity.",
      z.strictObject({ from_version: z.string(), reason: FallbackReason }),
    ).optional(),
    arm: ServedArm.optional().describe("which experiment arm served this answer; set on every routed answer"),
  }),
);
export type RecommendResponse = z.infer<typeof RecommendResponse>;
