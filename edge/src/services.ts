import type { Services } from "./env.ts";
import { PopularityCache } from "./recommend/popularity/cache.ts";
import { ArtifactCache } from "./recommend/rpg/cache.ts";
import { CircuitBreaker } from "./rpc/breaker.ts";
import { createRpcClient } from "./rpc/client.ts";

export interface ServiceOptions {
  popularityTtlMs?: number;
  rpcTimeoutMs?: number;
  /** Denoise timeouts in a row that open the worker's circuit, and how long it stays open. */
  breakerThreshold?: number;
  breakerCooldownMs?: number;
}

export function createServices({
  popularityTtlMs = 60_000,
  rpcTimeoutMs = 10_000,
  breakerThreshold = 3,
  breakerCooldownMs = 30_000,
}: ServiceOptions = {}): Services {
  return {
    breaker: new CircuitBreaker(breakerThreshold, breakerCooldownMs),
    popularity: new PopularityCache(popularityTtlMs),
    artifacts: new ArtifactCache(),
    rpc: (env) =>
      createRpcClient({ baseUrl: env.GPU_WORKER_URL, token: env.GPU_WORKER_TOKEN, timeoutMs: rpcTimeoutMs }),
  };
}
