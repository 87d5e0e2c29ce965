import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { INSTANCE_HEADER, instanceAt } from "./instance.ts";

export type Log = (line: string) => void;

export interface Service {
  name: string;
  /** Its health route, which must report `instance` (instance.ts). */
  url: string;
  instance: string;
  process: ChildProcess;
  /** The last lines the process printed, for error messages when it dies or never gets healthy. */
  tail(): string;
}

/** Starts a long-running process in its own process group, keeping the tail of its output. */
export function startProcess(
  name: string,
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; log: Log },
) {
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) {
      if (!line.trim()) continue;
      lines.push(line);
      if (lines.length > 40) lines.shift();
      opts.log(`[${name}] ${line}`);
    }
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { child, tail: () => lines.join("\n") };
}

/** Something answered a service's health route without its instance value: not our process. */
export class ForeignServerError extends Error {
  override name = "ForeignServerError";
}

/**
 * Polls the health route until it answers 2xx with the service's own instance value, the process
 * exits, or `timeoutMs` passes. Any other server answering there is an error at once: the caller
 * must not send it keys.
 */
export async function waitHealthy(service: Service, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.process.exitCode !== null) {
      throw new Error(`${service.name} exited with ${service.process.exitCode}:\n${service.tail()}`);
    }
    const instance = await instanceAt(service.url);
    if (instance !== undefined) {
      if (instance === service.instance) return;
      throw new ForeignServerError(
        `${service.name}: another server answers ${service.url} (${INSTANCE_HEADER}: ${instance ?? "none"}), ` +
          "not the process this launcher started; stopped without sending it any key",
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${service.name} not healthy at ${service.url} after ${timeoutMs} ms:\n${service.tail()}`);
}

/** Stops a process group: SIGTERM, then SIGKILL if it lingers. */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), s);
    } catch {
      // already gone
    }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Kills a process group at once, as a crash or an OOM kill would: no chance to clean up. */
export async function killProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  process.kill(-child.pid, "SIGKILL");
  await exited;
}

/** Runs a command to completion; rejects with its output when it fails. */
export function run(
  cmd: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(" ")} failed (${code}):\n${out}`)),
    );
  });
}

/** The wrangler CLI of this checkout, run with the current Node (22 under npm scripts). */
export function wranglerCommand(): [string, string[]] {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve("wrangler/package.json");
  return [process.execPath, [join(dirname(pkg), "bin", "wrangler.js")]];
}
