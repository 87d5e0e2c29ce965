import { Job, JobRef, TrainRequest } from "@genrec/shared";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app.ts";
import { requireRole } from "../../auth/index.ts";
import { clientAuth, errors, jsonBody, ok } from "../../openapi/responses.ts";

const train = createRoute({
  method: "post",
  path: "/v1/train",
  summary: "Start a training job on the GPU worker (admin); returns at once",
  tags: ["training"],
  security: clientAuth,
  middleware: [requireRole("admin")] as const,
  request: { body: jsonBody(TrainRequest) },
  responses: { ...ok(Job, "the job, queued"), ...errors(400, 401, 403, 502, 504) },
});

const status = createRoute({
  method: "get",
  path: "/v1/jobs/{job_id}",
  summary: "A training job's state, progress and log tail (admin)",
  tags: ["training"],
  security: clientAuth,
  middleware: [requireRole("admin")] as const,
  request: { params: JobRef },
  responses: { ...ok(Job, "the job"), ...errors(400, 401, 403, 404, 502, 504) },
});

const cancel = createRoute({
  method: "post",
  path: "/v1/jobs/{job_id}/cancel",
  summary: "Cancel a training job (admin)",
  tags: ["training"],
  security: clientAuth,
  middleware: [requireRole("admin")] as const,
  request: { params: JobRef },
  responses: { ...ok(Job, "the job"), ...errors(400, 401, 403, 404, 502, 504) },
});

export function jobRoutes(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(train, async (c) =>
    c.json(await c.var.services.rpc(c.env).call("train", c.req.valid("json")), 200),
  );
  app.openapi(status, async (c) =>
    c.json(await c.var.services.rpc(c.env).call("job_status", c.req.valid("param")), 200),
  );
  app.openapi(cancel, async (c) =>
    c.json(await c.var.services.rpc(c.env).call("cancel_job", c.req.valid("param")), 200),
  );
  return app;
}
