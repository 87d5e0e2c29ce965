import type { LocalStack } from "@genrec/infra/local-stack";
import { type Item, RecommendResponse, StoredItem } from "@genrec/shared";

/** The stack's edge answering `path` (a POST with `body`) to the client key. */
async function call(stack: LocalStack, path: string, body?: object): Promise<unknown> {
  const res = await fetch(`${stack.edgeUrl}${path}`, {
    method: body ? "POST" : "GET",
    headers: { authorization: `Bearer ${stack.clientKey}`, "content-type": "application/json" },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** POST /v1/recommendations for one session, unfiltered (exclude_seen false). */
export async function recommend(stack: LocalStack, history: string[], n: number): Promise<string[]> {
  const body = { history, n, exclude_seen: false };
  const reply = RecommendResponse.parse(await call(stack, "/v1/recommendations", body));
  return reply.items.map((i) => i.item_id);
}

/**
 * A cold worker loads its text encoder on its first call (minutes on a loaded 2-core machine, far
 * beyond the 25 s the edge gives assign_sids): one assign_sids call with the SID artifact loads the
 * encoder and the codebooks, as on a serving worker. Node's fetch gives up waiting for headers
 * after 300 s, so it asks again. Returns the milliseconds it took.
 */
export async function warmWorker(stack: LocalStack, artifact: string, item: Item): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    try {
      const res = await fetch(`${stack.gpuUrl}/rpc/assign_sids`, {
        method: "POST",
        headers: { authorization: `Bearer ${stack.gpuToken}`, "content-type": "application/json" },
        body: JSON.stringify({ artifact_version: artifact, items: [item] }),
      });
      if (!res.ok) throw new Error(`assign_sids warm-up: ${res.status} ${await res.text()}`);
      return performance.now() - t0;
    } catch (err) {
      if (performance.now() - t0 > 900_000 || !(err instanceof TypeError)) throw err;
    }
  }
}

export interface Settled {
  id: string;
  state: "ready" | "failed" | "pending" | "trained" | "none";
  /** From the start of the item's upsert to the poll that saw it settled (or gave up). */
  ms: number;
  error?: string | undefined;
  /** The SID the edge reports once ready (`sid.codes`). */
  codes?: number[] | undefined;
}

/**
 * Polls GET /v1/items/{id} (8 at a time) until every item is ready or failed, or `waitMs` passed
 * since the first upsert. `upsertedAt`: each item's upsert start (performance.now()). An item's time
 * is that of the round that saw it settled: the rounds' own durations bound the error.
 */
export async function untilSettled(
  stack: LocalStack,
  upsertedAt: Map<string, number>,
  waitMs: number,
  log: (line: string) => void,
): Promise<{ settled: Settled[]; pollRoundsMs: number[] }> {
  const done: Settled[] = [];
  const pollRoundsMs: number[] = [];
  let open = [...upsertedAt.keys()];
  const first = Math.min(...upsertedAt.values());
  const view = async (id: string): Promise<Settled> => {
    const { sid } = StoredItem.parse(await call(stack, `/v1/items/${encodeURIComponent(id)}`));
    const ms = performance.now() - (upsertedAt.get(id) as number);
    return { id, state: sid?.state ?? "none", ms, error: sid?.error, codes: sid?.codes };
  };
  while (open.length > 0) {
    const seen: Settled[] = [];
    const at = performance.now();
    for (let i = 0; i < open.length; i += 8)
      seen.push(...(await Promise.all(open.slice(i, i + 8).map(view))));
    pollRoundsMs.push(performance.now() - at);
    const over = performance.now() - first > waitMs;
    for (const s of seen) if (s.state !== "pending" || over) done.push(s);
    open = seen.filter((s) => s.state === "pending" && !over).map((s) => s.id);
    log(`${done.length} settled, ${open.length} pending`);
    if (open.length > 0) await new Promise((r) => setTimeout(r, 250));
  }
  return { settled: done, pollRoundsMs };
}
