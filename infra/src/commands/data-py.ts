import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../paths.ts";

/**
 * `genrec data ...`: the Python dataset commands (`python -m genrec.data`, gpu-worker/README.md),
 * run with the worker's uv project from the caller's own directory, so relative paths mean what
 * the user typed. Returns the command's exit status.
 */
export function runDataCommand(args: string[]): number {
  const cwd = process.env.INIT_CWD || process.cwd(); // npm run moves to the root; INIT_CWD is the user's
  const uvArgs = [
    "run",
    "--frozen",
    "--project",
    join(REPO_ROOT, "gpu-worker"),
    "python",
    "-m",
    "genrec.data",
  ];
  const done = spawnSync("uv", [...uvArgs, ...args], { cwd, stdio: "inherit" });
  if (done.error)
    throw new Error(`could not run uv (${done.error.message}); install it, or see gpu-worker/README.md`);
  return done.status ?? 1;
}
