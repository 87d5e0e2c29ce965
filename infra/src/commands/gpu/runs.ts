import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { ModelKind } from "@genrec/shared";
import { z } from "zod";
import { GENREC_DIR } from "../../paths.ts";
import { CLI } from "../../usage.ts";
import { GpuError, type Outcome } from "./modal.ts";

/*
 * The runs started from this checkout: .genrec/gpu-runs.json (GENREC_HOME), newest last. Modal keeps
 * the calls; this record maps our run ids to them, so the other gpu commands take a run id.
 */

export const GpuRunSpec = z.strictObject({
  run_id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/),
  model: ModelKind,
  dataset: z.string().min(1),
  preset: z.string(),
  sets: z.array(z.string()),
  sids: z.string().nullable(),
  tag: z.string(),
});
export type GpuRunSpec = z.infer<typeof GpuRunSpec>;

const OutcomeSchema = z.enum(["succeeded", "failed", "cancelled", "timed-out"]) satisfies z.ZodType<Outcome>;

const GpuRun = z.strictObject({
  spec: GpuRunSpec,
  call_id: z.string(),
  started_at: z.string(),
  outcome: OutcomeSchema.optional(),
  fetched: z.array(z.string()).optional(),
});
export type GpuRun = z.infer<typeof GpuRun>;

const runsFile = () => join(GENREC_DIR, "gpu-runs.json");

export function readRuns(): GpuRun[] {
  let text: string;
  try {
    text = readFileSync(runsFile(), "utf8");
  } catch {
    return [];
  }
  const parsed = z.array(GpuRun).safeParse(JSON.parse(text));
  if (!parsed.success) throw new GpuError(`${runsFile()} is not a gpu run record: ${parsed.error.message}`);
  return parsed.data;
}

/** Adds or replaces a run (by run id), written whole through a rename. */
export function saveRun(run: GpuRun): void {
  const runs = readRuns().filter((r) => r.spec.run_id !== run.spec.run_id);
  mkdirSync(GENREC_DIR, { recursive: true });
  writeFileSync(`${runsFile()}.tmp`, `${JSON.stringify([...runs, run], null, 2)}\n`);
  renameSync(`${runsFile()}.tmp`, runsFile());
}

export function findRun(runId: string): GpuRun {
  const run = readRuns().find((r) => r.spec.run_id === runId);
  if (!run)
    throw new GpuError(`no gpu run "${runId}" was started from here (\`${CLI} gpu list\` shows them)`);
  return run;
}

/** `beauty-rpg-full-20261130t012233`: dataset (a folder's name), model, preset, tag, UTC start. */
export function newRunId(
  spec: { dataset: string; model: string; preset: string; tag: string },
  now = new Date(),
) {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").toLowerCase();
  const parts = [basename(spec.dataset), spec.model, spec.preset, spec.tag, stamp].filter(Boolean);
  return parts
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .slice(-80)
    .replace(/^-+/, "");
}
