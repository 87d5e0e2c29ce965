import { Liveness, Readiness } from "@genrec/shared";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../env.ts";
import { VERSION } from "../../version.ts";

const health = createRoute({
  method: "get",
  path: "/health",
  summary: "Liveness: the Worker answers (touches no binding)",
  tags: ["ops"],
  responses: { 200: { description: "alive", content: { "application/json": { schema: Liveness } } } },
});

const ready = createRoute({
  method: "get",
  path: "/ready",
  summary: "Readiness: D1 and R2 answer; names the live model version",
  tags: ["ops"],
  responses: {
    200: { description: "ready", content: { "application/json": { schema: Readiness } } },
    503: { description: "a binding is down", content: { "application/json": { schema: Readiness } } },
  },
});

async function probe(check: () => Promise<unknown>): Promise<boolean> {
  try {
    await check();
    return true;
  } catch {
    return false;
  }
}

export function healthRoutes(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(health, (c) => {
    // The local launcher's proof that this port is answered by the process it started.
    if (c.env.GENREC_INSTANCE) c.header("x-genrec-instance", c.env.GENREC_INSTANCE);
    return c.json({ status: "ok" as const, version: VERSION }, 200);
  });
  app.openapi(ready, async (c) => {
    let liveModel: string | null = null;
    const d1 = await probe(async () => {
      const row = await c.env.DB.prepare("SELECT version FROM model_versions WHERE live = 1").first<{
        version: string;
      }>();
      liveModel = row?.version ?? null;
    });
    const r2 = await probe(() => c.env.ARTIFACTS.head("live-probe"));
    const body = {
      status: d1 && r2 ? ("ready" as const) : ("degraded" as const),
      version: VERSION,
      live_model: liveModel,
      checks: { d1, r2 },
    };
    return d1 && r2 ? c.json(body, 200) : c.json(body, 503);
  });
  return app;
}
