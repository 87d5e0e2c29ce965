import { HealthResponse, Readiness } from "@genrec/shared";
import { writeLocalState } from "../config.ts";
import { type LocalStack, type LocalStackOptions, startLocalStack } from "../local-stack.ts";

/** Starts the local stack, records it for the other commands, and prints both services' health. */
export async function up(opts: LocalStackOptions, say: (line: string) => void): Promise<LocalStack> {
  say("starting the GPU worker (CPU) and the edge (wrangler dev, local D1/R2)...");
  const stack = await startLocalStack(opts);
  writeLocalState({
    edgeUrl: stack.edgeUrl,
    gpuUrl: stack.gpuUrl,
    adminKey: stack.adminKey,
    clientKey: stack.clientKey,
  });
  const ready = Readiness.parse(await (await fetch(`${stack.edgeUrl}/ready`)).json());
  const gpuRes = await fetch(`${stack.gpuUrl}/rpc/health`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.gpuToken}`, "content-type": "application/json" },
    body: "{}",
  });
  const gpu = HealthResponse.parse(await gpuRes.json());
  const check = (ok: boolean) => (ok ? "ok" : "down");
  say(
    `edge        ${stack.edgeUrl}  ${ready.status}  (d1 ${check(ready.checks.d1)}, r2 ${check(ready.checks.r2)}, live model: ${ready.live_model ?? "none"})`,
  );
  say(
    `gpu-worker  ${stack.gpuUrl}  ${gpu.status}  (runtime ${gpu.runtime}, device ${gpu.device}, v${gpu.version})`,
  );
  if (ready.status !== "ready") throw new Error("the edge is not ready");
  return stack;
}
