import { Job, TrainJobRequest } from "@genrec/shared";
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors/api-error.ts";
import { errors, guard, jsonBody, ok } from "../../openapi/responses.ts";
import { snapshotKey, writeSnapshot } from "../../storage/snapshot.ts";
import { setTrainingJob } from "../../storage/trainings.ts";
import { datasetKey, release, takeSlot } from "./slot.ts";

const train = createRoute({
  method: "post",
  path: "/v1/train",
  summary: "Start a training job on the GPU worker (admin); returns at once",
  description:
    "Without `dataset`, the edge first snapshots its items and events to R2 for the worker to fetch; a " +
    "snapshot `dataset.uri` must name a stored snapshot of this edge. One training per dataset at a " +
    "time: 409 names the job that holds it. A snapshot is removed when the start fails or its job ends.",
  tags: ["training"],
  ...guard("admin"),
  request: { body: jsonBody(TrainJobRequest) },
  responses: { ...ok(Job, "the job, queued"), ...errors(400, 401, 403, 409, 502, 504) },
});

/** The id of a snapshot this edge stored, named by `uri`; 400 naming json.dataset.uri otherwise. */
async function ownSnapshot(env: Env, origin: string, uri: string): Promise<string> {
  const url = new URL(uri); // the schema admits <origin>/v1/snapshots/<id> only
  const id = url.pathname.split("/").pop() as string;
  if (url.origin !== origin || !(await env.ARTIFACTS.head(snapshotKey(id, "events.jsonl")))) {
    throw ApiError.invalid("dataset.uri is not a stored snapshot of this edge", [
      {
        code: "unknown_snapshot",
        path: ["json", "dataset", "uri"],
        message: `must be ${origin}/v1/snapshots/<id>`,
      },
    ]);
  }
  return id;
}

export function trainRoute(app: OpenAPIHono<AppEnv>): void {
  app.openapi(train, async (c) => {
    const body = c.req.valid("json");
    const origin = new URL(c.req.url).origin;
    const given =
      body.dataset?.kind === "snapshot" ? await ownSnapshot(c.env, origin, body.dataset.uri) : null;
    const snapshotId = body.dataset ? given : crypto.randomUUID();
    const slot = await takeSlot(c.env, c.var.services, datasetKey(body.dataset), snapshotId);
    try {
      let dataset = body.dataset;
      if (!dataset) {
        const counts = await writeSnapshot(c.env.DB, c.env.ARTIFACTS, slot.snapshot_id as string);
        if (counts.events === 0)
          throw new ApiError(409, "conflict", "no stored events to train on: ingest events first");
        dataset = { kind: "snapshot", uri: `${origin}/v1/snapshots/${slot.snapshot_id}` };
      }
      const job = await c.var.services.rpc(c.env).call("train", { ...body, dataset });
      await setTrainingJob(c.env.DB, slot, job.job_id);
      return c.json(job, 200);
    } catch (err) {
      // Nothing trains: free the slot, and remove the snapshot unless the caller named an older one.
      await release(c.env, given ? { ...slot, snapshot_id: null } : slot);
      throw err;
    }
  });
}
