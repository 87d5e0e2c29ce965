import {
  Experiment,
  ExperimentList,
  ExperimentParam,
  ExperimentStart,
  MetricsQuery,
  MetricsReport,
  PromoteRequest,
} from "@genrec/shared";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors/api-error.ts";
import { promote, start, stop } from "../../experiments/lifecycle.ts";
import { armMetrics } from "../../experiments/metrics.ts";
import { listExperiments, toExperiment } from "../../experiments/store.ts";
import { errors, guard, jsonBody, ok } from "../../openapi/responses.ts";

const tags = ["experiments"];
const DAY_MS = 86_400_000;

const list = createRoute({
  method: "get",
  path: "/v1/experiments",
  summary: "Every experiment, newest first",
  tags,
  ...guard("client"),
  responses: { ...ok(ExperimentList, "every experiment"), ...errors(401, 403) },
});

const begin = createRoute({
  method: "post",
  path: "/v1/experiments",
  summary: "Start an experiment: split traffic between versions by a stable hash of the user (admin)",
  tags,
  ...guard("admin"),
  request: { body: jsonBody(ExperimentStart) },
  responses: { ...ok(Experiment, "running"), ...errors(400, 401, 403, 404, 409) },
});

const end = createRoute({
  method: "post",
  path: "/v1/experiments/{experiment_id}/stop",
  summary: "Stop a running experiment; the live version serves everyone again (admin)",
  tags,
  ...guard("admin"),
  request: { params: ExperimentParam },
  responses: { ...ok(Experiment, "stopped"), ...errors(400, 401, 403, 404, 409) },
});

const win = createRoute({
  method: "post",
  path: "/v1/experiments/{experiment_id}/promote",
  summary: "End a running experiment with one arm's version live, atomically (admin)",
  tags,
  ...guard("admin"),
  request: { params: ExperimentParam, body: jsonBody(PromoteRequest) },
  responses: { ...ok(Experiment, "promoted"), ...errors(400, 401, 403, 404, 409, 422, 502, 504) },
});

const metrics = createRoute({
  method: "get",
  path: "/v1/metrics",
  summary: "Online metrics per version and arm over a window of serving (default: the last 7 days)",
  tags,
  ...guard("client"),
  request: { query: MetricsQuery },
  responses: { ...ok(MetricsReport, "served answers and attributed events"), ...errors(400, 401, 403) },
});

export function experimentRoutes(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(list, async (c) =>
    c.json({ experiments: (await listExperiments(c.env.DB)).map(toExperiment) }, 200),
  );
  app.openapi(begin, async (c) => c.json(await start(c.env, c.var.services, c.req.valid("json")), 200));
  app.openapi(end, async (c) =>
    c.json(await stop(c.env, c.var.services, c.req.valid("param").experiment_id), 200),
  );
  app.openapi(win, async (c) => {
    const { experiment_id } = c.req.valid("param");
    return c.json(await promote(c.env, c.var.services, experiment_id, c.req.valid("json").arm), 200);
  });
  app.openapi(metrics, async (c) => {
    const query = c.req.valid("query");
    const to = query.to ? Date.parse(query.to) : Date.now();
    const from = query.from ? Date.parse(query.from) : to - 7 * DAY_MS;
    if (from >= to)
      throw ApiError.invalid("the window is empty", [
        { code: "invalid_window", path: ["query", "from"], message: "must be before `to`" },
      ]);
    const arms = await armMetrics(c.env.DB, from, to, query.experiment_id ?? null);
    return c.json({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), arms }, 200);
  });
  return app;
}
