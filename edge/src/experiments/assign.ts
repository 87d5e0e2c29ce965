import { POPULARITY_VERSION, type RecommendResponse, type ServedArm } from "@genrec/shared";
import type { Context } from "hono";
import type { AppEnv } from "../env.ts";
import { resolveVersion } from "../recommend/index.ts";
import type { ModelVersionRow } from "../storage/models.ts";
import { experimentCache } from "./cache.ts";
import { pickArm } from "./hash.ts";
import { recordServed } from "./served.ts";

export interface Assignment {
  /** What serves: a version row, or null for popularity (as resolveVersion answers). */
  version: ModelVersionRow | null;
  arm: ServedArm;
}

/**
 * The version that answers a routed request, wrapping resolveVersion: a requested version is
 * `pinned`; else a request with a key (user id, session key) inside the running experiment gets its
 * arm's version; else the live version (`live`). The experiment is cached (cache.ts), so the live
 * path costs what resolveVersion costs.
 */
export async function assignVersion(
  c: Context<AppEnv>,
  requested: string | undefined,
  key: string | undefined,
): Promise<Assignment> {
  if (requested)
    return {
      version: await resolveVersion(c.env.DB, requested, c.var.services),
      arm: { experiment_id: null, name: "pinned" },
    };
  const running = key === undefined ? null : await experimentCache(c.var.services).running(c.env.DB);
  if (running && key !== undefined) {
    const arm = pickArm(running.id, key, running.arms);
    const popularity = arm.version === POPULARITY_VERSION;
    // a version removed since the start serves as the live one would, still counted in its arm
    const version =
      arm.row ?? (popularity ? null : await resolveVersion(c.env.DB, undefined, c.var.services));
    return { version, arm: { experiment_id: running.id, name: arm.name } };
  }
  return {
    version: await resolveVersion(c.env.DB, undefined, c.var.services),
    arm: { experiment_id: null, name: "live" },
  };
}

/**
 * Labels an answer with its arm and records it for the metrics: after the response where the
 * runtime allows (waitUntil), else before it.
 */
export async function served(
  c: Context<AppEnv>,
  answer: RecommendResponse,
  { version, arm }: Assignment,
): Promise<RecommendResponse> {
  const write = recordServed(c.env.DB, answer, arm, version?.version ?? POPULARITY_VERSION);
  let ctx: { waitUntil(promise: Promise<unknown>): void } | undefined;
  try {
    ctx = c.executionCtx;
  } catch {
    ctx = undefined; // app.request() without an execution context (tests)
  }
  if (ctx) ctx.waitUntil(write.catch((err: unknown) => console.error("served row not recorded", err)));
  else await write;
  return { ...answer, arm };
}
