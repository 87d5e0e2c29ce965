import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readLocalState } from "@genrec/infra/config";
import { INSTANCE_HEADER } from "@genrec/infra/instance";
import { REPO_ROOT } from "@genrec/infra/local-stack";
import { removeDir, scratchDir } from "@genrec/infra/paths";
import { readSample } from "@genrec/infra/sample";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Issue #19's walk (gpu-worker/README.md, "From your own data to a served model") with the
// documented commands only, run as processes: a shop's own data in a non-canonical format (events
// CSV + items JSONL: the bundled sample's 300 users and 2,795 items under ids of its own) goes
// through `genrec data import`, `genrec.sid build`, `genrec.rpg.train` (tiny), `genrec.rpg.export`,
// then, against a stack started with `genrec up`, `import --dir`, `publish`, `activate` and
// `recommend`. Everything lives in a scratch GENREC_HOME (the stack's record and state) and
// GENREC_IMPORTS (the imported dataset), with explicit output folders, so neither a developer's
// stack nor gpu-worker/var is touched (but for the shared embedding cache, var/cache/embeddings).
const home = scratchDir("byod");
const own = join(home, "own"); // the user's files
const env = { ...process.env, GENREC_HOME: home, GENREC_IMPORTS: join(home, "data") };
const CLI = join(REPO_ROOT, "infra/src/cli.ts");
const GPU = join(REPO_ROOT, "gpu-worker");
const NAME = "shop";
const VERSION = `rpg-${NAME}-tiny`;
const paths = {
  sids: join(home, "sids"),
  run: join(home, "run"),
  results: join(home, "results"),
  artifacts: join(home, "artifacts", VERSION),
};

const say = (line: string) => console.log(`[byod] ${line}`);

