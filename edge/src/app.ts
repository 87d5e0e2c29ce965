import { OpenAPIHono } from "@hono/zod-openapi";
import { requestId } from "hono/request-id";
import { notFound, onError } from "./errors/on-error.ts";
import { validationHook } from "./errors/validation-hook.ts";
import { openApiDocument } from "./openapi/document.ts";
import { healthRoutes } from "./routes/health/index.ts";

export type AppEnv = { Bindings: Env };

/** Builds the edge app: every route validated by the shared schemas and listed in /openapi.json. */
export function createApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use(requestId());
  app.onError(onError);
  app.notFound(notFound);

  app.route("/", healthRoutes());

  app.get("/openapi.json", (c) => c.json(openApiDocument(app)));
  return app;
}
