import { INSTANCE_HEADER, instanceAt } from "@genrec/infra/instance";
import type { LocalStack } from "@genrec/infra/local-stack";
import { summarize } from "./result.ts";

/** One request of a closed loop: when it started and ended (ms since the loop began) and its status. */
export interface Sample<T> {
  index: number;
  start: number;
  end: number;
  /** HTTP status; 0 when no answer came back (connection error). */
  status: number;
  /** What `inspect` read from a 2xx body. */
  info?: T;
}

export interface LoopOptions<T> {
  /** Requests in all (fixed counts keep runs bounded and comparable). */
  total: number;
  concurrency: number;
  /** Sends request `index`; the loop reads the body and times it. */
  send: (index: number) => Promise<Response>;
  /** Reads what matters from a 2xx JSON body (model, fallback reason, ...). */
  inspect?: (body: unknown) => T;
  /** Called after each request, in completion order (fault injection hooks in here). */
  onDone?: (sample: Sample<T>, completed: number) => void;
  /** Stops starting new requests after this many seconds (a safety bound, not the plan). */
  maxSeconds?: number;
}

/**
 * A closed loop: `concurrency` clients, each sending its next request when the last one answered,
 * until `total` have been sent. Returns every request, so that callers can cut windows by time.
 */
export async function closedLoop<T>(opts: LoopOptions<T>): Promise<{ samples: Sample<T>[]; wall_s: number }> {
  const { total, concurrency, send, inspect, onDone, maxSeconds = 600 } = opts;
  const samples: Sample<T>[] = [];
  let next = 0;
  const t0 = performance.now();
  const stopAt = t0 + maxSeconds * 1000;
  const client = async () => {
    while (next < total && performance.now() < stopAt) {
      const index = next++;
      const start = performance.now() - t0;
      let status = 0;
      let info: T | undefined;
      try {
        const res = await send(index);
        status = res.status;
        const body: unknown = await res.json().catch(() => undefined);
        if (res.ok && inspect) info = inspect(body);
      } catch {
        status = 0;
      }
      const sample: Sample<T> = { index, start, end: performance.now() - t0, status };
      if (info !== undefined) sample.info = info;
      samples.push(sample);
      onDone?.(sample, samples.length);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return { samples, wall_s: (performance.now() - t0) / 1000 };
}

/** Answers by status ("200": 298, "502": 2; "0" for no answer). */
export function statusCounts(samples: readonly Sample<unknown>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of samples) counts[String(s.status)] = (counts[String(s.status)] ?? 0) + 1;
  return counts;
}

/** Latency of the 2xx answers, errors by status, and completed requests per second of `wall_s`. */
export function loadSummary(samples: readonly Sample<unknown>[], wall_s: number) {
  const ok = samples.filter((s) => s.status >= 200 && s.status < 300);
  return {
    ...summarize(ok.map((s) => s.end - s.start)),
    errors: samples.length - ok.length,
    status: statusCounts(samples),
    throughput_rps: samples.length / wall_s,
  };
}

/** Completed requests per second among those that ended in [from, to) ms. */
export function rateBetween(samples: readonly Sample<unknown>[], from: number, to: number): number {
  if (to <= from) return Number.NaN;
  return samples.filter((s) => s.end >= from && s.end < to).length / ((to - from) / 1000);
}

/**
 * Checks that the edge still answers as the process the launcher started (its instance value)
 * before a loop sends it keys with plain fetch, as the launcher and the CLI do.
 */
export async function assertOwnEdge(stack: LocalStack): Promise<void> {
  const reported = await instanceAt(`${stack.edgeUrl}/health`);
  if (reported !== stack.instance)
    throw new Error(`${stack.edgeUrl} is not this run's edge (${INSTANCE_HEADER}: ${reported ?? "none"})`);
}
