/**
 * Load and fault benchmark (issue 15): the real local stack (wrangler dev + the Python GPU worker on
 * 127.0.0.1, ephemeral ports, scratch state) with the bundled sample, a tiny RPG model trained
 * through the API and the DiffGRM artifact set served by the worker. One run measures, side by side:
 * recommend by popularity, RPG and DiffGRM at concurrency 1/4/16; event ingest with replayed
 * event_ids, read back to check nothing is lost or doubled; the worker killed mid-load, then hung
 * (SIGSTOP) until the circuit breaker opens, resumed (SIGCONT) and recovered. Fixed request counts.
 * Writes bench/results/edge/faults-sample.json.
 *
 *   npx tsx bench/edge/faults.ts [--requests 150] [--rpg-artifacts DIR] [--diffgrm-artifact NAME]
 *
 * Without --rpg-artifacts it trains the tiny RPG preset on the sample (~20 s); the DiffGRM set must
 * be under gpu-worker/var/artifacts (or $GENREC_ARTIFACTS_DIR): when it is not, the run stops at
 * once and prints the commands that create it. About 3-3.5 minutes in all.
 */
import { getPriority, loadavg } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { importSample } from "@genrec/infra/commands/data";
import { publishDir } from "@genrec/infra/commands/models";
import { waitForJob } from "@genrec/infra/commands/train";
import { edgeClient } from "@genrec/infra/edge-client";
import { stackEdge, startLocalStack } from "@genrec/infra/local-stack";
import { readSample } from "@genrec/infra/sample";
import { RecommendResponse } from "@genrec/shared";
import { requireDiffgrmArtifact, requireRpgArtifacts } from "../lib/artifacts.ts";
import { histories } from "../lib/histories.ts";
import { type IngestCell, ingestPlan, measureIngest } from "../lib/ingest.ts";
import { assertOwnEdge, closedLoop, loadSummary } from "../lib/load.ts";
import { provenance, REPO, writeResult } from "../lib/result.ts";
import { type Answer, answeredBy, faultRun, recoveredAfter } from "./fault-phases.ts";
import { byLevel, type Cell, printTables, ratios } from "./faults-report.ts";

const { values: args } = parseArgs({
  options: {
    requests: { type: "string", default: "150" },
    "fault-requests": { type: "string", default: "320" },
    "ingest-batches": { type: "string", default: "40" },
    "batch-size": { type: "string", default: "50" },
    "replay-share": { type: "string", default: "0.3" },
    "deadline-ms": { type: "string", default: "1500" },
    "rpg-artifacts": { type: "string" },
    "diffgrm-artifact": { type: "string", default: "diffgrm-beauty-quick-meta" },
    n: { type: "string", default: "10" },
  },
});
const N = Number(args.n);
const REQUESTS = Number(args.requests);
const FAULT_REQUESTS = Number(args["fault-requests"]);
const DEADLINE_MS = Number(args["deadline-ms"]);
const RECOVERY_REQUESTS = 100;
const LEVELS = [1, 4, 16];
const say = (line: string) => console.log(line);
const t0 = performance.now();
const loadAtStart = loadavg()[0];
const since = () => (performance.now() - t0) / 1000;

requireDiffgrmArtifact(args["diffgrm-artifact"] as string, "--diffgrm-artifact NAME");
if (args["rpg-artifacts"]) {
  requireRpgArtifacts(resolve(REPO, args["rpg-artifacts"]), "no --rpg-artifacts (trains the tiny preset)");
}

