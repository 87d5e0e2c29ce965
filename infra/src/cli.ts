#!/usr/bin/env -S npx tsx
/**
 * genrec — the project's CLI. `genrec up` starts the embedded default (local GPU worker + the edge
 * in wrangler dev) and shows both healthy. Later commands (train, status, publish, deploy) build on it.
 */
import { parseArgs } from "node:util";
import { HealthResponse, Readiness } from "@genrec/shared";
import { startLocalStack } from "./local-stack.ts";

const USAGE = `usage: genrec up [--once] [--edge-port 8787] [--gpu-port 8788] [--state-dir DIR] [--verbose]

  up   start the GPU worker (CPU, local) and the edge (wrangler dev, local D1/R2), check both,
       print where to reach them, and keep serving until Ctrl-C (--once: stop after the checks)`;

async function up(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      once: { type: "boolean", default: false },
      "edge-port": { type: "string", default: "8787" },
      "gpu-port": { type: "string", default: "8788" },
      "state-dir": { type: "string" },
      verbose: { type: "boolean", default: false },
    },
  });
  const say = (line: string) => console.log(line);
  say("starting the GPU worker (CPU) and the edge (wrangler dev)...");
  const stack = await startLocalStack({
    edgePort: Number(values["edge-port"]),
    gpuPort: Number(values["gpu-port"]),
    stateDir: values["state-dir"],
    log: values.verbose ? say : () => {},
  });
  try {
    const ready = Readiness.parse(await (await fetch(`${stack.edgeUrl}/ready`)).json());
    const gpuRes = await fetch(`${stack.gpuUrl}/rpc/health`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.gpuToken}`, "content-type": "application/json" },
      body: "{}",
    });
    const gpu = HealthResponse.parse(await gpuRes.json());
    say(
      `edge        ${stack.edgeUrl}  ${ready.status}  (d1 ${ready.checks.d1 ? "ok" : "down"}, r2 ${ready.checks.r2 ? "ok" : "down"}, live model: ${ready.live_model ?? "none yet"})`,
    );
    say(
      `gpu-worker  ${stack.gpuUrl}  ${gpu.status}  (runtime ${gpu.runtime}, device ${gpu.device}, v${gpu.version})`,
    );
    say(`try:  curl ${stack.edgeUrl}/ready   |   curl ${stack.edgeUrl}/openapi.json`);
    say(`local D1/R2 state: ${stack.stateDir}`);
    if (ready.status !== "ready") process.exitCode = 1;
    if (!values.once) {
      say("serving; Ctrl-C to stop");
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
    }
  } finally {
    await stack.stop();
  }
}

const [command, ...rest] = process.argv.slice(2);
if (command === "up") await up(rest);
else {
  console.error(USAGE);
  process.exitCode = command === undefined || command === "--help" ? 0 : 2;
}
