/**
 * RPG decoding cost at catalogue scale (issue 6): graph-constrained decoding against exhaustive
 * scoring on a synthetic catalogue (genrec.tools.rpg_decode_scale: product-quantiser SIDs, RPG's item graph,
 * users whose per-digit log-probabilities point at a target item), in TypeScript (the edge's
 * decoder, edge/src/recommend/rpg/graph.ts) and in Python (genrec.rpg.decode), measured side by side in one
 * run: each round times the Python decoders in a child process, then the TypeScript ones here, on
 * the same inputs and the same initial beams. Writes bench/results/rpg/decode-scale-<items>.json.
 *
 *   npx tsx bench/rpg/decode-scale.ts --items 1000000
 *
 * Reported per setting: recall@10 against exhaustive scoring, items scored per user, ms per user in
 * each language (one decode call, the model pass excluded), and how often the two languages return
 * the same top-10. On a shared 2-core machine read the Python/TypeScript ratios, not the absolutes.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CODES, exhaustiveTopN, type ItemGraph, type SidTable } from "../../edge/src/recommend/rpg/decode.ts";
import { graphDecode } from "../../edge/src/recommend/rpg/graph.ts";
import { initialBeam } from "../../edge/src/recommend/rpg/recommend.ts";
import { provenance, REPO, summarize, writeResult } from "../lib/result.ts";

const DEFAULT_SETTINGS = [
  "20,50,3,random",
  "20,50,10,random",
  "50,50,5,random",
  "20,50,3,history",
  "20,20,3,history",
  "20,50,3,edge",
];
const TOP = 10;

const { values: args } = parseArgs({
  options: {
    items: { type: "string", default: "1000000" },
    users: { type: "string", default: "200" },
    rounds: { type: "string", default: "2" },
    settings: { type: "string", multiple: true },
  },
});
const items = Number(args.items);
const users = Number(args.users);
const rounds = Number(args.rounds);
const settings = args.settings ?? DEFAULT_SETTINGS;
const dir = join(REPO, "gpu-worker", "var", "bench", `rpg-scale-${items}`);

interface Setting {
  b: number;
  k: number;
  q: number;
  init: string;
}
const parsed: Setting[] = settings.map((s) => {
  const [b, k, q, init] = s.split(",");
  return { b: Number(b), k: Number(k), q: Number(q), init: init as string };
});
const nameOf = (s: Setting) => `b${s.b}-k${s.k}-q${s.q}-${s.init}`;

/** `python -m genrec.tools.rpg_decode_scale ...` in the gpu-worker project: progress on stderr, JSON on stdout. */
function python(...cmd: string[]): Record<string, unknown> {
  const out = spawnSync("uv", ["run", "--frozen", "python", "-m", "genrec.tools.rpg_decode_scale", ...cmd], {
    cwd: join(REPO, "gpu-worker"),
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  if (out.status !== 0) throw new Error(`genrec.tools.rpg_decode_scale ${cmd[0]} failed (${out.status})`);
  return JSON.parse(out.stdout.trim().split("\n").at(-1) as string);
}

function typed<T>(file: string, make: (b: ArrayBuffer) => T): T {
  const bytes = readFileSync(join(dir, file));
  return make(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** The first k entries of every CSR row (lists are sorted by similarity, self first). */
function truncate(graph: ItemGraph, k: number): ItemGraph {
  const rows = graph.indptr.length - 1;
  const indptr = new Int32Array(rows + 1);
  for (let r = 0; r < rows; r++) {
    indptr[r + 1] =
      (indptr[r] as number) + Math.min(k, (graph.indptr[r + 1] as number) - (graph.indptr[r] as number));
  }
  const indices = new Int32Array(indptr[rows] as number);
  for (let r = 0; r < rows; r++) {
    const from = graph.indptr[r] as number;
    indices.set(
      graph.indices.subarray(from, from + ((indptr[r + 1] as number) - (indptr[r] as number))),
      indptr[r],
    );
  }
  return { indptr, indices };
}

interface Timed {
  top: number[][];
  ms: number[];
  scored?: number[];
}

function timeTypeScript(
  sids: SidTable,
  graphs: Map<number, ItemGraph>,
  logprobs: Float32Array,
  beams: Record<string, number[][]>,
): Timings {
  const table = (u: number) => logprobs.subarray(u * sids.digits * CODES, (u + 1) * sids.digits * CODES);
  const exhaustive: Timed = { top: [], ms: [] };
  for (let u = 0; u < users; u++) {
    const t0 = performance.now();
    const top = exhaustiveTopN(table(u), sids, TOP);
    exhaustive.ms.push(performance.now() - t0);
    exhaustive.top.push(top.map((r) => r.row));
  }
  const graph: Record<string, Timed> = {};
  for (const s of parsed) {
    const runs: Timed = { top: [], ms: [], scored: [] };
    const g = graphs.get(s.k) as ItemGraph;
    const start = beams[`${s.b}-${s.k}-${s.init}`] as number[][];
    for (let u = 0; u < users; u++) {
      const t0 = performance.now();
      const dec = graphDecode({
        logprobs: table(u),
        sids,
        graph: g,
        initialBeam: start[u] as number[],
        beam: s.b,
        steps: s.q,
        n: TOP,
      });
      runs.ms.push(performance.now() - t0);
      runs.top.push(dec.items.map((r) => r.row));
      runs.scored?.push(dec.scored);
    }
    graph[nameOf(s)] = runs;
  }
  return { exhaustive, graph };
}

const recall = (found: number[][], truth: number[][]) =>
  found.reduce((sum, rows, u) => sum + rows.filter((r) => truth[u]?.includes(r)).length / TOP, 0) /
  found.length;
const same = (a: number[][], b: number[][]) =>
  a.filter((rows, u) => rows.join() === b[u]?.join()).length / a.length;
const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const ms = (t: Timed) => {
  const { mean_ms, p50_ms, p90_ms } = summarize(t.ms);
  return { mean: round3(mean_ms), p50: round3(p50_ms), p90: round3(p90_ms) };
};

console.error(`making (or reusing) ${dir}`);
const made = python(
  "make",
  "--items",
  String(items),
  "--users",
  String(users),
  "--out",
  dir,
  "--settings",
  ...settings,
);
const spec = made.spec as { digits: number };
const sids: SidTable = {
  codes: typed("sids.u8", (b) => new Uint8Array(b)),
  digits: spec.digits,
  rows: items + 1,
};
const full: ItemGraph = {
  indptr: typed("graph.indptr.i32", (b) => new Int32Array(b)),
  indices: typed("graph.indices.i32", (b) => new Int32Array(b)),
};
const graphs = new Map(parsed.map((s) => [s.k, truncate(full, s.k)]));
const logprobs = typed("logprobs.f32", (b) => new Float32Array(b));
const inputs = JSON.parse(readFileSync(join(dir, "beams.json"), "utf8")) as {
  histories: number[][];
  beams: Record<string, number[][]>;
};
// The edge's own seeding (popular rows, here rows 1..b as the catalogue has no popularity, plus the
// newest history items' lists), written back so the Python side decodes from the same rows.
const popular = Int32Array.from({ length: items }, (_, i) => i + 1);
for (const s of parsed.filter((s) => s.init === "edge")) {
  const graph = graphs.get(s.k) as ItemGraph;
  inputs.beams[`${s.b}-${s.k}-edge`] = inputs.histories.map((h) => initialBeam(popular, graph, h, s.b));
}
writeFileSync(join(dir, "beams.json"), JSON.stringify(inputs));
const beams = inputs.beams;

interface Timings {
  exhaustive: Timed;
  graph: Record<string, Timed>;
}
const perRound: { py: Timings; ts: Timings }[] = [];
for (let r = 1; r <= rounds; r++) {
  console.error(`round ${r}/${rounds}: python`);
  const pyFile = join(dir, `python-round${r}.json`);
  python("time", "--dir", dir, "--out", pyFile);
  const py = JSON.parse(readFileSync(pyFile, "utf8")) as Timings;
  console.error(`round ${r}/${rounds}: typescript`);
  const ts = timeTypeScript(sids, graphs, logprobs, beams);
  perRound.push({ py, ts });
}

const { py, ts } = perRound[0] as (typeof perRound)[number];
const truth = py.exhaustive.top;
const rows = [
  {
    setting: "exhaustive",
    recall_at_10: 1,
    items_scored_per_user: items,
    same_top10_ts_vs_python: same(ts.exhaustive.top, truth),
    rounds: perRound.map(({ py, ts }) => ({
      python_ms: ms(py.exhaustive),
      typescript_ms: ms(ts.exhaustive),
      python_over_typescript_p50: round3(
        summarize(py.exhaustive.ms).p50_ms / summarize(ts.exhaustive.ms).p50_ms,
      ),
    })),
  },
  ...parsed.map((s) => {
    const name = nameOf(s);
    const [p, t] = [py.graph[name] as Timed, ts.graph[name] as Timed];
    return {
      setting: name,
      ...s,
      recall_at_10: round3(recall(t.top, truth)),
      recall_at_10_python: round3(recall(p.top, truth)),
      items_scored_per_user: Math.round(mean(t.scored ?? [])),
      items_scored_python: Math.round(mean(p.scored ?? [])),
      same_top10_ts_vs_python: same(t.top, p.top),
      rounds: perRound.map(({ py, ts }) => ({
        python_ms: ms(py.graph[name] as Timed),
        typescript_ms: ms(ts.graph[name] as Timed),
        python_over_typescript_p50: round3(
          summarize((py.graph[name] as Timed).ms).p50_ms / summarize((ts.graph[name] as Timed).ms).p50_ms,
        ),
        exhaustive_over_graph_typescript_p50: round3(
          summarize(ts.exhaustive.ms).p50_ms / summarize((ts.graph[name] as Timed).ms).p50_ms,
        ),
      })),
    };
  }),
];

const path = writeResult(`rpg/decode-scale-${items}.json`, {
  benchmark: "rpg-decode-scale",
  ...provenance(),
  config: { items, users, rounds, top: TOP, settings: parsed, catalogue: made },
  notes: [
    "Synthetic catalogue (genrec.tools.rpg_decode_scale): SIDs from a product quantiser over a two-level Gaussian mixture, " +
      "the graph by RPG's code-embedding similarity (exact up to 50k items, faiss IVF above), users whose " +
      "digit log-probabilities point at a target item. recall_at_10 = overlap with exhaustive top-10.",
    "Each round times Python (numpy, one process) then TypeScript (this process) on the same inputs and beams; " +
      "one decode call per user, model pass excluded, no seen-item exclusion.",
  ],
  rows,
});
console.log(`wrote ${path}`);
console.table(
  rows.map((r) => ({
    setting: r.setting,
    recall: r.recall_at_10,
    scored: r.items_scored_per_user,
    "ts p50 ms": r.rounds[0]?.typescript_ms.p50,
    "py p50 ms": r.rounds[0]?.python_ms.p50,
    "py/ts": r.rounds[0]?.python_over_typescript_p50,
    same: r.same_top10_ts_vs_python,
  })),
);
