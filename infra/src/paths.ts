import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/**
 * Home of the local stack: its record (local.json), saved state and scratch folders. `.genrec/` in
 * the checkout (git-ignored) unless GENREC_HOME names another folder.
 */
export const GENREC_DIR = process.env.GENREC_HOME || join(REPO_ROOT, ".genrec");
/** The local stack's D1/R2 and jobs, kept across restarts (`genrec up --fresh` starts without it). */
export const STATE_DIR = join(GENREC_DIR, "state");
const SCRATCH_DIR = join(GENREC_DIR, "tmp");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A throwaway folder under .genrec/tmp (never the system temp dir), named after this process so
 * that the folders of processes that died without cleaning up are removed by the next caller.
 */
export function scratchDir(label: string): string {
  mkdirSync(SCRATCH_DIR, { recursive: true });
  for (const name of readdirSync(SCRATCH_DIR)) {
    const pid = Number(name.split("-")[0]);
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) removeDir(join(SCRATCH_DIR, name));
  }
  const dir = join(SCRATCH_DIR, `${process.pid}-${label}-${Math.random().toString(36).slice(2, 10)}`);
  mkdirSync(dir);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}
