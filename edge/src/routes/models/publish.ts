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
import { errors, guard, jsonBody, ok, samePathId } from "../../openapi/responses.ts";
import { artifactKey } from "../../recommend/sets/files.ts";
import { refuseRegistered, registerArtifactSet, registerRemote } from "./register.ts";
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
  request: { params: VersionParam, body: jsonBody(ArtifactManifest, samePathId("version", "version")) },
  responses: { ...ok(ModelVersion, "registered, not live"), ...errors(400, 401, 403, 409, 422) },
});

const remote = createRoute({
  method: "post",
  path: "/v1/models/{version}/remote",
  summary:
    "Register a model the GPU worker serves (DiffGRM) after one checked call (admin); it does not go live",
  tags: ["models"],
  ...guard("admin"),
  request: { params: VersionParam, body: jsonBody(RemoteModelManifest, samePathId("version", "version")) },
  responses: { ...ok(ModelVersion, "registered, not live"), ...errors(400, 401, 403, 409, 422, 502, 504) },
});

export function publishRoutes(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(upload, async (c) => {
    const { version, file } = c.req.valid("param");
    await refuseRegistered(c.env.DB, version);
    const body = await c.req.arrayBuffer();
    if (body.byteLength === 0) {
      throw ApiError.invalid("empty upload: the request body holds no bytes", [
        { code: "empty_body", path: ["body"], message: `send the bytes of ${file} as the request body` },
      ]);
    }
    await c.env.ARTIFACTS.put(artifactKey(version, file), body);
    return c.json({ file, bytes: body.byteLength }, 200);
  });
  app.openapi(register, async (c) => {
    const row = await registerArtifactSet(c.env, c.req.valid("param").version, c.req.valid("json"));
    return c.json(toModelVersion(row), 200);
  });
  app.openapi(remote, async (c) => {
    const { version } = c.req.valid("param");
    const row = await registerRemote(c.env, c.var.services, version, c.req.valid("json"));
    return c.json(toModelVersion(row), 200);
  });
  return app;
}
