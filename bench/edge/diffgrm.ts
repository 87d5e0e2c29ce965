import { parseArgs } from "node:util";
import { importSample } from "@genrec/infra/commands/data";
import { edgeClient } from "@genrec/infra/edge-client";
import { stackEdge, startLocalStack } from "@genrec/infra/local-stack";
import { DenoiseResponse, RecommendResponse } from "@genrec/shared";
import { requireDiffgrmArtifact } from "../lib/artifacts.ts";
import { histories } from "../lib/histories.ts";
import { provenance, summarize, writeResult } from "../lib/result.ts";

const { values: args } = parseArgs({
  options: {
    // The set faults.ts serves too; when it is missing the run says which commands create it.
    artifact: { type: "string", default: "diffgrm-beauty-quick-meta" },
    dataset: { type: "string", default: "beauty" },
    requests: { type: "string", default: "200" },
    n: { type: "string", default: "10" },
  },
});
const N = Number(args.n);
requireDiffgrmArtifact(args.artifact as string);

async function timed<T>(call: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await call();
  return [value, performance.now() - t0];
}

const sessions = histories(args.dataset as string, Number(args.requests)).filter((h) => h.length > 0);
const stack = await startLocalStack();
try {
  const edge = edgeClient(stackEdge(stack));
  await importSample(edge, () => {});
  await edge.registerRemote("dg-bench", { artifact_version: args.artifact as string, deadline_ms: 30_000 });
  await edge.activate("dg-bench");

  const direct = (history: string[]) =>
    fetch(`${stack.gpuUrl}/rpc/denoise`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.gpuToken}`, "content-type": "application/json" },
      body: JSON.stringify({
        artifact_version: args.artifact,
        histories: [history],
        k: N + new Set(history).size,
      }),
    }).then(async (res) => DenoiseResponse.parse(await res.json()));
  const viaEdge = (history: string[]) => edge.recommendForSession(history, N);

  for (const history of sessions.slice(0, 10)) await Promise.all([direct(history), viaEdge(history)]); // warm
  const rpcMs: number[] = [];
  const edgeMs: number[] = [];
  let fallbacks = 0;
  let same = 0;
  for (const history of sessions) {
    const [rpc, a] = await timed(() => direct(history));
    const [rec, b] = await timed(() => viaEdge(history));
    rpcMs.push(a);
    edgeMs.push(b);
    if (RecommendResponse.parse(rec).fallback) fallbacks++;
    const seen = new Set(history);
    const expected = (rpc.results[0]?.items ?? []).filter((i) => !seen.has(i.item_id)).slice(0, N);
    if (JSON.stringify(expected.map((i) => i.item_id)) === JSON.stringify(rec.items.map((i) => i.item_id)))
      same++;
  }
  const rpc = summarize(rpcMs);
  const viaEdgeSummary = summarize(edgeMs);
  const result = {
    benchmark: "edge-diffgrm",
    ...provenance(),
    note:
      "serial, alternating per request: the worker's denoise RPC directly, then the edge's " +
      "POST /v1/recommendations for the same history (D1 version lookup, RPC, seen-item filter, JSON); " +
      "local stack on a shared 2-core machine, CPU denoise: compare the ratio",
    config: { artifact: args.artifact, dataset: args.dataset, requests: sessions.length, n: N },
    denoise_rpc_direct: rpc,
    edge_recommendations: viaEdgeSummary,
    edge_over_rpc_p50: viaEdgeSummary.p50_ms / rpc.p50_ms,
    edge_minus_rpc_p50_ms: viaEdgeSummary.p50_ms - rpc.p50_ms,
    fallbacks,
    same_items_as_direct_rpc: same / sessions.length,
  };
  const path = writeResult(`edge/diffgrm-${args.dataset}.json`, result);
  console.table({ "denoise RPC, direct": rpc, "edge, DiffGRM version": viaEdgeSummary });
  console.log(`fallbacks ${fallbacks}, same items ${same}/${sessions.length}; wrote ${path}`);
} finally {
  await stack.stop();
}
