/**
 * int8 against fp32 on the served set (issue 16 item 5): the RPG set's model.onnx and its
 * model.int8.onnx (dynamic quantization of the MatMul weights, genrec.rpg.export) each serve every
 * test history through the edge's loader and scorer (onnxruntime-node in place of onnxruntime-web),
 * seen items excluded. The int8 loss counts as noise when the paired bootstrap 95% interval of the
 * per-user NDCG@10 difference holds 0. Writes bench/results/edge/int8-<version>.json.
 *
 *   npx tsx bench/edge/int8-accuracy.ts --artifacts gpu-worker/var/artifacts/rpg-beauty-cpu
 */
import { readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ArtifactManifest } from "@genrec/shared";
import { loadSet } from "../../edge/src/recommend/sets/load.ts";
import { recommendFromSet } from "../../edge/src/recommend/sets/serve.ts";
import { sequences } from "../lib/histories.ts";
import { prng } from "../lib/ingest.ts";
import { directorySource, nodeLoaders } from "../lib/node-sets.ts";
import { provenance, REPO, summarize, writeResult } from "../lib/result.ts";

const { values: args } = parseArgs({
  options: {
    artifacts: { type: "string", default: "gpu-worker/var/artifacts/rpg-beauty-cpu" },
    dataset: { type: "string", default: "beauty" },
    users: { type: "string" },
    resamples: { type: "string", default: "1000" },
  },
});
const dir = resolve(REPO, args.artifacts);
const version = basename(dir);
const fp32 = ArtifactManifest.parse(JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")));
if (fp32.model !== "rpg" || !fp32.files["model.int8.onnx"])
  throw new Error(`${dir}: no RPG set with model.int8.onnx`);
const int8 = { ...fp32, onnx: { ...fp32.onnx, file: "model.int8.onnx" as const, quantized: true } };
const users = sequences(args.dataset, args.users ? Number(args.users) : undefined);

/** Per-user NDCG@10 (0 on a miss) and the time of each recommendation. */
async function score(manifest: ArtifactManifest) {
  const set = await loadSet(directorySource(dir), version, nodeLoaders, manifest);
  const ndcg = new Float64Array(users.length);
  const ms: number[] = [];
  for (const [u, items] of users.entries()) {
    const history = items.slice(0, -1).slice(-50);
    const t0 = performance.now();
    const top = await recommendFromSet(set, { history, n: 10, excludeSeen: true }, "exhaustive");
    ms.push(performance.now() - t0);
    const rank = top.findIndex((i) => i.item_id === items.at(-1));
    if (rank >= 0) ndcg[u] = 1 / Math.log2(rank + 2);
  }
  return { ndcg, ms };
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i] as number;
  return s / xs.length;
}
const a = await score(fp32);
const b = await score(int8);
const diff = a.ndcg.map((v, i) => (b.ndcg[i] as number) - v);
const rand = prng(16);
const boots: number[] = [];
for (let r = 0; r < Number(args.resamples); r++) {
  let s = 0;
  for (let i = 0; i < diff.length; i++) s += diff[Math.floor(rand() * diff.length)] as number;
  boots.push(s / diff.length);
}
boots.sort((x, y) => x - y);
const ci = [boots[Math.floor(0.025 * boots.length)], boots[Math.floor(0.975 * boots.length)]] as [
  number,
  number,
];
const fp32Mean = mean(a.ndcg);
const result = {
  ...provenance(),
  benchmark: "int8-accuracy",
  version,
  dataset: args.dataset,
  users: users.length,
  bytes: { fp32: fp32.files["model.onnx"]?.bytes, int8: fp32.files["model.int8.onnx"]?.bytes },
  fp32: {
    "ndcg@10": mean(a.ndcg),
    hits: a.ndcg.filter((v) => v > 0).length,
    per_recommendation: summarize(a.ms),
  },
  int8: {
    "ndcg@10": mean(b.ndcg),
    hits: b.ndcg.filter((v) => v > 0).length,
    per_recommendation: summarize(b.ms),
  },
  int8_minus_fp32: {
    "ndcg@10": mean(diff),
    bootstrap_95: ci,
    users_changed: diff.filter((d) => d !== 0).length,
  },
  /** The test set's own sampling noise: the standard error of fp32's mean NDCG@10. */
  fp32_standard_error: Math.sqrt(mean(a.ndcg.map((v) => (v - fp32Mean) ** 2)) / users.length),
  within_noise: ci[0] <= 0 && ci[1] >= 0,
};
console.log(JSON.stringify(result, null, 2));
console.log(`wrote ${writeResult(`edge/int8-${version}.json`, result)}`);
