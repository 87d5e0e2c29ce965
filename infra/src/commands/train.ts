import type { Job, TrainJobRequest } from "@genrec/shared";
import type { EdgeClient } from "../edge-client.ts";
import { CLI } from "../usage.ts";

const DONE = new Set(["succeeded", "failed", "cancelled"]);

/**
 * The lines of `next` not yet shown, given the previously shown tail `prev`. Job logs arrive as a
 * bounded tail, so the two overlap: find the longest suffix of `prev` that starts `next`.
 */
export function newLines(prev: readonly string[], next: readonly string[]): string[] {
  for (let k = Math.min(prev.length, next.length); k > 0; k--) {
    if (prev.slice(prev.length - k).every((line, i) => line === next[i])) return next.slice(k);
  }
  return [...next];
}

/** Polls a job until it ends, printing each new log line and a progress line when it moves. */
export async function waitForJob(
  edge: EdgeClient,
  jobId: string,
  say: (line: string) => void,
  { pollMs = 1000, timeoutMs = 30 * 60_000 } = {},
): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  let shown: string[] = [];
  let lastProgress = "";
  for (;;) {
    const job = await edge.job(jobId);
    for (const line of newLines(shown, job.logs)) say(`  | ${line}`);
    shown = job.logs;
    const progress = `${job.state} ${job.phase} ${(job.progress * 100).toFixed(0)}%`;
    if (progress !== lastProgress) say(`job ${job.job_id}: ${progress}`);
    lastProgress = progress;
    if (DONE.has(job.state)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

export async function startTraining(
  edge: EdgeClient,
  req: TrainJobRequest,
  say: (line: string) => void,
): Promise<Job> {
  const job = await edge.train(req);
  say(`started job ${job.job_id} (${job.model}, preset ${req.preset ?? "quick"})`);
  return job;
}

/** One line on a finished job: the version it produced with its headline metrics, or why none. */
export function jobSummary(job: Job): string {
  if (job.state !== "succeeded" || !job.artifact_version)
    return `job ${job.job_id} ${job.state}: ${job.error ?? "no artifact version"}`;
  const metrics = Object.entries(job.metrics ?? {})
    .filter(([k]) => /ndcg@10|recall@10/i.test(k))
    .map(([k, v]) => `${k} ${v.toFixed(4)}`)
    .join(", ");
  return `trained ${job.artifact_version}${metrics ? ` (${metrics})` : ""}`;
}

/** `train --wait`'s last words: the outcome and the command to run next; true for a new version. */
export function reportJob(job: Job, say: (line: string) => void): boolean {
  say(jobSummary(job));
  if (job.state === "succeeded" && job.artifact_version) {
    say(`next: ${CLI} activate ${job.artifact_version}   (makes it live)`);
    return true;
  }
  say(`next: ${CLI} status ${job.job_id}   (its log tail)`);
  return false;
}
