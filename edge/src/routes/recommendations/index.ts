import { RecommendResponse, SessionRecommendRequest } from "@genrec/shared";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../env.ts";
import { assignVersion, served } from "../../experiments/assign.ts";
import { errors, guard, jsonBody, ok } from "../../openapi/responses.ts";
import { recommend } from "../../recommend/index.ts";
import { unknownItems } from "../../storage/items.ts";

const forSession = createRoute({
  method: "post",
  path: "/v1/recommendations",
  summary: "Recommend for an anonymous session whose history is in the body",
  description:
    "History items the edge has no record of are listed in `unknown_items`; when none is known, " +
    "popularity answers with `fallback.reason` unknown_items.",
  tags: ["recommendations"],
  ...guard("client"),
  request: { body: jsonBody(SessionRecommendRequest) },
  responses: { ...ok(RecommendResponse, "ranked items"), ...errors(400, 401, 403, 404, 501) },
});

export function recommendationRoutes(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(forSession, async (c) => {
    const body = c.req.valid("json");
    const assigned = await assignVersion(c, body.model_version, body.session_key);
    const answer = await recommend(c.env, c.var.services, assigned.version, {
      history: body.history,
      n: body.n,
      excludeSeen: body.exclude_seen,
      unknownItems: await unknownItems(c.env.DB, body.history),
    });
    return c.json(await served(c, answer, assigned), 200);
  });
  return app;
}
