import type { Services } from "./env.ts";
import { PopularityCache } from "./recommend/popularity/cache.ts";
import { ArtifactCache } from "./recommend/sets/cache.ts";
import { CircuitBreaker } from "./rpc/breaker.ts";
import { createRpcClient } from "./rpc/client.ts";
import { DEFAULT_SETTINGS, type Settings } from "./settings.ts";

/** The Worker's settings (settings.ts, from its vars in index.ts) and what tests set besides. */
export interface ServiceOptions extends Partial<Settings> {
  popularityTtlMs?: number;
  rpcTimeoutMs?: number;
}

export function createServices({
  popularityTtlMs = 60_000,
  rpcTimeoutMs = 10_000,
  breakerThreshold = DEFAULT_SETTINGS.breakerThreshold,
  breakerCooldownMs = DEFAULT_SETTINGS.breakerCooldownMs,
  registerProbeMs = DEFAULT_SETTINGS.registerProbeMs,
}: ServiceOptions = {}): Services {
  return {
    breaker: new CircuitBreaker(breakerThreshold, breakerCooldownMs),
    popularity: new PopularityCache(popularityTtlMs),
    artifacts: new ArtifactCache(),
    registerProbeMs,
    rpc: (env) =>
      createRpcClient({ baseUrl: env.GPU_WORKER_URL, token: env.GPU_WORKER_TOKEN, timeoutMs: rpcTimeoutMs }),
  };
}
