/**
 * Cold start through the API (issue 16 item 2, the edge half of genrec.tools.coldstart): the real
 * local stack serves an RPG set exported without a holdout copy's held-out items; those items are
 * then upserted with their real records, get SIDs from the GPU worker's assign_sids in the
 * background, and are scored at once. Measures the time from upsert to ready, checks the codes
 * the edge reports (`sid.codes`) against the SID artifact's own, and ranks the copy's test users
 * whose target is a held-out item (and as many others) through POST /v1/recommendations,
 * unfiltered as the Python tool ranks. Writes bench/results/coldstart/<dataset>[-<tag>]-edge.json.
 *
 *   npx tsx bench/edge/coldstart.ts --copy gpu-worker/var/data/cold5/toys \
 *     --artifacts gpu-worker/var/artifacts/rpg-toys-cold5 --sid-root gpu-worker/var/artifacts
 *
 * Flags: --batch N items per upsert (100), --burst (every batch at once), --users N cold test users
 * (all), --decode exhaustive|graph|auto (exhaustive), --wait-s, --seed, --note, --dataset, --tag (names
 * the result file apart from other sets' on the same copy).
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { publishDir } from "@genrec/infra/commands/models";
import { edgeClient } from "@genrec/infra/edge-client";
import { stackEdge, startLocalStack } from "@genrec/infra/local-stack";
import { ArtifactManifest, type Item } from "@genrec/shared";
import { rankMetrics, seededSample, sidAgreement } from "../lib/coldstart.ts";
import { recommend, type Settled, untilSettled, warmWorker } from "../lib/coldstart-stack.ts";
import { artifactSids, readHoldoutCopy, type TestCase } from "../lib/holdout-copy.ts";
import { provenance, REPO, summarize, writeResult } from "../lib/result.ts";

const { values: args } = parseArgs({
  options: {
    copy: { type: "string" },
    artifacts: { type: "string" },
    "sid-root": { type: "string", default: "gpu-worker/var/artifacts" },
    dataset: { type: "string" },
    tag: { type: "string" },
    users: { type: "string", default: "0" },
    batch: { type: "string", default: "100" },
    decode: { type: "string", default: "exhaustive" },
    "wait-s": { type: "string", default: "900" },
    seed: { type: "string", default: "2024" },
    note: { type: "string" },
    burst: { type: "boolean", default: false },
  },
});
if (!args.copy || !args.artifacts) throw new Error("--copy and --artifacts are required");
const copyDir = resolve(REPO, args.copy);
const setDir = resolve(REPO, args.artifacts);
const sidRoot = resolve(REPO, args["sid-root"]);
const dataset = args.dataset ?? basename(copyDir);
const BATCH = Number(args.batch);
const manifest = ArtifactManifest.parse(JSON.parse(readFileSync(join(setDir, "manifest.json"), "utf8")));
const sidArtifact = manifest.model === "rpg" ? manifest.sid_artifact : undefined;
if (!sidArtifact) throw new Error(`${setDir}: not an RPG set naming its sid_artifact`);
if (!existsSync(join(sidRoot, sidArtifact, "sids.npy"))) throw new Error(`no ${sidArtifact} in ${sidRoot}`);

const copy = readHoldoutCopy(copyDir);
const known = new Set(JSON.parse(readFileSync(join(setDir, "items.json"), "utf8")) as string[]);
const added = copy.items.filter((item) => copy.heldOut.has(item.id));
const leaked = added.filter((item) => known.has(item.id)).map((item) => item.id);
if (leaked.length) throw new Error(`the set knows ${leaked.length} held-out items, e.g. ${leaked[0]}`);
const cold = copy.tests.filter((t) => copy.heldOut.has(t.target));
const limit = Number(args.users) || cold.length;
const coldCases = seededSample(cold, limit, Number(args.seed));
const otherCases = seededSample(
  copy.tests.filter((t) => !copy.heldOut.has(t.target)),
  coldCases.length,
  Number(args.seed) + 1,
);

const t0 = performance.now();
const log = (line: string) => console.log(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${line}`);
log(`${dataset}: ${added.length} held-out items to add, ${coldCases.length} cold test users`);

const stateDir = join(REPO, ".genrec/tmp", `bench-coldstart-${randomBytes(4).toString("hex")}`);
const stack = await startLocalStack({
  stateDir,
  vars: { DECODE_MODE: args.decode },
  gpuEnv: { GENREC_ARTIFACTS_DIR: sidRoot },
  timeoutMs: 300_000,
});
const edge = edgeClient(stackEdge(stack));
let result: object;
try {
  const probe = added[0] ?? copy.items[0];
  const warm = await warmWorker(stack, sidArtifact, probe as Item);
  log(`worker warm (${(warm / 1000).toFixed(1)} s)`);
  const { version } = await publishDir(edge, setDir, log);
  await edge.activate(version);
  const base = copy.items.filter((item) => !copy.heldOut.has(item.id));
  for (let i = 0; i < base.length; i += 1000) await edge.upsertItems(base.slice(i, i + 1000));
  log(`${version} live, ${base.length} known items stored; adding ${added.length} in batches of ${BATCH}`);

  // One batch at a time, each settled before the next (a catalogue fed in steps), unless --burst:
  // every batch at once, their assign_sids calls then compete for the worker within the edge's 25 s.
  const waitMs = Number(args["wait-s"]) * 1000;
  const settled: Settled[] = [];
  const pollRoundsMs: number[] = [];
  const upsertedAt = new Map<string, number>();
  let pendingReported = 0;
  const settle = async (ids: Map<string, number>) => {
    const round = await untilSettled(stack, ids, waitMs, log);
    settled.push(...round.settled);
    pollRoundsMs.push(...round.pollRoundsMs);
  };
  for (let i = 0; i < added.length; i += BATCH) {
    const batch = added.slice(i, i + BATCH);
    const at = performance.now();
    const reply = await edge.upsertItems(batch);
    pendingReported += reply.sids_pending ?? 0;
    const ids = new Map(batch.map((item) => [item.id, at]));
    if (args.burst) for (const [id, t] of ids) upsertedAt.set(id, t);
    else await settle(ids);
  }
  if (args.burst) await settle(upsertedAt);
  const readyMs = settled.filter((s) => s.state === "ready").map((s) => s.ms);
  const failures = settled.filter((s) => s.state !== "ready");
  log(`${readyMs.length} ready, ${failures.length} failed or still pending`);

  const reference = artifactSids(join(sidRoot, sidArtifact));
  const reported = settled.filter((s) => s.codes); // sid.codes on GET /v1/items/{id}
  const pairs = reported.flatMap(({ id, codes }) => {
    const ref = reference.get(id);
    return codes && ref ? [{ edge: codes, reference: ref }] : [];
  });

  const rank = async (cases: TestCase[]) => {
    const lists: string[][] = [];
    const ms: number[] = [];
    for (const c of cases) {
      const at = performance.now();
      lists.push(await recommend(stack, c.history, 10));
      ms.push(performance.now() - at);
    }
    const targets = cases.map((c) => c.target);
    return { ...rankMetrics(lists, targets, copy.heldOut), latency: summarize(ms) };
  };
  log("ranking");
  result = {
    benchmark: "coldstart-edge",
    ...provenance(),
    ...(args.note ? { note: args.note } : {}),
    config: {
      dataset,
      copy: args.copy,
      artifacts: args.artifacts,
      version,
      sid_artifact: sidArtifact,
      decode_mode: args.decode,
      upsert_batch: BATCH,
      upsert_pacing: args.burst ? "burst: every batch at once" : "each batch settled before the next",
      n: 10,
      exclude_seen: false,
      seed: Number(args.seed),
    },
    catalogue: { known: base.length, added: added.length, sids_pending_reported: pendingReported },
    time_to_ready: { ...summarize(readyMs), poll_round_ms: summarize(pollRoundsMs), worker_warm_up_ms: warm },
    failures: failures.map((f) => ({ item_id: f.id, state: f.state, error: f.error })),
    sid_check: { ...sidAgreement(pairs), without_reference: reported.length - pairs.length },
    cold_targets: await rank(coldCases),
    other_targets: await rank(otherCases),
  };
} finally {
  await stack.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
console.log(JSON.stringify(result, null, 2));
const stem = args.tag ? `${dataset}-${args.tag}` : dataset;
console.log(`wrote ${writeResult(`coldstart/${stem}-edge.json`, result)}`);
