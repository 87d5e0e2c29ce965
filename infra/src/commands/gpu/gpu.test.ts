import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeDir, scratchDir } from "../../paths.ts";
import { modalStandIn } from "../../testing/modal-stand-in.ts";

/*
 * `genrec gpu` as a user runs it, with the real Modal JS SDK talking gRPC to the loopback stand-in of
 * Modal's control plane, which runs gpu-worker/modal_app.py's real functions (a tiny SASRec on the
 * sample) on a folder standing in for the Volume, and serves large outputs as blobs over loopback
 * HTTP as Modal does. No network; no Modal account.
 */

const CLI = fileURLToPath(new URL("../../cli.ts", import.meta.url));
const home = scratchDir("gpu-test");
const results = join(home, "results");
const gpuRuns = join(home, "gpu-runs");
const noConfig = join(home, "modal.toml"); // an empty Modal config: only what a test sets counts
writeFileSync(noConfig, "");
afterAll(() => removeDir(home));

// Each stand-in imports gpu-worker's app (torch included) and each run starts a Python process: on a
// loaded 2-core machine that takes minutes, so the limits are roomy; these tests check behaviour only.
const SLOW = 600_000;
const TINY = ["--model", "sasrec", "--dataset", "sample", "--preset", "tiny", "--every", "1"];

function cliArgs(args: string[]) {
  return ["--import", "tsx", CLI, "gpu", ...args];
}

function cliEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = { ...process.env, GENREC_HOME: home, MODAL_CONFIG_PATH: noConfig };
  for (const name of ["MODAL_TOKEN_ID", "MODAL_TOKEN_SECRET", "MODAL_SERVER_URL", "MODAL_PROFILE"]) {
    delete clean[name];
  }
  return { ...clean, GENREC_RESULTS_DIR: results, GENREC_GPU_RUNS_DIR: gpuRuns, ...env };
}

function genrec(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; out: string; err: string }>((resolve) => {
    execFile(process.execPath, cliArgs(args), { env: cliEnv(env) }, (e, out, err) =>
      resolve({ code: typeof e?.code === "number" ? e.code : 0, out, err }),
    );
  });
}

