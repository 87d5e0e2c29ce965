/**
 * What an exported set scores when the edge's own code serves it (issue 16 item 3): every user's
 * test history (items before the last, newest 50) through the edge's loader and scorers in this
 * process (onnxruntime-node in place of onnxruntime-web), seen items excluded, ranked against the
 * held-out last item. NDCG/recall@10 should equal the Python evaluation's seen-filtered test
 * figures (`--result`: a baseline's or an RPG run's result file, or `genrec.rpg.fuse`'s with
 * `--lambda`, the prior the set was exported with): the same model, ranked the same way. Also the
 * time per recommendation. `--mode graph` serves RPG by graph decoding instead (what the edge picks
 * for large catalogues and text terms), which may rank lower. Writes
 * bench/results/edge/served-<version>[-graph].json.
 *
 *   npx tsx bench/edge/served-accuracy.ts --artifacts gpu-worker/var/artifacts/sasrec-beauty-cpu \
 *     --result bench/results/baselines/beauty-sasrec-cpu.json
 */
import { readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadSet } from "../../edge/src/recommend/sets/load.ts";
import { recommendFromSet } from "../../edge/src/recommend/sets/serve.ts";
import { sequences } from "../lib/histories.ts";
import { directorySource, nodeLoaders } from "../lib/node-sets.ts";
import { provenance, REPO, summarize, writeResult } from "../lib/result.ts";

const { values: args } = parseArgs({
  options: {
    artifacts: { type: "string" },
    dataset: { type: "string", default: "beauty" },
    result: { type: "string" },
    users: { type: "string" },
    mode: { type: "string", default: "exhaustive" },
    lambda: { type: "string" },
  },
});
if (args.mode !== "exhaustive" && args.mode !== "graph") throw new Error("--mode is exhaustive or graph");
if (!args.artifacts) throw new Error("--artifacts DIR is required (an exported artifact set)");
const dir = resolve(REPO, args.artifacts);
const version = basename(dir);
const started = performance.now();
const set = await loadSet(directorySource(dir), version, nodeLoaders);
const loadMs = performance.now() - started;

let ndcg = 0;
let hits = 0;
const ms: number[] = [];
const users = sequences(args.dataset, args.users ? Number(args.users) : undefined);
for (const items of users) {
  const target = items.at(-1) as string;
  const history = items.slice(0, -1).slice(-50);
  const t0 = performance.now();
  const top = await recommendFromSet(set, { history, n: 10, excludeSeen: true }, args.mode);
  ms.push(performance.now() - t0);
  const rank = top.findIndex((i) => i.item_id === target);
  if (rank >= 0) {
    hits++;
    ndcg += 1 / Math.log2(rank + 2);
  }
}
const files = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")).files as Record<string, unknown>;
/** The Python evaluation's seen-filtered test figures, wherever the result file's kind keeps them. */
function pythonFigures(path: string): object | null {
  const data = JSON.parse(readFileSync(resolve(REPO, path), "utf8"));
  if (args.lambda !== undefined)
    return data.by_lambda?.[String(Number(args.lambda).toFixed(1))]?.test?.seen_filtered ?? null;
  return data.test?.seen_filtered ?? data.test?.exhaustive?.seen_filtered ?? null;
}
const python = args.result ? pythonFigures(args.result) : null;
const result = {
  ...provenance(),
  version,
  model: set.manifest.model,
  dataset: args.dataset,
  bytes: Object.fromEntries(Object.keys(files).map((f) => [f, statSync(join(dir, f)).size])),
  load_ms: loadMs,
  users: users.length,
  edge_seen_filtered: { "ndcg@10": ndcg / users.length, "recall@10": hits / users.length },
  decode: set.kind === "rpg" ? args.mode : null,
  python_seen_filtered: python,
  per_recommendation: summarize(ms),
};
console.log(JSON.stringify(result, null, 2));
console.log(
  `wrote ${writeResult(`edge/served-${version}${args.mode === "graph" ? "-graph" : ""}.json`, result)}`,
);
