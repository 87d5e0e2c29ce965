import { type Event, IngestResult, UserHistory } from "@genrec/shared";
import { closedLoop, loadSummary } from "./load.ts";

/** A deterministic generator (mulberry32), so that every run sends the same batches. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface IngestPlan {
  batches: Event[][];
  /** Every distinct event sent, by event_id: what must be stored, once each. */
  unique: Map<string, Event>;
  users: string[];
  sent: number;
}

/**
 * Batches of `size` events for `users` users of this plan (ids prefixed by `tag`): a share
 * `replayShare` of each batch re-sends events of earlier batches (or of its own: a retried
 * event), and every `retryEvery`-th batch is an earlier batch sent again whole, as a client
 * retrying after a lost reply would. Items come from the catalogue, so the events are valid.
 */
export function ingestPlan(opts: {
  tag: string;
  batches: number;
  size: number;
  replayShare: number;
  retryEvery: number;
  users: number;
  items: readonly string[];
  seed: number;
}): IngestPlan {
  const rand = prng(opts.seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)] as T;
  const users = Array.from({ length: opts.users }, (_, u) => `${opts.tag}-u${u}`);
  const unique = new Map<string, Event>();
  const sentOnce: Event[] = [];
  const batches: Event[][] = [];
  const base = Date.parse("2024-01-01T00:00:00Z");
  for (let b = 0; b < opts.batches; b++) {
    if (b > 0 && b % opts.retryEvery === 0) {
      batches.push(pick(batches));
      continue;
    }
    const batch: Event[] = [];
    for (let i = 0; i < opts.size; i++) {
      if (sentOnce.length > 0 && rand() < opts.replayShare) {
        batch.push(pick(sentOnce));
        continue;
      }
      const k = unique.size;
      const event: Event = {
        event_id: `${opts.tag}-e${k}`,
        user_id: pick(users),
        item_id: pick(opts.items),
        timestamp: new Date(base + k * 1000).toISOString(),
        type: "view",
      };
      unique.set(event.event_id, event);
      sentOnce.push(event);
      batch.push(event);
    }
    batches.push(batch);
  }
  return { batches, unique, users, sent: batches.reduce((s, b) => s + b.length, 0) };
}

/**
 * Reads every plan user's stored history back and compares it with the distinct events sent:
 * `lost` were sent but are not stored, `doubled` are stored more than once, `foreign` are stored
 * but were never sent, `altered` are stored with another item than the one sent.
 */
export async function verifyStored(
  plan: IngestPlan,
  history: (user: string) => Promise<Response>,
): Promise<{
  stored: number;
  expected: number;
  lost: number;
  doubled: number;
  foreign: number;
  altered: number;
}> {
  let stored = 0;
  let doubled = 0;
  let foreign = 0;
  let altered = 0;
  const seen = new Set<string>();
  for (const user of plan.users) {
    const res = await history(user);
    if (res.status === 404) continue; // a user none of whose events was stored
    const { events } = UserHistory.parse(await res.json());
    for (const e of events) {
      stored++;
      if (seen.has(e.event_id)) doubled++;
      seen.add(e.event_id);
      const sent = plan.unique.get(e.event_id);
      if (!sent || sent.user_id !== user) foreign++;
      else if (sent.item_id !== e.item_id) altered++;
    }
  }
  const lost = [...plan.unique.keys()].filter((id) => !seen.has(id)).length;
  return { stored, expected: plan.unique.size, lost, doubled, foreign, altered };
}

/**
 * Sends a plan's batches with `concurrency` clients, then `conflicts` events that reuse a sent
 * event_id with another item (each alone, after the loop, so it cannot race its original: each must
 * be refused with 409), then reads every user back.
 */
export async function measureIngest(
  plan: IngestPlan,
  concurrency: number,
  io: {
    ingest: (events: Event[]) => Promise<Response>;
    history: (user: string) => Promise<Response>;
    conflicts: number;
  },
) {
  let accepted = 0;
  let duplicates = 0;
  const { samples, wall_s } = await closedLoop({
    total: plan.batches.length,
    concurrency,
    send: (i) => io.ingest(plan.batches[i] ?? []),
    inspect: (body) => {
      const r = IngestResult.parse(body);
      accepted += r.accepted;
      duplicates += r.duplicates;
      return r;
    },
  });
  const refused: number[] = [];
  const sent = [...plan.unique.values()];
  for (let k = 0; k < io.conflicts; k++) {
    const original = sent[Math.floor((k * sent.length) / io.conflicts)] as Event;
    const res = await io.ingest([{ ...original, item_id: `${original.item_id}-other` }]);
    await res.body?.cancel();
    refused.push(res.status);
  }
  const check = await verifyStored(plan, io.history);
  const { throughput_rps, ...latency } = loadSummary(samples, wall_s);
  return {
    concurrency,
    batches: plan.batches.length,
    events_sent: plan.sent,
    events_distinct: plan.unique.size,
    batch_latency: latency,
    batches_per_s: throughput_rps,
    events_per_s: plan.sent / wall_s,
    accepted,
    duplicates,
    counts_exact: accepted === plan.unique.size && duplicates === plan.sent - plan.unique.size,
    conflicting_replays: { sent: io.conflicts, refused_409: refused.filter((s) => s === 409).length },
    read_back: check,
    nothing_lost: check.lost === 0,
    nothing_doubled: check.doubled === 0 && check.foreign === 0 && check.stored === plan.unique.size,
  };
}
export type IngestCell = Awaited<ReturnType<typeof measureIngest>>;
