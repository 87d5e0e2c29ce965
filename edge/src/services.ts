import { ArtifactCache } from "./artifacts/cache.ts";
import { PopularityCache } from "./recommend/popularity.ts";
import { createRpcClient, type RpcClient } from "./rpc/client.ts";

export interface ServiceOptions {
  popularityTtlMs?: number;
  rpcTimeoutMs?: number;
}

/**
 * What an app instance keeps between requests: with one app per isolate (edge/src/index.ts) these
 * are the isolate's caches. Tests build a fresh app, so nothing leaks between them.
 */
export interface Services {
  popularity: PopularityCache;
  artifacts: ArtifactCache;
  rpc(env: Env): RpcClient;
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
