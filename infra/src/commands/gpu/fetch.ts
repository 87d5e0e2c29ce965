import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { ModalClient } from "modal";
import { z } from "zod";
import { REPO_ROOT } from "../../paths.ts";
import { RunStatus } from "./follow.ts";
import { explain, GpuError, lookup } from "./modal.ts";

/*
 * A finished run's files, home: its result JSON into bench/results/<kind>/ (beside the CPU results,
 * the header names the GPU), everything else (status, best checkpoint, artifact sets) into
 * gpu-worker/var/gpu/<run id>/. GENREC_RESULTS_DIR / GENREC_GPU_RUNS_DIR move them (the tests do).
 */

const resultsRoot = () => process.env.GENREC_RESULTS_DIR || join(REPO_ROOT, "bench", "results");
const runsRoot = () => process.env.GENREC_GPU_RUNS_DIR || join(REPO_ROOT, "gpu-worker", "var", "gpu");

// relative paths of plain names only: nothing the remote side sends may climb out of its folder
const SafePath = z.string().regex(/^(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9_.@+-]+(\/[A-Za-z0-9_.@+-]+)*$/);
const Files = z.record(SafePath, z.instanceof(Uint8Array));

export async function fetchRun(client: ModalClient, runId: string, force: boolean): Promise<string[]> {
  const fn = await lookup(client, "experiment_files");
  let raw: unknown;
  try {
    raw = await fn.remote([runId]);
  } catch (err) {
    throw explain(err, runId);
  }
  const parsed = Files.safeParse(raw);
  if (!parsed.success) throw new GpuError(`run ${runId}: experiment_files answered a malformed file map`);
  const files = parsed.data;
  const status = RunStatus.parse(
    JSON.parse(new TextDecoder().decode(files["status.json"] ?? new Uint8Array())),
  );
  if (status.state !== "succeeded")
    throw new GpuError(`run ${runId} has not succeeded (state: ${status.state})`);
  const targets = Object.keys(files).map((path) => {
    const result = path.startsWith("results/") && path.endsWith(".json");
    const dest = result
      ? join(resultsRoot(), status.kind ?? "gpu", path.slice("results/".length))
      : join(runsRoot(), runId, path);
    return { path, dest, result };
  });
  for (const { path, dest, result } of targets) {
    const same = existsSync(dest) && Buffer.compare(readFileSync(dest), files[path] as Uint8Array) === 0;
    if (result && existsSync(dest) && !same && !force)
      throw new GpuError(
        `${relative(process.cwd(), dest)} exists with other content: move it, or fetch with --force to replace it`,
      );
  }
  for (const { path, dest } of targets) {
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, files[path] as Uint8Array);
  }
  return targets.map((t) => t.dest);
}
