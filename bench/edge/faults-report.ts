import type { IngestCell } from "../lib/ingest.ts";
import type { loadSummary } from "../lib/load.ts";
import type { faultRun, recoveredAfter } from "./fault-phases.ts";

/** One recommend measurement: a fixed number of requests at one concurrency. */
export type Cell = ReturnType<typeof loadSummary> & {
  concurrency: number;
  answered_by: Record<string, number>;
};

export type FaultCell = Awaited<ReturnType<typeof faultRun>> & {
  recovery: Awaited<ReturnType<typeof recoveredAfter>>;
  rps_recovered_over_before: number;
};

export function byLevel(cells: Cell[]): Record<string, Cell> {
  return Object.fromEntries(cells.map((cell) => [`c${cell.concurrency}`, cell]));
}

/** Throughput and median latency at 4 and 16 clients relative to one. */
export function ratios(cells: Cell[]) {
  const [c1, c4, c16] = cells as [Cell, Cell, Cell];
  return {
    rps_c4_over_c1: c4.throughput_rps / c1.throughput_rps,
    rps_c16_over_c1: c16.throughput_rps / c1.throughput_rps,
    p50_c16_over_c1: c16.p50_ms / c1.p50_ms,
  };
}

export function printTables(
  recommend: Record<string, Cell[]>,
  ingest: Record<string, IngestCell>,
  faults: Record<string, FaultCell>,
) {
  const ms = (v: number | null) => (v === null ? "-" : v.toFixed(0));
  const rows: Record<string, object> = {};
  for (const [name, cells] of Object.entries(recommend)) {
    for (const x of cells) {
      rows[`${name} x${x.concurrency}`] = {
        p50_ms: x.p50_ms.toFixed(1),
        p99_ms: x.p99_ms.toFixed(1),
        rps: x.throughput_rps.toFixed(0),
        errors: x.errors,
      };
    }
  }
  console.table(rows);
  console.table(
    Object.fromEntries(
      Object.entries(ingest).map(([c, x]) => [
        `ingest ${c}`,
        {
          p50_ms: x.batch_latency.p50_ms.toFixed(1),
          p99_ms: x.batch_latency.p99_ms.toFixed(1),
          "events/s": x.events_per_s.toFixed(0),
          errors: x.batch_latency.errors,
          "stored/distinct": `${x.read_back.stored}/${x.events_distinct}`,
          lost: x.read_back.lost,
          doubled: x.read_back.doubled,
        },
      ]),
    ),
  );
  console.table(
    Object.fromEntries(
      Object.entries(faults).map(([name, x]) => [
        `worker ${name}`,
        {
          "5xx": x.server_errors_5xx,
          "rps after/before": x.rps_after_over_before.toFixed(2),
          "fallback ms": ms(x.first_fallback_after_fault_ms),
          "open ms": ms(x.first_circuit_open_after_fault_ms),
          "DiffGRM again ms": ms(x.recovery.first_diffgrm_answer_after_ms),
          "rps recovered/before": x.rps_recovered_over_before.toFixed(2),
        },
      ]),
    ),
  );
}
