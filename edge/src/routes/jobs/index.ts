import { Job, JobRef, SnapshotFileParam } from "@genrec/shared";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors/api-error.ts";
import { toIssues } from "../../errors/validation-hook.ts";
import { errors, guard, ok } from "../../openapi/responses.ts";
import { snapshotKey } from "../../storage/snapshot.ts";
import { trainRoute } from "./train.ts";

const status = createRoute({
  method: "get",
  path: "/v1/jobs/{job_id}",
  summary: "A training job's state, progress and log tail (admin)",
  tags: ["training"],
  ...guard("admin"),
  request: { params: JobRef },
  responses: { ...ok(Job, "the job"), ...errors(400, 401, 403, 404, 502, 504) },
});

const cancel = createRoute({
  method: "post",
  path: "/v1/jobs/{job_id}/cancel",
  summary: "Cancel a training job (admin)",
  tags: ["training"],
  ...guard("admin"),
  request: { params: JobRef },
  responses: { ...ok(Job, "the job"), ...errors(400, 401, 403, 404, 502, 504) },
});

const snapshotFile = createRoute({
  method: "get",
  path: "/v1/snapshots/{snapshot_id}/{file}",
  summary: "One file of a training snapshot, JSONL (admin; the GPU worker fetches these)",
  tags: ["training"],
  ...guard("admin"),
  request: { params: SnapshotFileParam },
  responses: {
    200: {
      description: "JSONL, one wire-shape Item or Event per line",
      content: { "application/x-ndjson": { schema: z.string() } },
    },
    ...errors(400, 401, 403, 404),
  },
});

export function jobRoutes(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  trainRoute(app);
  app.openapi(status, async (c) =>
    c.json(await c.var.services.rpc(c.env).call("job_status", c.req.valid("param")), 200),
  );
  app.openapi(cancel, async (c) =>
    c.json(await c.var.services.rpc(c.env).call("cancel_job", c.req.valid("param")), 200),
  );
  // Streams R2 straight through, which the typed-handler union cannot express: documented via
  // the registry, validated with the same hook as every other route.
  app.openAPIRegistry.registerPath(snapshotFile);
  app.get(snapshotFile.path.replace(/{(\w+)}/g, ":$1"), ...snapshotFile.middleware, async (c) => {
    const parsed = SnapshotFileParam.safeParse(c.req.param());
    if (!parsed.success) throw ApiError.invalid("invalid snapshot path", toIssues(parsed.error, "param"));
    const { snapshot_id, file } = parsed.data;
    const object = await c.env.ARTIFACTS.get(snapshotKey(snapshot_id, file));
    if (!object) throw ApiError.notFound(`no snapshot file ${snapshot_id}/${file}`);
    return new Response(object.body, { headers: { "content-type": "application/x-ndjson" } });
  });
  return app;
}
