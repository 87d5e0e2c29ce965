import { ModelList, ModelVersion, VersionParam } from "@genrec/shared";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app.ts";
import { requireRole } from "../../auth/index.ts";
import { ApiError } from "../../errors/api-error.ts";
import { clientAuth, errors, ok } from "../../openapi/responses.ts";
import {
  activateModelVersion,
  getModelVersion,
  listModelVersions,
  type ModelVersionRow,
  previousModelVersion,
} from "../../storage/models.ts";

function toModelVersion(row: ModelVersionRow) {
  return {
    version: row.version,
    model: row.model,
    created_at: new Date(row.created_at).toISOString(),
    activated_at: row.activated_at === null ? null : new Date(row.activated_at).toISOString(),
    live: row.live === 1,
  };
}

const list = createRoute({
  method: "get",
  path: "/v1/models",
  summary: "Published model versions, newest first",
  tags: ["models"],
  security: clientAuth,
  middleware: [requireRole("client")] as const,
  responses: { ...ok(ModelList, "every version"), ...errors(401, 403) },
});

const activate = createRoute({
  method: "post",
  path: "/v1/models/{version}/activate",
  summary: "Make a published version the live one (admin)",
  tags: ["models"],
  security: clientAuth,
  middleware: [requireRole("admin")] as const,
  request: { params: VersionParam },
  responses: { ...ok(ModelVersion, "now live"), ...errors(400, 401, 403, 404) },
});

const rollback = createRoute({
  method: "post",
  path: "/v1/models/rollback",
  summary: "Make the previously live version live again (admin)",
  tags: ["models"],
  security: clientAuth,
  middleware: [requireRole("admin")] as const,
  responses: { ...ok(ModelVersion, "now live"), ...errors(401, 403, 409) },
});

async function activateAndRead(db: D1Database, version: string) {
  await activateModelVersion(db, version);
  const row = await getModelVersion(db, version);
  if (!row) throw ApiError.notFound(`unknown model version '${version}'`);
  return toModelVersion(row);
}

export function modelRoutes(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(list, async (c) =>
    c.json({ models: (await listModelVersions(c.env.DB)).map(toModelVersion) }, 200),
  );
  app.openapi(rollback, async (c) => {
    const previous = await previousModelVersion(c.env.DB);
    if (!previous) throw new ApiError(409, "conflict", "no previously live version to roll back to");
    return c.json(await activateAndRead(c.env.DB, previous.version), 200);
  });
  app.openapi(activate, async (c) => {
    const { version } = c.req.valid("param");
    if (!(await getModelVersion(c.env.DB, version)))
      throw ApiError.notFound(`unknown model version '${version}'`);
    return c.json(await activateAndRead(c.env.DB, version), 200);
  });
  return app;
}
