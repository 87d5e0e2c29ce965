import type { Services } from "./env.ts";
import { PopularityCache } from "./recommend/popularity/cache.ts";
import { ArtifactCache } from "./recommend/rpg/cache.ts";
import { createRpcClient } from "./rpc/client.ts";

export interface ServiceOptions {
  popularityTtlMs?: number;
  rpcTimeoutMs?: number;
}

export function createServices({
  popularityTtlMs = 60_000,
  rpcTimeoutMs = 10_000,
}: ServiceOptions = {}): Services {
  return {
    popularity: new PopularityCache(popularityTtlMs),
    artifacts: new ArtifactCache(),
    rpc: (env) =>
      createRpcClient({ baseUrl: env.GPU_WORKER_URL, token: env.GPU_WORKER_TOKEN, timeoutMs: rpcTimeoutMs }),
  };
}
