import {
  ArtifactFileName,
  ArtifactManifest,
  ArtifactUploadResult,
  ModelVersion,
  RemoteModelManifest,
  VersionParam,
} from "@genrec/shared";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import { requireRole } from "../../auth/index.ts";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors/api-error.ts";
import { loadLogprobModel } from "../../inference/ort.ts";
import { errors, guard, jsonBody, ok } from "../../openapi/responses.ts";
import { checkRemoteModel } from "../../recommend/diffgrm/remote.ts";
import { ArtifactError, artifactKey, loadArtifacts } from "../../recommend/rpg/artifacts.ts";
import { getModelVersion, insertModelVersion } from "../../storage/models.ts";
import { toModelVersion } from "./view.ts";

/** Workers accept request bodies up to 100 MB (paid plan); an artifact file must fit in one. */
const MAX_ARTIFACT_FILE_BYTES = 100 * 1024 * 1024;

const upload = createRoute({
  method: "put",
  path: "/v1/models/{version}/files/{file}",
  summary: "Upload one file of an unregistered artifact set (admin)",
  tags: ["models"],
  security: guard("admin").security,
  middleware: [
    requireRole("admin"),
    bodyLimit({
      maxSize: MAX_ARTIFACT_FILE_BYTES,
      onError: () => {
        throw new ApiError(413, "payload_too_large", "artifact file too large");
      },
    }),
  ] as const,
  request: {
    params: z.strictObject({
      version: VersionParam.shape.version,
      file: ArtifactFileName.exclude(["manifest.json"]),
    }),
    body: { content: { "application/octet-stream": { schema: z.any() } }, required: true },
  },
  responses: {
    ...ok(ArtifactUploadResult, "stored"),
    ...errors(400, 401, 403, 409, 413),
  },
});

const register = createRoute({
  method: "post",
  path: "/v1/models/{version}",
  summary: "Register an uploaded artifact set after validating it (admin); it does not go live",
  tags: ["models"],
  ...guard("admin"),
  request: { params: VersionParam, body: jsonBody(ArtifactManifest) },
  responses: { ...ok(ModelVersion, "registered, not live"), ...errors(400, 401, 403, 409, 422) },
});

const registerRemote = createRoute({
  method: "post",
  path: "/v1/models/{version}/remote",
  summary:
    "Register a model the GPU worker serves (DiffGRM) after one checked call (admin); it does not go live",
  tags: ["models"],
  ...guard("admin"),
  request: { params: VersionParam, body: jsonBody(RemoteModelManifest) },
  responses: { ...ok(ModelVersion, "registered, not live"), ...errors(400, 401, 403, 409, 422, 502, 504) },
});

function refuseOtherVersion(manifest: { version: string }, version: string): void {
  if (manifest.version !== version) {
    throw ApiError.invalid("manifest version differs from the path", [
      { code: "mismatch", path: ["json", "version"], message: `must equal '${version}'` },
    ]);
  }
}

/** A remote model's fallback must be a registered model the edge serves itself. */
async function checkFallback(db: D1Database, fallback: string | undefined): Promise<void> {
  if (fallback === undefined) return;
  const row = await getModelVersion(db, fallback);
  if (row === null || (row.model !== "rpg" && row.model !== "popularity")) {
    const why = row === null ? "is not registered" : `is a ${row.model} model`;
    throw new ApiError(422, "invalid_artifact", `fallback version '${fallback}' ${why}`, [
      {
        code: "invalid_fallback",
        path: ["json", "fallback_version"],
        message: "must be a registered rpg version",
      },
    ]);
  }
}

async function refuseRegistered(db: D1Database, version: string): Promise<void> {
  if (await getModelVersion(db, version)) {
    throw new ApiError(
      409,
      "conflict",
      `version '${version}' is registered and immutable; publish a new version`,
    );
  }
}

export function publishRoutes(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(upload, async (c) => {
    const { version, file } = c.req.valid("param");
    await refuseRegistered(c.env.DB, version);
    const body = await c.req.arrayBuffer();
    await c.env.ARTIFACTS.put(artifactKey(version, file), body);
    return c.json({ file, bytes: body.byteLength }, 200);
  });
  app.openapi(register, async (c) => {
    const { version } = c.req.valid("param");
    const manifest = c.req.valid("json");
    refuseOtherVersion(manifest, version);
    await refuseRegistered(c.env.DB, version);
    await c.env.ARTIFACTS.put(artifactKey(version, "manifest.json"), JSON.stringify(manifest));
    try {
      await loadArtifacts(c.env.ARTIFACTS, version, loadLogprobModel);
    } catch (err) {
      if (err instanceof ArtifactError) throw new ApiError(422, "invalid_artifact", err.message);
      throw err;
    }
    await insertModelVersion(c.env.DB, {
      version,
      model: manifest.model,
      manifest: JSON.stringify(manifest),
    });
    const row = await getModelVersion(c.env.DB, version);
    return c.json(toModelVersion(row as NonNullable<typeof row>), 200);
  });
  app.openapi(registerRemote, async (c) => {
    const { version } = c.req.valid("param");
    const manifest = c.req.valid("json");
    refuseOtherVersion(manifest, version);
    await refuseRegistered(c.env.DB, version);
    await checkFallback(c.env.DB, manifest.fallback_version);
    await checkRemoteModel(c.env, c.var.services, manifest);
    await insertModelVersion(c.env.DB, { version, model: "diffgrm", manifest: JSON.stringify(manifest) });
    const row = await getModelVersion(c.env.DB, version);
    return c.json(toModelVersion(row as NonNullable<typeof row>), 200);
  });
  return app;
}
