import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { type LocalState, writeLocalState } from "./config.ts";
import { removeDir, scratchDir } from "./paths.ts";
import { claimPort } from "./ports.ts";
import { fakeServer } from "./testing/fake-server.ts";

// The CLI as a user runs it, with its own .genrec home (GENREC_HOME) so no real stack is touched.
const CLI = fileURLToPath(new URL("./cli.ts", import.meta.url));
const home = scratchDir("cli-test");
afterAll(() => removeDir(home));

const record = (edgeUrl: string): LocalState => ({
  edgeUrl,
  gpuUrl: "http://127.0.0.1:1",
  adminKey: "admin-k",
  clientKey: "client-k",
  instance: "run-1",
  pid: 1,
});

function genrec(args: string[], env: Record<string, string> = {}) {
  const clean: NodeJS.ProcessEnv = { ...process.env, GENREC_HOME: home };
  for (const name of ["GENREC_EDGE_URL", "GENREC_ADMIN_KEY", "GENREC_CLIENT_KEY"]) delete clean[name];
  return new Promise<{ code: number; out: string; err: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", CLI, ...args],
      { env: { ...clean, ...env } },
      (e, out, err) => resolve({ code: typeof e?.code === "number" ? e.code : 0, out, err }),
    );
  });
}

describe("genrec CLI", () => {
  it("names an unknown command and points to --help; -h prints the usage", async () => {
    const unknown = await genrec(["trian"]);
    expect(unknown).toMatchObject({ code: 2, out: "" });
    expect(unknown.err).toMatch(/^genrec: unknown command "trian"\nrun `npm run genrec -- --help`/);
    const help = await genrec(["-h"]);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^usage: npm run genrec -- <command>/);
    expect(help.out).toContain("cancel JOB");
  });

  it("names a missing argument with the command's synopsis, before looking for an edge", async () => {
    expect((await genrec(["status"])).err).toMatch(
      /^genrec: status needs JOB \(usage: npm run genrec -- status JOB/,
    );
    expect((await genrec(["cancel"])).err).toMatch(/^genrec: cancel needs JOB/);
    const train = await genrec(["train", "--wait"]);
    expect(train).toMatchObject({ code: 2 });
    expect(train.err).toMatch(/^genrec: train needs --preset tiny\|quick\|cpu\|full/);
    expect((await genrec(["models", "--edge", "not a url"])).err).toMatch(/^genrec: --edge "not a url": /);
  });

  it("says how to start the stack when none is recorded, or when nothing answers", async () => {
    const none = await genrec(["models"]);
    expect(none).toMatchObject({ code: 1 });
    expect(none.err).toMatch(/no edge to talk to: start the local stack with `npm start`/);
    const url = `http://127.0.0.1:${await claimPort(0, "test")}`;
    const down = await genrec(["models"], { GENREC_EDGE_URL: url, GENREC_CLIENT_KEY: "k" });
    expect(down.err).toContain(`cannot reach the edge at ${url} (GET /v1/models: ECONNREFUSED)`);
    expect(down.err).not.toContain("fetch failed");
  });

  it("cancels a job on the recorded stack, and sends its keys to nothing that is not that stack", async () => {
    const job = { job_id: "j1", model: "rpg", state: "cancelled", phase: "cancelled", progress: 0.2 };
    const times = { created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:05Z", logs: [] };
    const ours = await fakeServer("run-1", { ...job, ...times });
    const foreign = await fakeServer("run-2");
    const file = join(home, "local.json");
    try {
      writeLocalState(record(ours.url), file);
      const cancelled = await genrec(["cancel", "j1"]);
      expect(cancelled).toMatchObject({ code: 0, out: "job j1: cancelled\n" });
      expect(ours.seen.map((r) => `${r.method} ${r.url}`)).toEqual([
        "GET /health",
        "POST /v1/jobs/j1/cancel",
      ]);
      expect(ours.seen[1]?.headers.authorization).toBe("Bearer admin-k");

      writeLocalState(record(foreign.url), file);
      const refused = await genrec(["cancel", "j1"]);
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(/cannot reach the edge at .* \(another server answers there/);
      expect(foreign.seen.some((r) => r.headers.authorization)).toBe(false);
    } finally {
      await Promise.all([ours.close(), foreign.close()]);
    }
  });

  it("refuses `up` over a running stack with a clear line, leaving its record as it was", async () => {
    const running = await fakeServer("run-1");
    const file = join(home, "local.json");
    try {
      writeLocalState(record(running.url), file);
      const before = readFileSync(file, "utf8");
      const up = await genrec(["up", "--once", "--edge-port", "0", "--gpu-port", "0"]);
      expect(up.code).toBe(1);
      expect(up.err).toMatch(/^genrec: a local stack is already running \(edge http:\/\/127\.0\.0\.1:\d+/);
      expect(up.err).not.toMatch(/ZodError|issues/);
      expect(readFileSync(file, "utf8")).toBe(before);
      expect(running.seen.every((r) => r.url === "/health" && !r.headers.authorization)).toBe(true);
    } finally {
      await running.close();
    }
  });

  it("refuses a busy port with a clear line instead of talking to whatever holds it", async () => {
    const busy = await fakeServer();
    try {
      const up = await genrec([
        "up",
        "--once",
        "--fresh",
        "--edge-port",
        String(busy.port),
        "--gpu-port",
        "0",
      ]);
      expect(up.code).toBe(1);
      expect(up.err).toContain(`port ${busy.port} (--edge-port) is in use`);
      expect(busy.seen).toEqual([]);
    } finally {
      await busy.close();
    }
  });
});
