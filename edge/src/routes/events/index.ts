import { EventsBatch, IngestResult } from "@genrec/shared";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors/api-error.ts";
import { conflictingFeedback, insertFeedback } from "../../experiments/served.ts";
import { errors, guard, jsonBody, ok } from "../../openapi/responses.ts";
import { conflictingEvents, insertEvents } from "../../storage/events.ts";

const ingest = createRoute({
  method: "post",
  path: "/v1/events",
  summary: "Ingest up to 1,000 events (admin); idempotent by event_id",
  tags: ["events"],
  ...guard("admin"),
  request: { body: jsonBody(EventsBatch) },
  responses: {
    ...ok(IngestResult, "stored; replays counted as duplicates"),
    ...errors(400, 401, 403, 409, 413),
  },
});

export function eventRoutes(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(ingest, async (c) => {
    const { events } = c.req.valid("json");
    // Within one batch a repeated event_id is a replay too: INSERT OR IGNORE keeps the first.
    // An event_id replayed with another recommendation_id is a conflict too (experiments/served.ts).
    const misattributed = await conflictingFeedback(c.env.DB, events);
    const accepted = misattributed.length > 0 ? null : await insertEvents(c.env.DB, events);
    if (accepted === null) {
      const conflicts = misattributed.length > 0 ? misattributed : await conflictingEvents(c.env.DB, events);
      throw new ApiError(
        409,
        "conflict",
        "event_id reused with a different payload: nothing from this batch was stored",
        conflicts.map((i) => ({
          code: "event_id_conflict",
          path: ["json", "events", i, "event_id"],
          message: `event_id '${events[i]?.event_id}' is stored with another user, item, time, type or recommendation_id`,
        })),
      );
    }
    await insertFeedback(c.env.DB, events);
    if (accepted > 0) c.var.services.popularity.invalidate();
    return c.json({ accepted, duplicates: events.length - accepted }, 200);
  });
  return app;
}
