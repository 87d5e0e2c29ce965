import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  killProcess,
  type Log,
  run,
  type Service,
  startProcess,
  stopProcess,
  waitHealthy,
  wranglerCommand,
} from "./processes.ts";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface LocalStackOptions {
  edgePort?: number;
  gpuPort?: number;
  /** Where wrangler keeps local D1/R2 state and the worker its jobs; a fresh temp dir when omitted. */
  stateDir?: string;
  log?: Log;
  timeoutMs?: number;
  /** Extra Worker vars for `wrangler dev` (e.g. DECODE_MODE), over infra/wrangler.jsonc's. */
  vars?: Record<string, string>;
  /** Extra environment for the GPU worker (e.g. GENREC_ARTIFACTS_DIR). */
  gpuEnv?: Record<string, string>;
}

export interface LocalStack {
  edgeUrl: string;
  gpuUrl: string;
  /** Bearer token the edge uses for the GPU worker's RPC (random per stack). */
  gpuToken: string;
  /** API keys of this stack's edge (random per stack). */
  adminKey: string;
  clientKey: string;
  stateDir: string;
  readonly gpu: Service;
  edge: Service;
  /** Kills the GPU worker's process group (its training jobs with it), as a crash would. */
  killGpu(): Promise<void>;
  /** Starts the GPU worker again with the same token, jobs directory and port. */
  restartGpu(): Promise<void>;
  stop(): Promise<void>;
}

const secret = () => randomBytes(24).toString("hex");

/**
 * The embedded default: the GPU worker as a local CPU server and the edge in `wrangler dev`
 * (workerd) with local D1/R2, migrations applied for real. Resolves once both answer.
 */
export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  const { edgePort = 8787, gpuPort = 8788, log = () => {}, timeoutMs = 120_000 } = opts;
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), "genrec-state-"));
  const keys = { gpuToken: secret(), adminKey: `admin-${secret()}`, clientKey: `client-${secret()}` };
  const gpuUrl = `http://127.0.0.1:${gpuPort}`;
  const edgeUrl = `http://127.0.0.1:${edgePort}`;
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
  const [node, wrangler] = wranglerCommand();
  const config = ["-c", join(REPO_ROOT, "infra/wrangler.jsonc")];

  // The worker fetches training snapshots from the edge and publishes artifact sets back to it.
  const gpuEnv = {
    ...env,
    GENREC_RPC_TOKEN: keys.gpuToken,
    GENREC_EDGE_URL: edgeUrl,
    GENREC_EDGE_ADMIN_KEY: keys.adminKey,
    GENREC_JOBS_DIR: join(stateDir, "jobs"),
    ...opts.gpuEnv,
  };
  const startGpu = (): Service => {
    const args = [
      "run",
      "--frozen",
      "python",
      "-m",
      "genrec.server",
      "--host",
      "127.0.0.1",
      "--port",
      String(gpuPort),
    ];
    const proc = startProcess("gpu-worker", "uv", args, {
      cwd: join(REPO_ROOT, "gpu-worker"),
      env: gpuEnv,
      log,
    });
    return { name: "gpu-worker", url: `${gpuUrl}/healthz`, process: proc.child, tail: proc.tail };
  };
  let gpu = startGpu();
  let edge: Service | undefined;
  const stop = async () => {
    await Promise.all([edge && stopProcess(edge.process), stopProcess(gpu.process)]);
  };
  try {
    log("[stack] applying D1 migrations to local state");
    const persist = ["--persist-to", stateDir];
    await run(node, [...wrangler, "d1", "migrations", "apply", "genrec", "--local", ...persist, ...config], {
      cwd: REPO_ROOT,
      env,
    });
    const vars = {
      GPU_WORKER_URL: gpuUrl,
      GPU_WORKER_TOKEN: keys.gpuToken,
      ADMIN_KEYS: keys.adminKey,
      CLIENT_KEYS: keys.clientKey,
    };
    const edgeArgs = ["dev", ...config, "--ip", "127.0.0.1", "--port", String(edgePort), ...persist];
    for (const [name, value] of Object.entries(vars)) edgeArgs.push("--var", `${name}:${value}`);
    edgeArgs.push("--show-interactive-dev-session=false");
    const edgeProc = startProcess("edge", node, [...wrangler, ...edgeArgs], { cwd: REPO_ROOT, env, log });
    edge = { name: "edge", url: `${edgeUrl}/health`, process: edgeProc.child, tail: edgeProc.tail };
    await Promise.all([waitHealthy(gpu, timeoutMs), waitHealthy(edge, timeoutMs)]);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    edgeUrl,
    gpuUrl,
    ...keys,
    stateDir,
    get gpu() {
      return gpu;
    },
    edge,
    killGpu: () => killProcess(gpu.process),
    restartGpu: async () => {
      gpu = startGpu();
      await waitHealthy(gpu, timeoutMs);
    },
    stop,
  };
}
