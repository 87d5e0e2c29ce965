/**
 * Where a recommendation's time goes (issue 16 items 4 and 5), side by side in one run: the same
 * RPG set and TypeScript decoder in this process (onnxruntime-node, and onnxruntime-web's wasm as
 * the isolate runs it), the bundled Worker in workerd without the dev proxy (Miniflare, straight
 * to workerd's socket), and through `wrangler dev`; p50/p99 and throughput at concurrency 1, 4, 16.
 * Probes split the edge's time: GET /health (HTTP and the app's floor), a pinned `model_version`
 * (one more D1 read, as every request paid before the live version was cached), and the old
 * GROUP BY popularity against item_counts. Then the isolate's heap with the set live (fp32, then
 * int8 beside it) and the bundle size. Writes bench/results/edge/hotpath-<dataset>.json.
 *
 *   npx tsx bench/edge/hotpath.ts --artifacts gpu-worker/var/artifacts/rpg-beauty-cpu
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { publishDir } from "@genrec/infra/commands/models";
import { edgeClient } from "@genrec/infra/edge-client";
import { stackEdge, startLocalStack } from "@genrec/infra/local-stack";
import { loadArtifacts } from "../../edge/src/recommend/rpg/artifacts.ts";
import { rpgRecommend, setDecodeMode } from "../../edge/src/recommend/rpg/recommend.ts";
import { requireRpgArtifacts } from "../lib/artifacts.ts";
import { int8Variant, seedEdge } from "../lib/edge-seed.ts";
import { histories, sequences } from "../lib/histories.ts";
import { closedLoop, loadSummary } from "../lib/load.ts";
import { directorySource, nodeLoaders } from "../lib/node-sets.ts";
import { provenance, REPO, writeResult } from "../lib/result.ts";
import { webLogprobs } from "../lib/web-sets.ts";
import { bundleWorker, startWorkerd } from "../lib/workerd.ts";

const { values: args } = parseArgs({
  options: {
    artifacts: { type: "string", default: "gpu-worker/var/artifacts/rpg-beauty-cpu" },
    dataset: { type: "string", default: "beauty" },
    requests: { type: "string", default: "300" },
    stored: { type: "string", default: "2000" },
  },
});
const dir = resolve(REPO, args.artifacts);
requireRpgArtifacts(dir);
const REQUESTS = Number(args.requests);
const LEVELS = [1, 4, 16];
const sessions = histories(args.dataset, REQUESTS).filter((h) => h.length > 0);
const stored = sequences(args.dataset, REQUESTS + Number(args.stored)).slice(REQUESTS);
const { version } = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { version: string };

/** `send(i)` for the sessions at each concurrency level: p50/p99 and throughput. */
async function levels(send: (i: number) => Promise<Response>, at = LEVELS) {
  const out: Record<string, ReturnType<typeof loadSummary>> = {};
  for (const concurrency of at) {
    const { samples, wall_s } = await closedLoop({ total: sessions.length, concurrency, send });
    out[`c${concurrency}`] = loadSummary(samples, wall_s);
  }
  return out;
}

/** The decoder in this process; the answer goes through JSON as the edge's does. */
async function inProcess(loader: typeof nodeLoaders.logprobs) {
  const set = await loadArtifacts(directorySource(dir), version, loader);
  const mode = setDecodeMode("auto", set.manifest);
  return levels(async (i) => {
    const items = await rpgRecommend(set, sessions[i] as string[], 10, true, mode);
    return new Response(JSON.stringify({ items }));
  });
}

/** POST /v1/recommendations for session `i`, with `extra` in the body. */
const sessionAt = (url: string, key: string, extra: object) => (i: number) =>
  fetch(`${url}/v1/recommendations`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ history: sessions[i], n: 10, ...extra }),
  });

/** The edge at `url`: seeded, warmed, then every cell. */
async function edgeCells(url: string, keys: { admin: string; client: string }, instance: string) {
  const edge = edgeClient({ url, adminKey: keys.admin, clientKey: keys.client, instance });
  await seedEdge(edge, dir, stored, log);
  log("seeded; warming");
  const auth = { authorization: `Bearer ${keys.client}` };
  const session = (extra: object) => sessionAt(url, keys.client, extra);
  const user = (i: number) =>
    fetch(`${url}/v1/users/bench-u${i % stored.length}/recommendations?n=10`, { headers: auth });
  await closedLoop({ total: 30, concurrency: 1, send: session({}) }); // loads the set in the isolate
  return {
    health: await levels(() => fetch(`${url}/health`), [1]),
    session: await levels(session({})),
    session_pinned_version: await levels(session({ model_version: version }), [1]),
    // the same request but no model: a history the edge never saw is answered by popularity
    session_unknown_items: await levels(
      (i) =>
        fetch(`${url}/v1/recommendations`, {
          method: "POST",
          headers: { ...auth, "content-type": "application/json" },
          body: JSON.stringify({ history: [`bench-never-seen-${i}`], n: 10 }),
        }),
      [1],
    ),
    user: await levels(user),
  };
}

