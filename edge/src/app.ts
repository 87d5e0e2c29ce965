import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { dashboardRoutes } from "./dashboard/index.ts";
import type { AppEnv } from "./env.ts";
import { ApiError } from "./errors/api-error.ts";
import { notFoundHandler, onError } from "./errors/on-error.ts";
import { validationHook } from "./errors/validation-hook.ts";
import { openApiDocument } from "./openapi/document.ts";
import { eventRoutes } from "./routes/events/index.ts";
import { experimentRoutes } from "./routes/experiments/index.ts";
import { healthRoutes } from "./routes/health/index.ts";
import { itemRoutes } from "./routes/items/index.ts";
import { jobRoutes } from "./routes/jobs/index.ts";
import { modelRoutes } from "./routes/models/index.ts";
import { publishRoutes } from "./routes/models/publish.ts";
import { recommendationRoutes } from "./routes/recommendations/index.ts";
import { userRoutes } from "./routes/users/index.ts";
import { createServices, type ServiceOptions } from "./services.ts";

export interface AppOptions extends ServiceOptions {
  /** Largest accepted request body. */
  maxBodyBytes?: number;
}

/** Builds the edge app: every route validated by the shared schemas and listed in /openapi.json. */
export function createApp({
  maxBodyBytes = 8 * 1024 * 1024,
  ...serviceOptions
}: AppOptions = {}): OpenAPIHono<AppEnv> {
  const services = createServices(serviceOptions);
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use(requestId());
  app.use(async (c, next) => {
    c.set("services", services);
    await next();
  });
  // Artifact uploads carry their own, larger limit (routes/models/publish.ts).
  const isUpload = (path: string) => /^\/v1\/models\/[^/]+\/files\//.test(path);
  const defaultLimit = bodyLimit({
    maxSize: maxBodyBytes,
    onError: () => {
      throw new ApiError(413, "payload_too_large", `request body exceeds ${maxBodyBytes} bytes`);
    },
  });
  app.use((c, next) => (isUpload(c.req.path) ? next() : defaultLimit(c, next)));
  app.onError(onError);
  app.notFound(notFoundHandler(() => app.routes));

  for (const routes of [
    healthRoutes,
    itemRoutes,
    eventRoutes,
    userRoutes,
    recommendationRoutes,
    modelRoutes,
    publishRoutes,
    jobRoutes,
    experimentRoutes,
  ]) {
    app.route("/", routes());
  }

  // HTML pages for people (admin-key login, session cookie), outside the OpenAPI document.
  app.route("/", dashboardRoutes());

  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  app.get("/openapi.json", (c) => c.json(openApiDocument(app)));
  return app;
}
