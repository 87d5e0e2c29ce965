import { FetchInterceptor } from "@mswjs/interceptors/fetch";
import { defineNetwork, InterceptorSource } from "msw/experimental";
import { afterAll, afterEach, beforeAll } from "vitest";

/**
 * msw for tests inside workerd, where msw/node's http interceptors cannot load: only `fetch` is
 * intercepted. Outbound requests without a handler fail the test. For unreachable edges only
 * (the GPU worker on Modal, Cloudflare APIs) and fault injection.
 */
export const network = defineNetwork({
  sources: [new InterceptorSource({ interceptors: [new FetchInterceptor()] })],
  onUnhandledFrame: "error",
});

/** Registers enable/reset/disable hooks for the calling test file. */
export function useNetwork(): typeof network {
  beforeAll(() => network.enable());
  afterEach(() => network.resetHandlers());
  afterAll(() => network.disable());
  return network;
}