const loadAtStart = loadavg();
const t0 = performance.now();
const log = (line: string) => console.log(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${line}`);
console.log(`${sessions.length} sessions, ${stored.length} stored users; set ${version}`);
const bundle = await bundleWorker(join(REPO, ".genrec/tmp/bench-bundle"));
console.log("in process: onnxruntime-node, then onnxruntime-web (wasm)...");
const inNode = await inProcess(nodeLoaders.logprobs);
const inWasm = await inProcess(webLogprobs);

const instance = randomBytes(8).toString("hex");
const keys = { admin: randomBytes(16).toString("hex"), client: randomBytes(16).toString("hex") };
const direct = await startWorkerd(bundle.dir, {
  ADMIN_KEYS: keys.admin,
  CLIENT_KEYS: keys.client,
  GPU_WORKER_TOKEN: "unused",
  GPU_WORKER_URL: "http://127.0.0.1:9",
  DECODE_MODE: "auto",
  GENREC_INSTANCE: instance,
});
console.log("workerd without the dev proxy...");
let workerd: Awaited<ReturnType<typeof edgeCells>> & { session_int8?: Awaited<ReturnType<typeof levels>> };
const heap: Record<string, Record<string, number>> = {};
const popularity: Record<string, number> = {};
try {
  log("heap (idle)");
  heap.idle = await direct.heap();
  workerd = await edgeCells(direct.url, keys, instance);
  log("heap (fp32 live)");
  heap.fp32_live = await direct.heap();
  const db = await direct.mf.getD1Database("DB");
  for (const [name, sql] of [
    [
      "group_by_events",
      "SELECT item_id, COUNT(*) AS c FROM events GROUP BY item_id ORDER BY c DESC, item_id LIMIT 1000",
    ],
    ["item_counts", "SELECT item_id, count FROM item_counts ORDER BY count DESC, item_id LIMIT 1000"],
  ] as const) {
    const t0 = performance.now();
    for (let r = 0; r < 20; r++) await db.prepare(sql).all();
    popularity[`${name}_ms`] = (performance.now() - t0) / 20;
  }
  const edge = edgeClient({ url: direct.url, adminKey: keys.admin, instance });
  await edge.activate((await publishDir(edge, int8Variant(dir), () => {})).version);
  workerd.session_int8 = await levels(sessionAt(direct.url, keys.client, {}), [1]);
  heap.fp32_and_int8_loaded = await direct.heap();
} finally {
  await direct.stop();
}

console.log("wrangler dev...");
const stack = await startLocalStack({});
let wrangler: Awaited<ReturnType<typeof edgeCells>>;
try {
  const cfg = stackEdge(stack);
  wrangler = await edgeCells(
    stack.edgeUrl,
    { admin: stack.adminKey, client: stack.clientKey },
    cfg.instance as string,
  );
} finally {
  await stack.stop();
}

const p50 = (cells: Record<string, { p50_ms: number }>, level = "c1") => cells[level]?.p50_ms ?? Number.NaN;
const h = (x: Record<string, number> | undefined, k: string) => x?.[k] ?? Number.NaN;
const used = (x: Record<string, number> | undefined) => (x?.usedSize ?? Number.NaN) / 2 ** 20;
const result = {
  benchmark: "edge-hotpath",
  ...provenance(),
  note: "one run, side by side, on a shared 2-core machine: compare ratios; load_average says how busy it was",
  load_average: { start: loadAtStart, end: loadavg() },
  config: {
    artifacts: args.artifacts,
    dataset: args.dataset,
    requests: sessions.length,
    stored_users: stored.length,
    n: 10,
    levels: LEVELS,
  },
  in_process: { onnxruntime_node: inNode, onnxruntime_web_wasm: inWasm },
  workerd_direct: workerd,
  wrangler_dev: wrangler,
  breakdown_p50_ms: {
    in_process_node: p50(inNode),
    wasm_over_native: p50(inWasm) - p50(inNode),
    workerd_http_floor: p50(workerd.health),
    workerd_session_rest: p50(workerd.session) - p50(workerd.health) - p50(inWasm),
    one_d1_read: p50(workerd.session_pinned_version) - p50(workerd.session),
    /** The session request less the same request answered without the model (popularity). */
    model_in_workerd: p50(workerd.session) - p50(workerd.session_unknown_items),
    non_model_path_in_workerd: p50(workerd.session_unknown_items) - p50(workerd.health),
    wrangler_dev_proxy: p50(wrangler.session) - p50(workerd.session),
  },
  ratios_c1_p50: {
    workerd_direct_over_in_process: p50(workerd.session) / p50(inNode),
    wrangler_dev_over_in_process: p50(wrangler.session) / p50(inNode),
    workerd_direct_over_in_process_wasm: p50(workerd.session) / p50(inWasm),
  },
  popularity_query_via_miniflare_d1_proxy: popularity,
  isolate_heap_mib: {
    raw: heap,
    idle: used(heap.idle),
    fp32_live: used(heap.fp32_live),
    fp32_and_int8_loaded: used(heap.fp32_and_int8_loaded),
    int8_alone_estimate: used(heap.idle) + used(heap.fp32_and_int8_loaded) - used(heap.fp32_live),
    /** V8's heap plus ArrayBuffers (the set's tables); wasm memory is not in either. */
    fp32_live_with_buffers:
      (h(heap.fp32_live, "usedSize") + h(heap.fp32_live, "backingStorageSize")) / 2 ** 20,
    workerd_rss_delta_fp32: (h(heap.fp32_live, "rss") - h(heap.idle, "rss")) / 2 ** 20,
    workerd_rss_delta_int8_beside_fp32:
      (h(heap.fp32_and_int8_loaded, "rss") - h(heap.fp32_live, "rss")) / 2 ** 20,
    workers_limit: 128,
  },
  bundle: bundle.size,
};
console.log(JSON.stringify(result.breakdown_p50_ms, null, 2), JSON.stringify(result.ratios_c1_p50, null, 2));
console.log(`wrote ${writeResult(`edge/hotpath-${args.dataset}.json`, result)}`);
