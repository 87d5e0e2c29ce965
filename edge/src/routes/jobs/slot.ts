import type { DatasetRef } from "@genrec/shared";
import type { Services } from "../../env.ts";
import { ApiError } from "../../errors/api-error.ts";
import { deleteSnapshot } from "../../storage/snapshot.ts";
import { claimTraining, getTraining, releaseTraining, type TrainingRow } from "../../storage/trainings.ts";

/*
 * One active training per dataset: POST /v1/train claims the dataset's slot (one atomic insert)
 * before it writes a snapshot or calls the worker. A held slot is freed when its job is seen
 * finished (asked of the worker), when the start failed, or when a start died before naming its job.
 */

/** A claim that never got its job id after this long is a start that died. */
const STARTING_MS = 5 * 60_000;
const FINISHED = new Set(["succeeded", "failed", "cancelled"]);

/** The slot's name: every snapshot is of the edge's own events, so they share one. */
export const datasetKey = (dataset?: DatasetRef) =>
  dataset?.kind === "builtin" ? `builtin:${dataset.name}` : "edge";

/** Frees the slot and removes the snapshot it holds (the worker has fetched it, or never will). */
export async function release(env: Env, row: TrainingRow): Promise<void> {
  await releaseTraining(env.DB, row);
  if (row.snapshot_id) await deleteSnapshot(env.ARTIFACTS, row.snapshot_id);
}

async function active(env: Env, services: Services, row: TrainingRow): Promise<boolean> {
  if (row.job_id === null) return Date.now() - row.started_at < STARTING_MS;
  try {
    const job = await services.rpc(env).call("job_status", { job_id: row.job_id });
    return !FINISHED.has(job.state);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return false; // the worker forgot it
    throw err;
  }
}

function busy(row: TrainingRow): ApiError {
  const holder =
    row.job_id === null
      ? "another training is starting on it"
      : `job ${row.job_id} is training on it: wait for it or cancel it (POST /v1/jobs/${row.job_id}/cancel)`;
  return new ApiError(409, "conflict", `one training per dataset: ${holder}`, [
    { code: "training_active", path: ["json", "dataset"], message: row.job_id ?? "starting" },
  ]);
}

/** Takes `dataset`'s slot for a new training, or throws 409 naming the job that holds it. */
export async function takeSlot(
  env: Env,
  services: Services,
  dataset: string,
  snapshotId: string | null,
): Promise<TrainingRow> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const row = { dataset, job_id: null, snapshot_id: snapshotId, started_at: Date.now() };
    if (await claimTraining(env.DB, row)) return row;
    const held = await getTraining(env.DB, dataset);
    if (held && (await active(env, services, held))) throw busy(held);
    if (held) await release(env, held);
  }
  throw busy({ dataset, job_id: null, snapshot_id: null, started_at: 0 });
}
