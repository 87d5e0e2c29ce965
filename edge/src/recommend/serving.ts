import type { CircuitBreaker } from "../rpc/breaker.ts";
import type { RpcClient } from "../rpc/client.ts";
import type { LiveVersionCache } from "./live/index.ts";
import type { PopularityCache } from "./popularity/cache.ts";
import type { ArtifactCache } from "./sets/cache.ts";

/**
 * What serving reads between requests: the isolate's caches and the GPU worker's RPC client. The
 * app's services (edge/src/env.ts) are exactly this; declared here so that recommend/ depends on
 * nothing above it.
 */
export interface Serving {
  /** The live version's row (live/index.ts: liveVersion reads it). */
  live: LiveVersionCache;
  popularity: PopularityCache;
  artifacts: ArtifactCache;
  rpc(env: Env): RpcClient;
  /** Per isolate: skips the worker's denoise call after repeated timeouts (rpc/breaker.ts). */
  breaker: CircuitBreaker;
}

/** One recommendation request, whichever model answers it. */
export interface RecommendInput {
  /** Item ids, oldest first. */
  history: string[];
  n: number;
  excludeSeen: boolean;
  /** History items the edge has no record of (session requests; see storage/items.ts unknownItems). */
  unknownItems?: string[];
}
