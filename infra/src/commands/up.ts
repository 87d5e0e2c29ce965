import { HealthResponse, Readiness } from "@genrec/shared";
import type { z } from "zod";
import { clearLocalState, LOCAL_FILE, runningLocalStack, writeLocalState } from "../config.ts";
import { type LocalStack, type LocalStackOptions, startLocalStack } from "../local-stack.ts";

/** `genrec up` refused: a stack recorded in .genrec/local.json still answers as itself. */
export class StackRunningError extends Error {
  override name = "StackRunningError";
}

/** A JSON reply checked against its schema; a bad one is an error naming the URL, not a ZodError. */
async function getJson<T extends z.ZodType>(
  schema: T,
  url: string,
  init?: RequestInit,
): Promise<z.output<T>> {
  const res = await fetch(url, init);
  const parsed = schema.safeParse(await res.json().catch(() => undefined));
  if (!parsed.success) throw new Error(`${url} answered ${res.status} with an unexpected body`);
  return parsed.data;
}

/**
 * Starts the local stack, records it for the other commands (stop() removes the record), and
 * prints both services' health. Refuses while the recorded stack runs: the two would share its
 * state folder, and its record (and keys) would be overwritten.
 */
export async function up(opts: LocalStackOptions, say: (line: string) => void): Promise<LocalStack> {
  const running = await runningLocalStack();
  if (running) {
    throw new StackRunningError(
      `a local stack is already running (edge ${running.edgeUrl}, launcher pid ${running.pid}; ` +
        `its keys are in ${LOCAL_FILE}): use it, or stop it (Ctrl-C where it runs) before starting another`,
    );
  }
  say("starting the GPU worker (CPU) and the edge (wrangler dev, local D1/R2)...");
  const stack = await startLocalStack(opts);
  const { edgeUrl, gpuUrl, adminKey, clientKey, instance } = stack;
  writeLocalState({ edgeUrl, gpuUrl, adminKey, clientKey, instance, pid: process.pid });
  const stopServers = stack.stop;
  stack.stop = async () => {
    clearLocalState(instance);
    await stopServers();
  };
  try {
    const ready = await getJson(Readiness, `${edgeUrl}/ready`);
    const gpu = await getJson(HealthResponse, `${gpuUrl}/rpc/health`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.gpuToken}`, "content-type": "application/json" },
      body: "{}",
    });
    const check = (ok: boolean) => (ok ? "ok" : "down");
    say(
      `edge        ${edgeUrl}  ${ready.status}  (d1 ${check(ready.checks.d1)}, r2 ${check(ready.checks.r2)}, live model: ${ready.live_model ?? "none"})`,
    );
    say(
      `gpu-worker  ${gpuUrl}  ${gpu.status}  (runtime ${gpu.runtime}, device ${gpu.device}, v${gpu.version})`,
    );
    say(`state       ${stack.stateDir}`);
    if (ready.status !== "ready") throw new Error("the edge is not ready");
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return stack;
}