/** Runs a command to completion; rejects with its output when it fails. */
function sh(cmd: string, args: string[], cwd: string, shown: string): Promise<string> {
  const started = Date.now();
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { cwd, env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      say(`${((Date.now() - started) / 1000).toFixed(1)} s  ${shown}`);
      if (err) reject(new Error(`${cmd} ${args.join(" ")}: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    }),
  );
}
/** `npm run genrec -- ARGS` (the npm script is `tsx infra/src/cli.ts`). */
const genrec = (...args: string[]) =>
  sh(process.execPath, ["--import", "tsx", CLI, ...args], REPO_ROOT, `genrec ${args.slice(0, 2).join(" ")}`);
/** `uv run python -m MODULE ARGS` in gpu-worker/, as the README's steps 2-4 are written. */
const python = (module: string, ...args: string[]) =>
  sh("uv", ["run", "--frozen", "python", "-m", module, ...args], GPU, `python -m ${module} ${args[0]}`);

/** The sample as a shop would export it: clicks.csv (ISO timestamps) and items.jsonl. */
function writeOwnData(): { catalogue: Set<string>; histories: Map<string, string[]> } {
  const { items, events } = readSample();
  const item = (id: string) => `sku-${id}`;
  const user = (id: string) => `cust-${id}`;
  const rows = events.map((e) => `${user(e.user_id)},${item(e.item_id)},${e.timestamp}`);
  mkdirSync(own);
  writeFileSync(join(own, "clicks.csv"), `user_id,item_id,timestamp\n${rows.join("\n")}\n`);
  const lines = items.map((i) => JSON.stringify({ ...i, id: item(i.id) }));
  writeFileSync(join(own, "items.jsonl"), `${lines.join("\n")}\n`);
  const histories = new Map<string, string[]>();
  for (const e of events) {
    const seen = histories.get(user(e.user_id)) ?? [];
    histories.set(user(e.user_id), [...seen, item(e.item_id)]);
  }
  return { catalogue: new Set(items.map((i) => item(i.id))), histories };
}

let up: ChildProcess | undefined;
let upOutput = "";
let upReady: Promise<void>;

/** `genrec up --fresh` on free ports, as a user starts it; resolves once it serves. */
function startUp(): Promise<void> {
  const args = ["--import", "tsx", CLI, "up", "--fresh", "--edge-port", "0", "--gpu-port", "0"];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env });
  up = child;
  child.stdout.on("data", (d) => (upOutput += d));
  child.stderr.on("data", (d) => (upOutput += d));
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 170_000;
    const poll = setInterval(() => {
      if (upOutput.includes("serving; Ctrl-C to stop")) {
        clearInterval(poll);
        resolve();
      } else if (child.exitCode !== null || Date.now() > deadline) {
        clearInterval(poll);
        reject(new Error(`genrec up did not start (exit ${child.exitCode}):\n${upOutput}`));
      }
    }, 250);
  });
}

let data: ReturnType<typeof writeOwnData>;
beforeAll(() => {
  data = writeOwnData();
  // The stack starts while the Python steps run: the edge step waits for it.
  upReady = startUp();
  upReady.catch(() => {}); // reported by the edge step's await
});
afterAll(async () => {
  if (up && up.exitCode === null) {
    const exited = new Promise((resolve) => up?.once("exit", resolve));
    up.kill("SIGINT"); // the CLI's own stop: both servers and the --fresh state go with it
    await exited;
  }
  removeDir(home);
});

describe("bring your own dataset: events CSV + items JSONL to a served recommendation", () => {
  it("imports the shop's files with `genrec data import` (validated first)", async () => {
    const clicks = join(own, "clicks.csv");
    const items = join(own, "items.jsonl");
    expect(await genrec("data", "validate", clicks, "--items", items)).toContain(
      "ok: 300 users, 2795 items, 4161 interactions",
    );
    const out = await genrec("data", "import", clicks, "--items", items, "--name", NAME);
    expect(out).toContain(`wrote ${join(home, "data", NAME)}: 300 users, 2795 items`);
  }, 120_000);

  it("builds RPG SIDs, trains the tiny preset and exports the artifact set, by the dataset's name", async () => {
    // m 8 and 10 OPQ/PQ iterations: the jobs pipeline's tiny SIDs (jobs/validation.py SID_PRESETS)
    const results = ["--results-dir", paths.results];
    const tinySids = ["--m", "8", "--opq-iters", "10", "--pq-iters", "10"];
    await python(
      "genrec.sid",
      "build",
      "--dataset",
      NAME,
      "--scheme",
      "rpg",
      ...tinySids,
      "--out",
      paths.sids,
      ...results,
    );
    await python(
      "genrec.rpg.train",
      "--dataset",
      NAME,
      "--preset",
      "tiny",
      "--sids",
      paths.sids,
      "--out",
      paths.run,
      ...results,
    );
    const result = JSON.parse(readFileSync(join(paths.results, `${NAME}-tiny.json`), "utf8"));
    expect(result.dataset_defaults.tuned).toBe(false);
    const args = ["--checkpoint", paths.run, "--out", paths.artifacts];
    await python("genrec.rpg.export", ...args, "--result", join(paths.results, `${NAME}-tiny.json`));
    const manifest = JSON.parse(readFileSync(join(paths.artifacts, "manifest.json"), "utf8"));
    expect(manifest).toMatchObject({ version: VERSION, model: "rpg", n_items: 2795 });
  }, 170_000);

  it("imports the dataset into the edge, publishes and activates the set, and recommends from it", async () => {
    await upReady;
    // the CLI finds the stack through GENREC_HOME/local.json; it must be the one started here
    const record = readLocalState(join(home, "local.json"));
    expect(record?.pid).toBe(up?.pid);
    const health = await fetch(`${record?.edgeUrl}/health`);
    expect(health.headers.get(INSTANCE_HEADER)).toBe(record?.instance);

    const started = Date.now();
    const imported = await genrec("import", "--dir", join(home, "data", NAME));
    expect(imported).toContain("imported 2795 items");
    expect(imported).toContain("imported 4161 events");
    expect(await genrec("publish", paths.artifacts)).toContain(`registered ${VERSION} (rpg)`);
    expect(JSON.parse(await genrec("activate", VERSION))).toMatchObject({ version: VERSION, live: true });
    const [customer, history] = [...data.histories][0] as [string, string[]];
    const rec = JSON.parse(await genrec("recommend", "--user", customer, "--n", "10"));
    say(
      `edge step (import --dir, publish, activate, recommend): ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    expect(rec).toMatchObject({ model: "rpg", model_version: VERSION });
    const items = (rec.items as Array<{ item_id: string }>).map((i) => i.item_id);
    expect(items).toHaveLength(10);
    expect(new Set(items).size).toBe(10);
    expect(items.filter((i) => !data.catalogue.has(i))).toEqual([]); // the shop's catalogue only
    expect(items.filter((i) => history.includes(i))).toEqual([]); // nothing the customer already has
  }, 170_000);
});