const runIdOf = (out: string) => /run (\S+) started on Modal \(call fc-/.exec(out)?.[1] as string;

describe("genrec gpu against the Modal stand-in", { timeout: SLOW }, () => {
  let modal: Awaited<ReturnType<typeof modalStandIn>>;
  beforeAll(async () => {
    // small enough that the run's files (a 200 kB checkpoint) come as a blob over HTTP, as on Modal
    modal = await modalStandIn({ maxInlineBytes: 64 * 1024 });
  }, SLOW);
  afterAll(() => modal?.stop());

  it("runs an experiment end to end: spawn, progress, result and checkpoint on disk", async () => {
    const run = await genrec(["run", ...TINY, "--set", "train.epochs=2", "--follow"], modal.env);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    const runId = runIdOf(run.out);
    expect(run.out).toMatch(new RegExp(`run ${runId}: succeeded, epoch 2/2, `));
    const result = JSON.parse(readFileSync(join(results, "baselines", "sample-sasrec-tiny.json"), "utf8"));
    expect(result.config.train.epochs).toBe(2);
    expect(result.test.metrics).toHaveProperty("ndcg@10");
    const best = JSON.parse(readFileSync(join(gpuRuns, runId, "run", "best.json"), "utf8"));
    expect(existsSync(join(gpuRuns, runId, "run", best.weights))).toBe(true);
    expect(modal.tail()).toMatch(/served blob bl-in-\d+ \(\d{6,} bytes\)/); // the files came as a blob
    const list = await genrec(["list"], {});
    expect(list.out).toMatch(
      new RegExp(`^${runId}  sasrec sample tiny  .* fc-\\d+  succeeded, fetched$`, "m"),
    );
    // a second fetch of the same files is fine; a different local result file is not replaced
    writeFileSync(join(results, "baselines", "sample-sasrec-tiny.json"), "{}\n");
    const refetch = await genrec(["fetch", runId], modal.env);
    expect(refetch).toMatchObject({ code: 1 });
    expect(refetch.err).toMatch(/sample-sasrec-tiny\.json exists with other content: .*--force/);
    expect((await genrec(["fetch", runId, "--force"], modal.env)).code).toBe(0);
  });

  it("reports a run the trainer refused as failed, with the trainer's reason", async () => {
    const run = await genrec(["run", ...TINY, "--set", "train.nope=1", "--follow"], modal.env);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^genrec: run \S+ failed on Modal: ExperimentFailed\(.*nope/);
    expect((await genrec(["list"], {})).out).toMatch(new RegExp(`^${runIdOf(run.out)} .* failed$`, "m"));
  });

  it("cancels a run; following it then says it was cancelled", async () => {
    const run = await genrec(["run", ...TINY, "--set", "train.epochs=500"], modal.env);
    const runId = runIdOf(run.out);
    expect(run.out).toContain(`gpu follow ${runId}`);
    const cancel = await genrec(["cancel", runId], modal.env);
    expect(cancel.out).toMatch(new RegExp(`^run ${runId}: cancelled \\(call fc-\\d+\\)$`, "m"));
    const follow = await genrec(["follow", runId, "--every", "1"], modal.env);
    expect(follow.code).toBe(1);
    expect(follow.err).toBe(`genrec: run ${runId} was cancelled on Modal\n`);
  });

  it("says what is missing: the token, a refused token, a run it never started", async () => {
    const none = await genrec(["run", ...TINY], { MODAL_SERVER_URL: modal.url });
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/^genrec: no Modal credentials: set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET/);
    const wrong = await genrec(["run", ...TINY], { ...modal.env, MODAL_TOKEN_SECRET: "as-other" });
    expect(wrong.err).toMatch(/^genrec: Modal refused the token \(.*UNAUTHENTICATED/);
    const unknown = await genrec(["follow", "beauty-rpg-full-x"], modal.env);
    expect(unknown.err).toMatch(/^genrec: no gpu run "beauty-rpg-full-x" was started from here/);
    const bad = await genrec(["run", "--model", "rpg", "--dataset", "beauty", "--preset", "full"], modal.env);
    expect(bad).toMatchObject({ code: 2 });
    expect(bad.err).toMatch(/^genrec: --sids: rpg needs a SID directory/);
  });
});

describe("genrec gpu when Modal says no or goes away", { timeout: SLOW }, () => {
  it("names the function an undeployed app lacks and how to deploy it", async () => {
    const modal = await modalStandIn({ deployed: [] });
    try {
      const run = await genrec(["run", ...TINY], modal.env);
      expect(run.code).toBe(1);
      expect(run.err).toMatch(
        /^genrec: the Modal app "genrec-edge" has no function "experiment" at http:\/\/127/,
      );
      expect(run.err).toContain("deploy it first");
    } finally {
      await modal.stop();
    }
  });

  it("reports a run that outlived the function's timeout", async () => {
    const modal = await modalStandIn({ functionTimeoutS: 1 });
    try {
      const run = await genrec(["run", ...TINY, "--follow"], modal.env);
      expect(run.code).toBe(1);
      expect(run.err).toMatch(
        /^genrec: run \S+ timed out on Modal \(Timeout: Task's input hit its timeout of 1/,
      );
      expect(run.err).toContain("GENREC_MODAL_EXPERIMENT_TIMEOUT_S");
    } finally {
      await modal.stop();
    }
  });

  it("says the connection was lost mid-follow and how to pick the run up again", async () => {
    const modal = await modalStandIn();
    let follow: ChildProcess | undefined;
    try {
      const runId = runIdOf((await genrec(["run", ...TINY, "--set", "train.epochs=500"], modal.env)).out);
      follow = spawn(process.execPath, cliArgs(["follow", runId, "--every", "1"]), {
        env: cliEnv(modal.env),
      });
      let out = "";
      let err = "";
      follow.stdout?.on("data", (d) => {
        out += d;
      });
      follow.stderr?.on("data", (d) => {
        err += d;
      });
      const code = new Promise<number | null>((r) => follow?.once("exit", r));
      while (!out.includes(`run ${runId}: `) && follow.exitCode === null)
        await new Promise((r) => setTimeout(r, 100));
      await modal.kill(); // the follower is now in a long poll on the dead server
      expect(await code).toBe(1);
      expect(err).toMatch(
        /^genrec: lost the connection to Modal at http:\/\/127\.0\.0\.1:\d+ \(.*UNAVAILABLE/,
      );
      expect(err).toContain(`pick it up with \`npm run genrec -- gpu follow ${runId}\``);
    } finally {
      follow?.kill();
      await modal.stop();
    }
  });
});
