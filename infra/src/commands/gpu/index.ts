import { z } from "zod";
import { parseArg } from "../../args.ts";
import { CLI, need } from "../../usage.ts";
import { fetchRun } from "./fetch.ts";
import { describe, follow, readStatus } from "./follow.ts";
import { explain, GpuError, lookup, modalClient } from "./modal.ts";
import { findRun, type GpuRun, readRuns, saveRun } from "./runs.ts";
import { type GpuRunValues, gpuRunSpec } from "./spec.ts";

/** `genrec gpu run|status|follow|cancel|list|fetch`: experiments on the deployed Modal app's GPU. */
export const GPU_COMMANDS = ["run", "status", "follow", "cancel", "list", "fetch"] as const;

export interface GpuValues extends GpuRunValues {
  follow: boolean;
  force: boolean;
  every: string;
}

type Say = (line: string) => void;

const everyMs = (raw: string) => parseArg("--every", z.number().min(0.05).max(3600), Number(raw)) * 1000;

export async function gpu(sub: string | undefined, arg: string | undefined, values: GpuValues, say: Say) {
  const action = parseArg("gpu", z.enum(GPU_COMMANDS, { error: GPU_COMMANDS.join("|") }), sub);
  if (action === "list") return list(say);
  const client = modalClient();
  if (action === "run") {
    need("gpu", values.dataset, "--dataset NAME (gpu run --model M --dataset D --preset P)");
    need("gpu", values.preset, "--preset tiny|quick|cpu|full");
    const spec = gpuRunSpec(values);
    const fn = await lookup(client, "experiment");
    const call = await fn.spawn([spec]).catch((err: unknown) => {
      throw explain(err, spec.run_id);
    });
    saveRun({ spec, call_id: call.functionCallId, started_at: new Date().toISOString() });
    say(`run ${spec.run_id} started on Modal (call ${call.functionCallId})`);
    if (!values.follow) {
      say(`follow it: ${CLI} gpu follow ${spec.run_id}   (stop it: ${CLI} gpu cancel ${spec.run_id})`);
      return 0;
    }
    return finish(client, findRun(spec.run_id), values, say);
  }
  const run = findRun(need("gpu", arg, `RUN (gpu ${action} RUN)`));
  switch (action) {
    case "status":
      say(describe(run.spec.run_id, await readStatus(client, run.spec.run_id)));
      if (run.outcome) say(`outcome seen here: ${run.outcome}`);
      return 0;
    case "follow":
      return finish(client, run, values, say);
    case "cancel": {
      const call = await client.functionCalls.fromId(run.call_id).catch((err: unknown) => {
        throw explain(err, run.spec.run_id);
      });
      await call.cancel().catch((err: unknown) => {
        throw explain(err, run.spec.run_id);
      });
      saveRun({ ...run, outcome: "cancelled" });
      say(`run ${run.spec.run_id}: cancelled (call ${run.call_id})`);
      return 0;
    }
    case "fetch":
      return fetched(client, run, values.force, say);
  }
}

/** Follows to the end, records the outcome, and fetches the files of a run that succeeded. */
async function finish(client: ReturnType<typeof modalClient>, run: GpuRun, values: GpuValues, say: Say) {
  try {
    say(describe(run.spec.run_id, await follow(client, run, say, everyMs(values.every))));
  } catch (err) {
    if (err instanceof GpuError && err.outcome) saveRun({ ...run, outcome: err.outcome });
    throw err;
  }
  saveRun({ ...run, outcome: "succeeded" });
  return fetched(client, findRun(run.spec.run_id), values.force, say);
}

async function fetched(client: ReturnType<typeof modalClient>, run: GpuRun, force: boolean, say: Say) {
  const paths = await fetchRun(client, run.spec.run_id, force);
  saveRun({ ...run, fetched: paths });
  for (const path of paths) say(`fetched ${path}`);
  return 0;
}

function list(say: Say) {
  const runs = readRuns();
  if (runs.length === 0)
    say(`no gpu runs started from here yet (${CLI} gpu run --model M --dataset D --preset P)`);
  for (const { spec, call_id, started_at, outcome, fetched } of runs.slice().reverse()) {
    const state = `${outcome ?? "started"}${fetched ? ", fetched" : ""}`;
    say(`${spec.run_id}  ${spec.model} ${spec.dataset} ${spec.preset}  ${started_at}  ${call_id}  ${state}`);
  }
  return 0;
}
