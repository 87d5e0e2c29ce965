import { type ModalClient, TimeoutError } from "modal";
import { z } from "zod";
import { explain, lookup } from "./modal.ts";
import type { GpuRun } from "./runs.ts";

/*
 * Following a run: wait on its call (the SDK's FunctionCall.get with a deadline, a long poll) and,
 * between waits, read its progress with the experiment_status function (the Volume's status file).
 */

const Progress = z.object({
  epoch: z.number(),
  epochs: z.number(),
  best_epoch: z.number().nullable(),
  best_score: z.number().nullable(),
  elapsed_seconds: z.number(),
});
export const RunStatus = z.looseObject({
  state: z.string(),
  kind: z.string().optional(),
  error: z.string().optional(),
  results: z.array(z.string()).optional(),
  progress: Progress.optional(),
});
export type RunStatus = z.infer<typeof RunStatus>;

export async function readStatus(client: ModalClient, runId: string): Promise<RunStatus> {
  const fn = await lookup(client, "experiment_status");
  try {
    return RunStatus.parse(await fn.remote([runId]));
  } catch (err) {
    throw explain(err, runId);
  }
}

export function describe(runId: string, status: RunStatus): string {
  const p = status.progress;
  const where = p ? `, epoch ${p.epoch}/${p.epochs}, ${Math.round(p.elapsed_seconds)} s` : "";
  const best = p?.best_score == null ? "" : `, best valid ${p.best_score.toFixed(4)} @ ${p.best_epoch}`;
  const error = status.error ? `: ${status.error}` : "";
  const state = status.state === "unknown" ? "starting (no status on the Volume yet)" : status.state;
  return `run ${runId}: ${state}${where}${best}${error}`;
}

/** Waits for the run to end, printing each new progress line; throws the explained failure. */
export async function follow(
  client: ModalClient,
  run: GpuRun,
  say: (line: string) => void,
  everyMs: number,
): Promise<RunStatus> {
  const runId = run.spec.run_id;
  const call = await client.functionCalls.fromId(run.call_id).catch((err: unknown) => {
    throw explain(err, runId);
  });
  let last = "";
  for (;;) {
    const line = describe(runId, await readStatus(client, runId));
    if (line !== last) say(line);
    last = line;
    try {
      await call.get({ timeoutMs: everyMs });
    } catch (err) {
      if (err instanceof TimeoutError) continue; // still running
      throw explain(err, runId);
    }
    return readStatus(client, runId); // the final status, with the last epoch's progress
  }
}
