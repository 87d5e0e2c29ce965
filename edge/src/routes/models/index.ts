import { ModelList, ModelVersion, VersionParam } from "@genrec/shared";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv, Services } from "../../env.ts";
import { ApiError } from "../../errors/api-error.ts";
import { errors, guard, ok } from "../../openapi/responses.ts";
import { checkRemoteModel, remoteManifest } from "../../recommend/diffgrm/remote.ts";
import { ArtifactError } from "../../recommend/sets/files.ts";
import {
  activateModelVersion,
  getModelVersion,
  listModelVersions,
  previousModelVersion,
} from "../../storage/models.ts";
import { caughtUp } from "../items/cold-start.ts";
import { toModelVersion } from "./view.ts";

const list = createRoute({
  method: "get",
  path: "/v1/models",
  summary: "Published model versions, newest first",
  tags: ["models"],
  ...guard("client"),
  responses: { ...ok(ModelList, "every version"), ...errors(401, 403) },
});

const activate = createRoute({
  method: "post",
  path: "/v1/models/{version}/activate",
  summary: "Make a published version the live one (admin)",
  tags: ["models"],
  ...guard("admin"),
  request: { params: VersionParam },
  responses: { ...ok(ModelVersion, "now live"), ...errors(400, 401, 403, 404, 422, 502, 504) },
});

const rollback = createRoute({
  method: "post",
  path: "/v1/models/rollback",
  summary: "Make the previously live version live again (admin)",
  tags: ["models"],
  ...guard("admin"),
  responses: { ...ok(ModelVersion, "now live"), ...errors(401, 403, 409, 422, 502, 504) },
});

/**
 * Activation loads and checks the set first (files, checksums, a smoke inference) in this isolate,
 * or, for a remote model, makes one checked call to the GPU worker, so a broken version never
 * becomes live; the previous live version stays as it was.
 */
async function activateAndRead(env: Env, services: Services, version: string) {
  const db = env.DB;
  const row = await getModelVersion(db, version);
  if (!row) throw ApiError.notFound(`unknown model version '${version}'`);
  if (row.model === "diffgrm") {
    await checkRemoteModel(env, services, remoteManifest(row), services.registerProbeMs);
  } else if (row.model !== "popularity") {
    try {
      await services.artifacts.get(env.ARTIFACTS, version);
    } catch (err) {
      if (err instanceof ArtifactError)
        throw new ApiError(422, "invalid_artifact", `cannot activate ${version}: ${err.message}`);
      throw err;
    }
  }
  const now = Date.now();
  try {
    await activateModelVersion(db, version, now);
  } finally {
    services.live.invalidate();
  }
  return toModelVersion({ ...row, live: 1, activated_at: now });
}

export function modelRoutes(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(list, async (c) =>
    c.json({ models: (await listModelVersions(c.env.DB)).map(toModelVersion) }, 200),
  );
  app.openapi(rollback, async (c) => {
    const previous = await previousModelVersion(c.env.DB);
    if (!previous) throw new ApiError(409, "conflict", "no previously live version to roll back to");
    const live = await activateAndRead(c.env, c.var.services, previous.version);
    await caughtUp(c); // cold start: catalogue items the version does not know
    return c.json(live, 200);
  });
  app.openapi(activate, async (c) => {
    const { version } = c.req.valid("param");
    const live = await activateAndRead(c.env, c.var.services, version);
    await caughtUp(c); // cold start: catalogue items the version does not know
    return c.json(live, 200);
  });
  return app;
}
