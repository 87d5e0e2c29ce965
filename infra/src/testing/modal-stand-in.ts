import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { REPO_ROOT, removeDir, scratchDir } from "../paths.ts";
import { killProcess, startProcess, stopProcess } from "../processes.ts";

const SCRIPT = fileURLToPath(new URL("./modal_control_plane.py", import.meta.url));
const ANNOUNCE = /^\[modal\] (\{"identity".*\})$/;

export interface StandInOptions {
  /** The functions the app has; [] = not deployed. Default: all three. */
  deployed?: string[];
  /** The experiment function's timeout on the stand-in. */
  functionTimeoutS?: number;
  /** Outputs over this size travel as blobs downloaded over HTTP (Modal: 2 MiB). */
  maxInlineBytes?: number;
}

/**
 * Starts the stand-in for Modal's control plane (modal_control_plane.py, in gpu-worker's Python
 * environment) on an ephemeral loopback port and checks that the process that announced the port is
 * the one started here (its identity). `env` points the Modal SDK at it with the token it accepts.
 */
export async function modalStandIn(opts: StandInOptions = {}) {
  const identity = randomUUID();
  const volume = scratchDir("modal-volume");
  const args = ["run", "--frozen", "python", SCRIPT, "--volume", volume, "--identity", identity];
  args.push("--parent-pid", String(process.pid)); // gone with this process, whatever the test did
  if (opts.deployed) args.push(`--deployed=${opts.deployed.join(",")}`);
  if (opts.functionTimeoutS) args.push("--function-timeout-s", String(opts.functionTimeoutS));
  if (opts.maxInlineBytes) args.push("--max-inline-bytes", String(opts.maxInlineBytes));
  let announced: (port: number) => void = () => {};
  let foreign: (err: Error) => void = () => {};
  const port = new Promise<number>((resolve, reject) => {
    announced = resolve;
    foreign = reject;
  });
  const proc = startProcess("modal", "uv", args, {
    cwd: join(REPO_ROOT, "gpu-worker"),
    env: process.env,
    log: (line) => {
      const match = ANNOUNCE.exec(line);
      if (!match) return;
      const said = JSON.parse(match[1] as string) as { identity: string; port: number };
      if (said.identity === identity) announced(said.port);
      else foreign(new Error(`a foreign stand-in announced itself: ${line}`));
    },
  });
  const exited = new Promise<never>((_, reject) =>
    proc.child.once("exit", (code) => reject(new Error(`stand-in exited (${code}):\n${proc.tail()}`))),
  );
  const url = `http://127.0.0.1:${await Promise.race([port, exited])}`;
  exited.catch(() => {}); // a later exit is the lost-connection test's doing
  return {
    url,
    volume,
    tail: proc.tail,
    env: { MODAL_SERVER_URL: url, MODAL_TOKEN_ID: "ak-standin", MODAL_TOKEN_SECRET: "as-standin" },
    /** Gone at once with its running calls, as a network cut or a crash looks to the client. */
    kill: () => killProcess(proc.child),
    stop: async () => {
      const gone = proc.child.exitCode !== null || proc.child.signalCode !== null; // e.g. after kill()
      if (!gone) await stopProcess(proc.child);
      removeDir(volume);
    },
  };
}
