import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
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
  /** Where wrangler keeps local D1/R2 state; a fresh temp dir when omitted. */
  stateDir?: string;
  log?: Log;
  timeoutMs?: number;
}

export interface LocalStack {
  edgeUrl: string;
  gpuUrl: string;
  /** Bearer token the edge uses for the GPU worker's RPC (random per stack, never stored). */
  gpuToken: string;
  stateDir: string;
  gpu: Service;
  edge: Service;
  stop(): Promise<void>;
}

/**
 * The embedded default: the GPU worker as a local CPU server and the edge in `wrangler dev`
 * (workerd) with local D1/R2, D1 migrations applied for real. Resolves once both answer.
 */
export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  const { edgePort = 8787, gpuPort = 8788, log = () => {}, timeoutMs = 120_000 } = opts;
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), "genrec-state-"));
  const gpuToken = randomBytes(24).toString("hex");
  const gpuUrl = `http://127.0.0.1:${gpuPort}`;
  const edgeUrl = `http://127.0.0.1:${edgePort}`;
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
  const [node, wrangler] = wranglerCommand();
  const config = ["-c", join(REPO_ROOT, "infra/wrangler.jsonc")];

  const gpuProc = startProcess(
    "gpu-worker",
    "uv",
    ["run", "--frozen", "python", "-m", "genrec.server", "--host", "127.0.0.1", "--port", String(gpuPort)],
    {
      cwd: join(REPO_ROOT, "gpu-worker"),
      env: { ...env, GENREC_RPC_TOKEN: gpuToken },
      log,
    },
  );
  const gpu: Service = {
    name: "gpu-worker",
    url: `${gpuUrl}/healthz`,
    process: gpuProc.child,
    tail: gpuProc.tail,
  };
  try {
    log("[stack] applying D1 migrations to local state");
    await run(
      node,
      [...wrangler, "d1", "migrations", "apply", "genrec", "--local", "--persist-to", stateDir, ...config],
      { cwd: REPO_ROOT, env },
    );
    const edgeArgs = [
      "dev",
      ...config,
      "--ip",
      "127.0.0.1",
      "--port",
      String(edgePort),
      "--persist-to",
      stateDir,
    ];
    edgeArgs.push(
      "--var",
      `GPU_WORKER_URL:${gpuUrl}`,
      "--var",
      `GPU_WORKER_TOKEN:${gpuToken}`,
      "--show-interactive-dev-session=false",
    );
    const edgeProc = startProcess("edge", node, [...wrangler, ...edgeArgs], { cwd: REPO_ROOT, env, log });
    const edge: Service = {
      name: "edge",
      url: `${edgeUrl}/health`,
      process: edgeProc.child,
      tail: edgeProc.tail,
    };
    const stop = async () => {
      await Promise.all([stopProcess(edge.process), stopProcess(gpu.process)]);
    };
    try {
      await Promise.all([waitHealthy(gpu, timeoutMs), waitHealthy(edge, timeoutMs)]);
    } catch (err) {
      await stop();
      throw err;
    }
    return { edgeUrl, gpuUrl, gpuToken, stateDir, gpu, edge, stop };
  } catch (err) {
    await stopProcess(gpu.process);
    throw err;
  }
}
