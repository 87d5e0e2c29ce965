import type { LocalStack } from "@genrec/infra/local-stack";
import { closedLoop, loadSummary, rateBetween, type Sample } from "../lib/load.ts";
import { summarize } from "../lib/result.ts";

/** Which model answered a recommendation, and why, when it replaced the requested one. */
export interface Answer {
  model: string;
  reason?: string;
}

/** How many answers each model gave, and why another model answered ("rpg:circuit_open": 12). */
export function answeredBy(samples: readonly Sample<Answer>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (!s.info) continue;
    const key = s.info.reason ? `${s.info.model}:${s.info.reason}` : s.info.model;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

function windowOf(samples: readonly Sample<Answer>[], from: number, to: number) {
  const inside = samples.filter((s) => s.end >= from && s.end < to);
  const { p50_ms, p99_ms, max_ms } = summarize(inside.map((s) => s.end - s.start));
  return {
    requests: inside.length,
    p50_ms,
    p99_ms,
    max_ms,
    throughput_rps: rateBetween(samples, from, to),
    answered_by: answeredBy(inside),
  };
}

/** Sends a signal to the GPU worker's process group (uv and the Python server). */
function signalGpu(stack: LocalStack, signal: NodeJS.Signals): void {
  const pid = stack.gpu.process.pid;
  if (pid === undefined) throw new Error("the GPU worker has no pid");
  process.kill(-pid, signal);
}

/**
 * A closed loop of DiffGRM requests in which the worker fails after a quarter of them: `kill`
 * (SIGKILL, as a crash), or `hang` (SIGSTOP: connections are accepted and never answered, until
 * the loop ends and SIGCONT resumes it). Windows are cut by when requests ended.
 */
export async function faultRun(
  stack: LocalStack,
  opts: {
    kind: "kill" | "hang";
    total: number;
    concurrency: number;
    send: (i: number) => Promise<Response>;
    inspect: (body: unknown) => Answer;
  },
) {
  const faultAfter = Math.floor(opts.total / 4);
  let faultAt = Number.NaN;
  let killed: Promise<void> | undefined;
  const { samples, wall_s } = await closedLoop({
    ...opts,
    onDone: (sample, completed) => {
      if (completed !== faultAfter) return;
      faultAt = sample.end;
      if (opts.kind === "kill") killed = stack.killGpu();
      else signalGpu(stack, "SIGSTOP");
    },
  });
  await killed;
  if (opts.kind === "hang") signalGpu(stack, "SIGCONT");
  const end = Math.max(...samples.map((s) => s.end));
  const after = samples.filter((s) => s.end > faultAt);
  const firstAfter = (pred: (a: Answer) => boolean) => {
    const ends = after.filter((s) => s.info && pred(s.info)).map((s) => s.end - faultAt);
    return ends.length ? Math.min(...ends) : null;
  };
  const firstOpenMs = firstAfter((a) => a.reason === "circuit_open");
  const before = windowOf(samples, 0, faultAt);
  const afterWindow = windowOf(samples, faultAt, end + 1);
  const out = {
    fault: opts.kind === "kill" ? "SIGKILL of the worker's process group" : "SIGSTOP, SIGCONT after the loop",
    fault_after_requests: faultAfter,
    all: loadSummary(samples, wall_s),
    server_errors_5xx: samples.filter((s) => s.status >= 500 || s.status === 0).length,
    before,
    after: afterWindow,
    first_fallback_after_fault_ms: firstAfter((a) => a.reason !== undefined),
    rps_after_over_before: afterWindow.throughput_rps / before.throughput_rps,
  };
  if (opts.kind === "kill" || firstOpenMs === null)
    return { ...out, first_circuit_open_after_fault_ms: firstOpenMs };
  // Hung: requests in flight wait out the deadline (slow), then the breaker answers at once (open).
  const slow = windowOf(samples, faultAt, faultAt + firstOpenMs);
  const open = windowOf(samples, faultAt + firstOpenMs, end + 1);
  const timeouts = after.filter((s) => s.info?.reason === "upstream_timeout").map((s) => s.end - faultAt);
  return {
    ...out,
    first_circuit_open_after_fault_ms: firstOpenMs,
    // each timeout (re)opens the circuit for the cooldown, so recovery counts from the last one
    last_timeout_after_fault_ms: timeouts.length ? Math.max(...timeouts) : null,
    resumed_after_fault_ms: end - faultAt,
    slow,
    open,
    rps_slow_over_before: slow.throughput_rps / before.throughput_rps,
    rps_open_over_before: open.throughput_rps / before.throughput_rps,
  };
}

/**
 * After a fault ends: polls (serially, every `pollMs`) until DiffGRM answers again, then measures a
 * closed loop of `total` requests at concurrency 16. A hung worker's circuit stays open for its
 * cooldown, so the first DiffGRM answer can take that long.
 */
export async function recoveredAfter(
  send: (i: number) => Promise<Response>,
  inspect: (body: unknown) => Answer,
  total: number,
  { pollMs = 250, maxSeconds = 45 } = {},
) {
  const t0 = performance.now();
  let polls = 0;
  let firstMs: number | null = null;
  const answers: Record<string, number> = {};
  while (performance.now() - t0 < maxSeconds * 1000) {
    const res = await send(polls++);
    const body: unknown = await res.json().catch(() => undefined);
    const got = res.ok ? inspect(body) : { model: `status ${res.status}` };
    const key = got.reason ? `${got.model}:${got.reason}` : got.model;
    answers[key] = (answers[key] ?? 0) + 1;
    if (got.model === "diffgrm") {
      firstMs = performance.now() - t0;
      break;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  const { samples, wall_s } = await closedLoop({ total, concurrency: 16, send, inspect });
  return {
    first_diffgrm_answer_after_ms: firstMs,
    polls,
    poll_answers: answers,
    load: { ...loadSummary(samples, wall_s), answered_by: answeredBy(samples) },
  };
}
