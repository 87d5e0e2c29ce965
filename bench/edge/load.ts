/**
 * Edge serving benchmark (issue 8): a bounded closed-loop load on `wrangler dev` (workerd on
 * 127.0.0.1) serving an RPG artifact set, side by side in one run with the same model and the same
 * TypeScript decoder on onnxruntime-node in this process. Writes bench/results/edge/load-<name>.json.
 *
 *   npx tsx bench/edge/load.ts --artifacts gpu-worker/var/artifacts/rpg-beauty-quick --dataset beauty
 *
 * The set is what gpu-worker/src/genrec/rpg/README.md's commands export; when it is missing the run
 * stops at once and prints them.
 *
 * On a shared 2-core machine only the ratios between the two columns mean much; absolute times are
 * reported for completeness.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { publishDir } from "@genrec/infra/commands/models";
import { edgeClient } from "@genrec/infra/edge-client";
import { stackEdge, startLocalStack } from "@genrec/infra/local-stack";
import { run, wranglerCommand } from "@genrec/infra/processes";
import { loadArtifacts } from "../../edge/src/recommend/rpg/artifacts.ts";
import { type DecodeMode, rpgRecommend, setDecodeMode } from "../../edge/src/recommend/rpg/recommend.ts";
import { requireRpgArtifacts } from "../lib/artifacts.ts";
import { histories } from "../lib/histories.ts";
import { closedLoop, loadSummary } from "../lib/load.ts";
import { directorySource, nodeLoaders } from "../lib/node-sets.ts";
import { provenance, REPO, summarize, writeResult } from "../lib/result.ts";

const { values: args } = parseArgs({
  options: {
    artifacts: { type: "string" },
    dataset: { type: "string", default: "beauty" },
    requests: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "4" },
    seconds: { type: "string", default: "120" },
    n: { type: "string", default: "10" },
  },
});
if (!args.artifacts) throw new Error("--artifacts DIR is required (an exported RPG artifact set)");
const dir = resolve(REPO, args.artifacts);
requireRpgArtifacts(dir);
const N = Number(args.n);
const REQUESTS = Number(args.requests);

async function nodeRuntime(version: string) {
  return loadArtifacts(directorySource(dir), version, nodeLoaders.logprobs);
}

async function timeNode(version: string, sessions: string[][], mode: DecodeMode) {
  const art = await nodeRuntime(version);
  const ms: number[] = [];
  for (const history of sessions) {
    const t0 = performance.now();
    await rpgRecommend(art, history, N, true, mode);
    ms.push(performance.now() - t0);
  }
  return summarize(ms);
}

async function loadEdge(
  url: string,
  key: string,
  sessions: string[][],
  concurrency: number,
  seconds: number,
) {
  const { samples, wall_s } = await closedLoop({
    total: sessions.length,
    concurrency,
    maxSeconds: seconds,
    send: (i) =>
      fetch(`${url}/v1/recommendations`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ history: sessions[i], n: N }),
      }),
  });
  return { ...loadSummary(samples, wall_s), concurrency };
}

/** Resident memory of all workerd processes (the isolate's runtime), MiB. */
function workerdRssMiB(): number {
  const rows = execFileSync("ps", ["-eo", "rss,comm"], { encoding: "utf8" }).split("\n");
  return (
    rows
      .filter((r) => r.trim().endsWith("workerd"))
      .reduce((s, r) => s + Number(r.trim().split(/\s+/)[0]), 0) / 1024
  );
}

async function bundleSize() {
  const [node, wrangler] = wranglerCommand();
  const out = await run(
    node,
    [
      ...wrangler,
      "deploy",
      "--dry-run",
      "--outdir",
      "/tmp/genrec-bundle",
      "-c",
      join(REPO, "infra/wrangler.jsonc"),
    ],
    {
      cwd: REPO,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    },
  );
  const m = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(out);
  return m ? { raw_kib: Number(m[1]), gzip_kib: Number(m[2]) } : null;
}

const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as {
  version: string;
  n_items: number;
  digits: number;
  decode: object;
};
const sessions = histories(args.dataset as string, REQUESTS).filter((h) => h.length > 0);
console.log(`${sessions.length} real histories from ${args.dataset}; artifact set ${manifest.version}`);

/** One edge run: a fresh local stack with the decoder forced to `mode`, the set published and live. */
async function edgeRun(mode: DecodeMode) {
  const stack = await startLocalStack({ vars: { DECODE_MODE: mode } });
  try {
    const edge = edgeClient(stackEdge(stack));
    await publishDir(edge, dir, () => {});
    await edge.activate(manifest.version);
    const rssIdle = workerdRssMiB();
    await loadEdge(stack.edgeUrl, stack.clientKey, sessions.slice(0, 20), 1, 60); // warm the isolate
    const rssLoaded = workerdRssMiB();
    console.log(`edge load (${mode})...`);
    const concurrent = await loadEdge(
      stack.edgeUrl,
      stack.clientKey,
      sessions,
      Number(args.concurrency),
      Number(args.seconds),
    );
    const serial = await loadEdge(
      stack.edgeUrl,
      stack.clientKey,
      sessions.slice(0, 200),
      1,
      Number(args.seconds),
    );
    return {
      concurrent,
      serial,
      workerd_rss_mib: { before_model: rssIdle, after_model: rssLoaded, model_delta: rssLoaded - rssIdle },
    };
  } finally {
    await stack.stop();
  }
}

const edgeGraph = await edgeRun("graph");
const edgeExhaustive = await edgeRun("exhaustive");
console.log("onnxruntime-node, same decoder...");
const nodeGraph = await timeNode(manifest.version, sessions.slice(0, 200), "graph");
const nodeExhaustive = await timeNode(manifest.version, sessions.slice(0, 200), "exhaustive");
const result = {
  benchmark: "edge-load",
  ...provenance(),
  note: "closed-loop load on wrangler dev (127.0.0.1) vs the same model and TypeScript decoder on onnxruntime-node in-process; shared 2-core machine: compare ratios",
  config: {
    artifacts: args.artifacts,
    dataset: args.dataset,
    n: N,
    requests: sessions.length,
    concurrency: Number(args.concurrency),
    default_mode_for_this_set: setDecodeMode("auto", manifest),
    manifest: {
      version: manifest.version,
      n_items: manifest.n_items,
      digits: manifest.digits,
      decode: manifest.decode,
    },
  },
  edge_workerd: { graph: edgeGraph, exhaustive: edgeExhaustive },
  onnxruntime_node: { graph: nodeGraph, exhaustive: nodeExhaustive },
  ratios_p50: {
    edge_over_node_graph: edgeGraph.serial.p50_ms / nodeGraph.p50_ms,
    edge_over_node_exhaustive: edgeExhaustive.serial.p50_ms / nodeExhaustive.p50_ms,
    node_graph_over_exhaustive: nodeGraph.p50_ms / nodeExhaustive.p50_ms,
  },
  bundle: await bundleSize(),
};
const path = writeResult(`edge/load-${args.dataset}.json`, result);
console.table({
  "edge graph, serial": edgeGraph.serial,
  [`edge graph, x${args.concurrency}`]: edgeGraph.concurrent,
  "edge exhaustive, serial": edgeExhaustive.serial,
  [`edge exhaustive, x${args.concurrency}`]: edgeExhaustive.concurrent,
  "node graph": nodeGraph,
  "node exhaustive": nodeExhaustive,
});
console.log(`wrote ${path}`);
