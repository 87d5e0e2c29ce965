import { execFile, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { readLocalState } from "@genrec/infra/config";
import { edgeClient } from "@genrec/infra/edge-client";
import { REPO_ROOT, stackEdge, startLocalStack } from "@genrec/infra/local-stack";
import { removeDir, scratchDir } from "@genrec/infra/paths";
import { afterAll, describe, expect, it } from "vitest";

// The launcher's state handling and `genrec up` as a user runs it, in a .genrec home of its own
// (GENREC_HOME), so that a developer's running stack and saved state are never touched.
const home = scratchDir("local-test");
const CLI = join(REPO_ROOT, "infra/src/cli.ts");
afterAll(() => removeDir(home));

describe("local stack state", () => {
  it("keeps D1 across a restart on the same state folder", async () => {
    const stateDir = join(home, "state");
    const item = { id: "persist-1", title: "kept across restarts" };
    const first = await startLocalStack({ stateDir });
    try {
      await edgeClient(stackEdge(first)).upsertItems([item]);
    } finally {
      await first.stop();
    }
    expect(existsSync(stateDir)).toBe(true);
    const second = await startLocalStack({ stateDir });
    try {
      const res = await fetch(`${second.edgeUrl}/v1/items/persist-1`, {
        headers: { authorization: `Bearer ${second.clientKey}` },
      });
      expect(res.status).toBe(200);
    } finally {
      await second.stop();
    }
  });

  it("`up` records the stack while it serves, and Ctrl-C stops it and removes the record", async () => {
    const args = ["--import", "tsx", CLI, "up", "--fresh", "--edge-port", "0", "--gpu-port", "0"];
    const child = spawn(process.execPath, args, { env: { ...process.env, GENREC_HOME: home } });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    let record: ReturnType<typeof readLocalState>;
    try {
      const deadline = Date.now() + 150_000;
      while (!out.includes("serving; Ctrl-C to stop") && child.exitCode === null && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 250));
      expect(out).toContain("serving; Ctrl-C to stop");
      record = readLocalState(join(home, "local.json"));
    } finally {
      child.kill("SIGINT"); // the CLI's own stop, so that no server outlives the test
    }
    expect(record?.pid).toBe(child.pid);
    expect(await exited).toBe(0);
    expect(existsSync(join(home, "local.json"))).toBe(false);
    expect(await fetch(`${record?.edgeUrl}/health`).catch(() => "down")).toBe("down");
  });

  it("`up --once --fresh` serves, then stops without printing curl lines, leaving no record or scratch state", async () => {
    const args = ["--import", "tsx", CLI, "up", "--once", "--fresh", "--edge-port", "0", "--gpu-port", "0"];
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        args,
        { env: { ...process.env, GENREC_HOME: home } },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    expect(out).toMatch(/^edge {8}http:\/\/127\.0\.0\.1:\d+ {2}ready/m);
    expect(out).toContain("stopping the stack (--once)");
    expect(out).not.toContain("curl");
    expect(existsSync(join(home, "local.json"))).toBe(false);
    expect(readdirSync(join(home, "tmp")).filter((d) => d.includes("-stack-"))).toEqual([]);
  });
});
