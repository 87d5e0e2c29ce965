import {
  DeleteResult,
  HistoryQuery,
  RecommendQuery,
  RecommendResponse,
  UserHistory,
  UserParam,
} from "@genrec/shared";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../env.ts";
import { assignVersion, served } from "../../experiments/assign.ts";
import { errors, guard, ok } from "../../openapi/responses.ts";
import { historyLength, recommend } from "../../recommend/index.ts";
import { deleteUserEvents, recentEvents } from "../../storage/events.ts";

/** Seen-item filtering looks further back than any model does (historyLength). */
const SEEN_WINDOW = 1000;

const history = createRoute({
  method: "get",
  path: "/v1/users/{user_id}/history",
  summary: "A user's most recent events, oldest first",
  tags: ["users"],
  ...guard("client"),
  request: { params: UserParam, query: HistoryQuery },
  responses: { ...ok(UserHistory, "the history (empty for an unknown user)"), ...errors(400, 401, 403) },
});

const forget = createRoute({
  method: "delete",
  path: "/v1/users/{user_id}/history",
  summary: "Delete every stored event of a user (admin)",
  tags: ["users"],
  ...guard("admin"),
  request: { params: UserParam },
  responses: { ...ok(DeleteResult, "deleted"), ...errors(400, 401, 403) },
});

const forUser = createRoute({
  method: "get",
  path: "/v1/users/{user_id}/recommendations",
  summary: "Recommend for a user from their stored history",
  description: "A user without stored events is answered by popularity with `fallback.reason` unknown_user.",
  tags: ["recommendations"],
  ...guard("client"),
  request: { params: UserParam, query: RecommendQuery },
  responses: { ...ok(RecommendResponse, "ranked items"), ...errors(400, 401, 403, 404, 501) },
});

export function userRoutes(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(history, async (c) => {
    const { user_id } = c.req.valid("param");
    const rows = await recentEvents(c.env.DB, user_id, c.req.valid("query").limit ?? 100);
    const events = rows.map((r) => ({
      event_id: r.event_id,
      item_id: r.item_id,
      timestamp: new Date(r.ts).toISOString(),
      type: r.type,
    }));
    return c.json({ user_id, events }, 200);
  });
  app.openapi(forget, async (c) => {
    const deleted = await deleteUserEvents(c.env.DB, c.req.valid("param").user_id);
    if (deleted > 0) c.var.services.popularity.invalidate();
    return c.json({ deleted }, 200);
  });
  app.openapi(forUser, async (c) => {
    const { user_id } = c.req.valid("param");
    const query = c.req.valid("query");
    const excludeSeen = query.exclude_seen ?? true;
    const assigned = await assignVersion(c, query.model_version, user_id);
    const { version } = assigned;
    const limit = excludeSeen ? SEEN_WINDOW : await historyLength(c.env, c.var.services, version);
    const rows = await recentEvents(c.env.DB, user_id, limit);
    const answer = await recommend(c.env, c.var.services, version, {
      history: rows.map((r) => r.item_id),
      n: query.n ?? 10,
      excludeSeen,
    });
    return c.json(await served(c, answer, assigned), 200);
  });
  return app;
}
