import type { RpcClient } from "../rpc/client.ts";
import type { PopularityCache } from "./popularity/cache.ts";
import type { ArtifactCache } from "./rpg/cache.ts";

/**
 * What serving reads between requests: the isolate's caches and the GPU worker's RPC client. The
 * app's services (edge/src/env.ts) are exactly this; declared here so that recommend/ depends on
 * nothing above it.
 */
export interface Serving {
  popularity: PopularityCache;
  artifacts: ArtifactCache;
  rpc(env: Env): RpcClient;
}

/** One recommendation request, whichever model answers it. */
export interface RecommendInput {
  /** Item ids, oldest first. */
  history: string[];
  n: number;
  excludeSeen: boolean;
}