const sessions = histories("sample", 1000).filter((h) => h.length > 0);
const stack = await startLocalStack();
let paused = false;
try {
  const edge = edgeClient(stackEdge(stack));
  const started_s = since();
  await importSample(edge, () => {});
  const imported_s = since();
  await assertOwnEdge(stack);
  const post = (path: string, body: object, key = stack.clientKey) =>
    fetch(`${stack.edgeUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const answer = (body: unknown): Answer => {
    const rec = RecommendResponse.parse(body);
    return { model: rec.model, ...(rec.fallback ? { reason: rec.fallback.reason } : {}) };
  };
  const recommend = (version?: string) => (i: number) =>
    post("/v1/recommendations", {
      history: sessions[i % sessions.length],
      n: N,
      ...(version ? { model_version: version } : {}),
    });
  const cells = async (name: string, version?: string): Promise<Cell[]> => {
    await closedLoop({ total: 20, concurrency: 1, send: recommend(version) }); // warm the isolate / worker
    const out: Cell[] = [];
    for (const c of LEVELS) {
      const { samples, wall_s } = await closedLoop({
        total: REQUESTS,
        concurrency: c,
        send: recommend(version),
        inspect: answer,
      });
      out.push({ concurrency: c, ...loadSummary(samples, wall_s), answered_by: answeredBy(samples) });
      say(`recommend ${name} x${c}: done`);
    }
    return out;
  };

  // 1. Recommend: popularity (no live model yet), RPG (tiny, trained through the API), DiffGRM.
  const popularity = await cells("popularity");
  let rpgVersion: string;
  let rpgSource: string;
  if (args["rpg-artifacts"]) {
    rpgVersion = (await publishDir(edge, resolve(REPO, args["rpg-artifacts"]), () => {})).version;
    rpgSource = `published ${args["rpg-artifacts"]}`;
  } else {
    const job = await edge.train({ model: "rpg", preset: "tiny" });
    const done = await waitForJob(edge, job.job_id, () => {}, { pollMs: 500, timeoutMs: 300_000 });
    if (done.state !== "succeeded" || !done.artifact_version) throw new Error(`training ${done.state}`);
    rpgVersion = done.artifact_version;
    rpgSource = "trained through POST /v1/train (rpg, tiny) on the imported sample";
  }
  await edge.activate(rpgVersion);
  const rpg_ready_s = since();
  const rpg = await cells("rpg", rpgVersion);
  const DG = "dg-bench";
  // Registration's check call has its own deadline (REGISTER_PROBE_MS, 60 s), so it also loads the
  // model on the worker's first denoise call; the serving deadline is for the recommendations.
  await edge.registerRemote(DG, {
    artifact_version: args["diffgrm-artifact"] as string,
    deadline_ms: DEADLINE_MS,
    fallback_version: rpgVersion,
  });
  const diffgrm = await cells("diffgrm", DG);

  // 2. Ingest with replays at each concurrency: distinct users per level, read back afterwards.
  const catalogue = readSample().items.map((i) => i.id);
  const ingest: Record<string, IngestCell> = {};
  for (const c of LEVELS) {
    const plan = ingestPlan({
      tag: `bench-c${c}`,
      batches: Number(args["ingest-batches"]),
      size: Number(args["batch-size"]),
      replayShare: Number(args["replay-share"]),
      retryEvery: 5,
      users: 20,
      items: catalogue,
      seed: c,
    });
    const cell = await measureIngest(plan, c, {
      ingest: (events) => post("/v1/events", { events }, stack.adminKey),
      history: (user) =>
        fetch(`${stack.edgeUrl}/v1/users/${user}/history?limit=1000`, {
          headers: { authorization: `Bearer ${stack.clientKey}` },
        }),
      conflicts: 5,
    });
    ingest[`c${c}`] = cell;
    const { stored, lost, doubled } = cell.read_back;
    say(`ingest x${c}: stored ${stored}/${plan.unique.size}, lost ${lost}, doubled ${doubled}`);
  }

  // 3. Faults under DiffGRM load at concurrency 16: the worker killed, then hung.
  await assertOwnEdge(stack);
  const dgSend = recommend(DG);
  const killed = await faultRun(stack, {
    kind: "kill",
    total: FAULT_REQUESTS,
    concurrency: 16,
    send: dgSend,
    inspect: answer,
  });
  const restartT0 = performance.now();
  await stack.restartGpu();
  const restart_s = (performance.now() - restartT0) / 1000;
  const killRecovery = await recoveredAfter(dgSend, answer, RECOVERY_REQUESTS);
  say("worker killed: done");

  paused = true;
  const hung = await faultRun(stack, {
    kind: "hang",
    total: FAULT_REQUESTS,
    concurrency: 16,
    send: dgSend,
    inspect: answer,
  });
  paused = false;
  const hangRecovery = await recoveredAfter(dgSend, answer, RECOVERY_REQUESTS);
  say("worker hung: done");

  const result = {
    benchmark: "edge-faults",
    ...provenance(),
    note:
      "closed-loop load on the local stack (wrangler dev + CPU GPU worker, 127.0.0.1, ephemeral ports, " +
      "scratch state); fixed request counts; shared 2-core machine with training running: read the ratios",
    // the stack inherits this niceness: beside full-priority jobs the CPU worker then waits its turn
    host_load: { loadavg_1m_at_start: loadAtStart, loadavg_1m_at_end: loadavg()[0], nice: getPriority() },
    config: {
      data: "bundled sample (300 Amazon Beauty users)",
      n: N,
      requests_per_cell: REQUESTS,
      concurrency: LEVELS,
      rpg: { version: rpgVersion, source: rpgSource },
      diffgrm: {
        version: DG,
        artifact: args["diffgrm-artifact"],
        deadline_ms: DEADLINE_MS,
        fallback: rpgVersion,
      },
      ingest: {
        batches: Number(args["ingest-batches"]),
        batch_size: Number(args["batch-size"]),
        replay_share: Number(args["replay-share"]),
        whole_batch_retry_every: 5,
      },
      faults: {
        requests: FAULT_REQUESTS,
        concurrency: 16,
        fault_after: Math.floor(FAULT_REQUESTS / 4),
        recovery_requests: RECOVERY_REQUESTS,
      },
      breaker: { threshold: 3, cooldown_ms: 30_000 },
    },
    setup_s: { stack: started_s, import: imported_s - started_s, rpg: rpg_ready_s - imported_s },
    recommend: { popularity: byLevel(popularity), rpg: byLevel(rpg), diffgrm: byLevel(diffgrm) },
    ratios: { popularity: ratios(popularity), rpg: ratios(rpg), diffgrm: ratios(diffgrm) },
    ingest,
    worker_killed: {
      ...killed,
      restart_s,
      recovery: killRecovery,
      rps_recovered_over_before: killRecovery.load.throughput_rps / killed.before.throughput_rps,
    },
    worker_hung: {
      ...hung,
      recovery: hangRecovery,
      rps_recovered_over_before: hangRecovery.load.throughput_rps / hung.before.throughput_rps,
      no_breaker_bound_rps: (16 * 1000) / DEADLINE_MS,
    },
    total_s: since(),
  };
  const path = writeResult("edge/faults-sample.json", result);
  printTables({ popularity, rpg, diffgrm }, ingest, {
    killed: result.worker_killed,
    hung: result.worker_hung,
  });
  console.log(`wrote ${path} in ${since().toFixed(0)} s`);
} finally {
  if (paused && stack.gpu.process.pid) process.kill(-stack.gpu.process.pid, "SIGCONT");
  await stack.stop();
}
