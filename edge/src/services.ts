import type { Services } from "./env.ts";
import { LiveVersionCache } from "./recommend/live/index.ts";
import { PopularityCache } from "./recommend/popularity/cache.ts";
import { ArtifactCache } from "./recommend/sets/cache.ts";
import { CircuitBreaker } from "./rpc/breaker.ts";
import { createRpcClient } from "./rpc/client.ts";
import { DEFAULT_SETTINGS, type Settings } from "./settings.ts";

/** The Worker's settings (settings.ts, from its vars in index.ts) and what tests set besides. */
export interface ServiceOptions extends Partial<Settings> {
  popularityTtlMs?: number;
  /** How long another isolate's activation may go unseen here (recommend/live/index.ts). */
  liveTtlMs?: number;
  rpcTimeoutMs?: number;
}

export function createServices({
  popularityTtlMs = 60_000,
  liveTtlMs = 5_000,
  rpcTimeoutMs = 10_000,
  breakerThreshold = DEFAULT_SETTINGS.breakerThreshold,
  breakerCooldownMs = DEFAULT_SETTINGS.breakerCooldownMs,
  registerProbeMs = DEFAULT_SETTINGS.registerProbeMs,
}: ServiceOptions = {}): Services {
  return {
    breaker: new CircuitBreaker(breakerThreshold, breakerCooldownMs),
    live: new LiveVersionCache(liveTtlMs),
    popularity: new PopularityCache(popularityTtlMs),
    artifacts: new ArtifactCache(),
    registerProbeMs,
    rpc: (env) =>
      createRpcClient({ baseUrl: env.GPU_WORKER_URL, token: env.GPU_WORKER_TOKEN, timeoutMs: rpcTimeoutMs }),
  };
}
