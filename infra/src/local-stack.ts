import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { EdgeConfig } from "./edge-client.ts";
import { REPO_ROOT, removeDir, scratchDir } from "./paths.ts";
import { claimPort } from "./ports.ts";
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

export { REPO_ROOT } from "./paths.ts";

export interface LocalStackOptions {
  /** 0 (the default) picks a free port; any other port must be free. */
  edgePort?: number;
  gpuPort?: number;
  /**
   * Where wrangler keeps local D1/R2 state and the worker its jobs, kept after stop. When omitted,
   * a scratch folder under .genrec/tmp that stop() removes.
   */
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
  /** Per-run value both servers report on their health routes (processes.ts INSTANCE_HEADER). */
  instance: string;
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

/** What an edge client of this stack needs: its URL, keys, and the instance value it must report. */
export function stackEdge(stack: LocalStack): EdgeConfig {
  const { edgeUrl: url, adminKey, clientKey, instance } = stack;
  return { url, adminKey, clientKey, instance };
}

const secret = () => randomBytes(24).toString("hex");

/**
 * The embedded default: the GPU worker as a local CPU server and the edge in `wrangler dev`
 * (workerd) with local D1/R2, migrations applied for real. Resolves once both answer as the
 * processes started here (their instance value); no key is sent before that.
 */
export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  const { log = () => {}, timeoutMs = 120_000 } = opts;
  const gpuPort = await claimPort(opts.gpuPort ?? 0, "--gpu-port");
  const edgePort = await claimPort(opts.edgePort ?? 0, "--edge-port");
  const stateDir = opts.stateDir ?? scratchDir("stack");
  const instance = secret();
  const keys = { gpuToken: secret(), adminKey: `admin-${secret()}`, clientKey: `client-${secret()}` };
  const gpuUrl = `http://127.0.0.1:${gpuPort}`;
  const edgeUrl = `http://127.0.0.1:${edgePort}`;
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
  const [node, wrangler] = wranglerCommand();
  const config = ["-c", join(REPO_ROOT, "infra/wrangler.jsonc")];

  // The worker fetches training snapshots from the edge and publishes artifact sets back to it.
  const gpuEnv = {
    ...env,
    GENREC_INSTANCE: instance,
    GENREC_RPC_TOKEN: keys.gpuToken,
    GENREC_EDGE_URL: edgeUrl,
    GENREC_EDGE_ADMIN_KEY: keys.adminKey,
    GENREC_JOBS_DIR: join(stateDir, "jobs"),
    ...opts.gpuEnv,
  };
  const startGpu = (): Service => {
    const args = ["run", "--frozen", "python", "-m", "genrec.server"];
    args.push("--host", "127.0.0.1", "--port", String(gpuPort));
    const proc = startProcess("gpu-worker", "uv", args, {
      cwd: join(REPO_ROOT, "gpu-worker"),
      env: gpuEnv,
      log,
    });
    return { name: "gpu-worker", url: `${gpuUrl}/healthz`, instance, process: proc.child, tail: proc.tail };
  };
  let gpu = startGpu();
  let edge: Service | undefined;
  const stop = async () => {
    await Promise.all([edge && stopProcess(edge.process), stopProcess(gpu.process)]);
    if (opts.stateDir === undefined) removeDir(stateDir);
  };
  try {
    log("[stack] applying D1 migrations to local state");
    const persist = ["--persist-to", stateDir];
    await run(node, [...wrangler, "d1", "migrations", "apply", "genrec", "--local", ...persist, ...config], {
      cwd: REPO_ROOT,
      env,
    });
    const vars = {
      ...opts.vars,
      GENREC_INSTANCE: instance,
      GPU_WORKER_URL: gpuUrl,
      GPU_WORKER_TOKEN: keys.gpuToken,
      ADMIN_KEYS: keys.adminKey,
      CLIENT_KEYS: keys.clientKey,
    };
    const edgeArgs = ["dev", ...config, "--ip", "127.0.0.1", "--port", String(edgePort), ...persist];
    for (const [name, value] of Object.entries(vars)) edgeArgs.push("--var", `${name}:${value}`);
    edgeArgs.push("--show-interactive-dev-session=false");
    const edgeProc = startProcess("edge", node, [...wrangler, ...edgeArgs], { cwd: REPO_ROOT, env, log });
    edge = { name: "edge", url: `${edgeUrl}/health`, instance, process: edgeProc.child, tail: edgeProc.tail };
    await Promise.all([waitHealthy(gpu, timeoutMs), waitHealthy(edge, timeoutMs)]);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    edgeUrl,
    gpuUrl,
    instance,
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
