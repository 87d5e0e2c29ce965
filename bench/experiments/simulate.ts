/**
 * Online-experiment simulation (issue 18 item 5): held-out test interactions replayed as feedback
 * against two arms on a real edge (wrangler dev, local D1/R2), to show that GET /v1/metrics tells
 * the arms apart with the right sign and interval, and counts exactly what was served and clicked.
 *
 * Every user's sequence but its last item is ingested as events (their histories, and the counts
 * popularity ranks by); the set is published; an experiment splits users 50/50 between the set and
 * builtin-popularity by the edge's stable hash. Each simulated user asks for 10 recommendations, and
 * when the held-out item is among them, clicks it: an event carrying the answer's recommendation_id
 * (replayed after all answers are served, so no click changes what popularity ranks). The click-
 * through of an arm then estimates its seen-filtered recall@10, which the offline evaluation knows.
 * Writes bench/results/experiments/simulation-<dataset>.json and .svg.
 *
 *   npx tsx bench/experiments/simulate.ts --artifacts gpu-worker/var/artifacts/sasrec-beauty-cpu --users 4000
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { publishDir } from "@genrec/infra/commands/models";
import { edgeClient } from "@genrec/infra/edge-client";
import { stackEdge, startLocalStack } from "@genrec/infra/local-stack";
import { type ArmMetrics, POPULARITY_VERSION, RecommendResponse } from "@genrec/shared";
import { intervalChart } from "../../edge/src/dashboard/svg.ts";
import { difference, wilson } from "../../edge/src/experiments/stats.ts";
import { sequences } from "../lib/histories.ts";
import { assertOwnEdge } from "../lib/load.ts";
import { provenance, REPO, writeResult } from "../lib/result.ts";

const { values: args } = parseArgs({
  options: {
    artifacts: { type: "string" },
    dataset: { type: "string", default: "beauty" },
    users: { type: "string", default: "4000" },
    concurrency: { type: "string", default: "4" },
  },
});
if (!args.artifacts) throw new Error("--artifacts DIR is required (an exported artifact set)");
const dir = resolve(REPO, args.artifacts);
const all = sequences(args.dataset);
const USERS = Math.min(all.length, Number(args.users));
// every k-th user, so the sample spans the file (which is ordered by user id)
const step = all.length / USERS;
const sampled = Array.from({ length: USERS }, (_, i) => Math.floor(i * step));
const t0 = performance.now();
const stack = await startLocalStack();
try {
  const edge = edgeClient(stackEdge(stack));
  // row 0 of a set's items.json is the padding row (an empty id)
  const ids = (JSON.parse(readFileSync(join(dir, "items.json"), "utf8")) as string[]).filter(Boolean);
  for (let i = 0; i < ids.length; i += 1000)
    await edge.upsertItems(ids.slice(i, i + 1000).map((id) => ({ id })));
  const base = Date.parse("2024-01-01T00:00:00Z");
  let batch: object[] = [];
  for (const [u, items] of all.entries()) {
    for (const [j, item_id] of items.slice(0, -1).entries()) {
      const timestamp = new Date(base + u * 1000 + j).toISOString();
      batch.push({ event_id: `h-${u}-${j}`, user_id: `u${u}`, item_id, timestamp, type: "purchase" });
      if (batch.length === 1000) {
        await edge.ingest(batch);
        batch = [];
      }
    }
  }
  if (batch.length > 0) await edge.ingest(batch);
  const seeded_s = (performance.now() - t0) / 1000;
  const { version } = await publishDir(edge, dir, () => {});
  const arms = [
    { name: "model", version, share: 0.5 },
    { name: "popularity", version: POPULARITY_VERSION, share: 0.5 },
  ];
  await edge.startExperiment({ id: "sim", arms });

  // Serve every sampled user; remember what each arm answered and whether it held the target.
  await assertOwnEdge(stack);
  const answers: Array<{ u: number; answer: RecommendResponse; hit: boolean }> = [];
  let next = 0;
  const worker = async () => {
    while (next < sampled.length) {
      const u = sampled[next++] as number;
      const res = await fetch(`${stack.edgeUrl}/v1/users/u${u}/recommendations?n=10`, {
        headers: { authorization: `Bearer ${stack.clientKey}` },
      });
      if (!res.ok) throw new Error(`user u${u}: ${res.status} ${await res.text()}`);
      const answer = RecommendResponse.parse(await res.json());
      const target = all[u]?.at(-1);
      answers.push({ u, answer, hit: answer.items.some((i) => i.item_id === target) });
    }
  };
  const served0 = performance.now();
  await Promise.all(Array.from({ length: Number(args.concurrency) }, worker));
  const served_s = (performance.now() - served0) / 1000;

  // Replay the held-out interactions that the answers led to, as attributed clicks.
  const clicks = answers
    .filter((a) => a.hit)
    .map(({ u, answer }) => ({
      event_id: `t-${u}`,
      user_id: `u${u}`,
      item_id: all[u]?.at(-1) as string,
      timestamp: new Date().toISOString(),
      type: "click",
      recommendation_id: answer.recommendation_id,
    }));
  for (let i = 0; i < clicks.length; i += 900) await edge.ingest(clicks.slice(i, i + 900));
  const replayed = clicks.length > 0 ? await edge.ingest(clicks.slice(0, 900)) : null; // idempotency

  const report = await edge.metrics("experiment_id=sim");
  const byArm = (name: string) => {
    const row = report.arms.find((r) => r.arm === name);
    if (!row) throw new Error(`no metrics for arm ${name}`);
    return row;
  };
  const expected = (name: string) => {
    const mine = answers.filter((a) => a.answer.arm?.name === name);
    return { served: mine.length, clicked: mine.filter((a) => a.hit).length };
  };
  const check = (m: ArmMetrics, name: string) => {
    const e = expected(name);
    const want = wilson(e.clicked, e.served);
    return {
      served_matches: m.served === e.served,
      clicks_match: (m.events.click ?? 0) === e.clicked,
      click_through_matches: JSON.stringify(m.click_through) === JSON.stringify(want),
      hit_rate_matches: JSON.stringify(m.hit_rate) === JSON.stringify(want),
      expected: e,
    };
  };
  const model = byArm("model");
  const popularity = byArm("popularity");
  const diff = difference(model.click_through, popularity.click_through);
  const result = {
    ...provenance(),
    dataset: args.dataset,
    artifacts: args.artifacts,
    version,
    users: USERS,
    config: {
      arms,
      n: 10,
      exclude_seen: true,
      concurrency: Number(args.concurrency),
      click: "held-out item recommended",
    },
    seeded: { items: ids.length, events: all.reduce((s, x) => s + x.length - 1, 0), seconds: seeded_s },
    served_seconds: served_s,
    arms: { model, popularity },
    checks: { model: check(model, "model"), popularity: check(popularity, "popularity") },
    replay: replayed,
    click_through_difference: diff,
    verdict:
      diff.low > 0
        ? "model better (interval above 0)"
        : diff.high < 0
          ? "popularity better"
          : "not told apart",
  };
  const out = writeResult(`experiments/simulation-${args.dataset}.json`, result);
  const rows = [
    { label: `model (${model.served})`, ...model.click_through },
    { label: `popularity (${popularity.served})`, ...popularity.click_through },
  ];
  const plot = intervalChart(`Click-through per arm, ${args.dataset}, ${USERS} users (95% Wilson)`, rows);
  writeFileSync(out.replace(/\.json$/, ".svg"), `${plot}\n`);
  console.log(JSON.stringify({ out, verdict: result.verdict, diff, checks: result.checks }, null, 2));
} finally {
  await stack.stop();
}
