import type { OpenAPIHono } from "@hono/zod-openapi";
import { VERSION } from "../version.ts";

/** The OpenAPI 3.1 document of every route registered with `app.openapi(...)`. */
// biome-ignore lint/suspicious/noExplicitAny: accepts the app whatever its env type
export function openApiDocument(app: OpenAPIHono<any>): unknown {
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "genrec-edge API",
      version: VERSION,
      description: "Generative recommendations at the edge. Errors use the ErrorEnvelope shape.",
    },
  });
}
