import type { Job } from "@genrec/shared";
import { html, raw } from "hono/html";
import { lineChart, type Series } from "./svg.ts";

/** Training slots held now (table `trainings`): one per dataset while its job runs. */
export async function heldJobs(db: D1Database): Promise<Array<{ dataset: string; job_id: string }>> {
  const { results } = await db
    .prepare("SELECT dataset, job_id FROM trainings WHERE job_id IS NOT NULL ORDER BY started_at DESC")
    .all<{ dataset: string; job_id: string }>();
  return results;
}

const EPOCH = /epoch (\d+)\/\d+: loss ([0-9.]+)/;
const VALID = /valid score ([0-9.]+)/;

/** The loss and validation score per epoch, read from the job's log lines (the trainer's epoch lines). */
export function curves(logs: readonly string[]): Series[] {
  const loss: Array<[number, number]> = [];
  const valid: Array<[number, number]> = [];
  for (const line of logs) {
    const m = EPOCH.exec(line);
    if (!m) continue;
    loss.push([Number(m[1]), Number(m[2])]);
    const v = VALID.exec(line);
    if (v) valid.push([Number(m[1]), Number(v[1])]);
  }
  return [
    { label: "validation score", points: valid },
    { label: "training loss", points: loss },
  ];
}

function jobCard(job: Job) {
  const [valid, loss] = curves(job.logs);
  return html`<section aria-label="job ${job.job_id}"><h2>${job.job_id} · ${job.model} · ${job.state}</h2>
<p><label>Progress (${job.phase}) <progress max="1" value="${job.progress}">${Math.round(job.progress * 100)}%</progress></label>
${Math.round(job.progress * 100)}%${job.artifact_version ? html` · produced <strong>${job.artifact_version}</strong>` : ""}</p>
${valid ? raw(lineChart("Validation score per epoch", [valid])) : ""}${loss ? raw(lineChart("Training loss per epoch", [loss])) : ""}
${job.error ? html`<p class="alert" role="alert">${job.error}</p>` : ""}
<details><summary>Log tail (${job.logs.length} lines)</summary><pre class="scroll">${job.logs.slice(-30).join("\n")}</pre></details></section>`;
}

/** Jobs whose slot is held, and the one looked up by id; `fetchJob` is the GPU worker's job_status. */
export async function jobsPage(
  db: D1Database,
  lookup: string | undefined,
  fetchJob: (id: string) => Promise<Job>,
) {
  const held = await heldJobs(db);
  const ids = [...new Set([...(lookup ? [lookup] : []), ...held.map((h) => h.job_id)])];
  const cards = await Promise.all(
    ids.map((id) =>
      fetchJob(id).then(
        jobCard,
        (err: unknown) =>
          html`<section><p class="alert" role="alert">job ${id}: ${err instanceof Error ? err.message : String(err)}</p></section>`,
      ),
    ),
  );
  return html`<section><form class="row" method="get" action="/dashboard/jobs">
<label>Job id<input name="job" value="${lookup ?? ""}" pattern="[A-Za-z0-9_-]{1,128}"></label><button type="submit">Show job</button></form>
${held.length === 0 ? html`<p class="muted">No training is running.</p>` : ""}</section>${cards}`;
}
