import {
  type ArmMetrics,
  ExperimentStart,
  MetricsQuery,
  type MetricsReport,
  PromoteRequest,
  type Proportion,
} from "@genrec/shared";
import { ArgumentError, parseArg } from "../args.ts";

/** `--arm NAME=VERSION:SHARE` (repeated) -> the start body, checked by the shared schema. */
export function experimentStartArgs(id: string, arms: readonly string[]): ExperimentStart {
  const parsed = arms.map((raw) => {
    const match = /^([^=]+)=([^:]+):(.+)$/.exec(raw);
    if (!match)
      throw new ArgumentError(`--arm ${JSON.stringify(raw)}: expected NAME=VERSION:SHARE (e.g. b=rpg-2:0.5)`);
    const [, name, version, share] = match;
    return { name, version, share: share?.trim() === "" ? Number.NaN : Number(share) };
  });
  const body = ExperimentStart.safeParse({ id, arms: parsed });
  if (!body.success) {
    const why = body.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
    throw new ArgumentError(`experiment start ${id}: ${why}`);
  }
  return body.data;
}

export const promoteArg = (raw: string) => parseArg("--arm", PromoteRequest.shape.arm, raw);

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since 24h|30m|7d` and `--experiment ID` -> the metrics query string. */
export function metricsQuery(
  values: { since?: string | undefined; experiment?: string | undefined },
  now = Date.now(),
) {
  const query: Record<string, string> = {};
  if (values.since !== undefined) {
    const match = /^([1-9][0-9]{0,5})([mhd])$/.exec(values.since);
    if (!match)
      throw new ArgumentError(`--since ${JSON.stringify(values.since)}: a duration like 30m, 24h or 7d`);
    query.from = new Date(now - Number(match[1]) * (UNITS[match[2] ?? "d"] ?? 0)).toISOString();
  }
  if (values.experiment !== undefined)
    query.experiment_id = parseArg(
      "--experiment",
      MetricsQuery.shape.experiment_id.unwrap(),
      values.experiment,
    );
  return new URLSearchParams(query).toString();
}

const pct = (p: Proportion) =>
  `${(100 * p.value).toFixed(2)}% [${(100 * p.low).toFixed(2)}, ${(100 * p.high).toFixed(2)}]`;

const row = (m: ArmMetrics) => {
  const events =
    Object.entries(m.events)
      .map(([type, n]) => `${type} ${n}`)
      .join(", ") || "none";
  const where = m.experiment_id === null ? m.arm : `${m.experiment_id}/${m.arm}`;
  return `${where}  ${m.version}  served ${m.served}  ctr ${pct(m.click_through)}  hit ${pct(m.hit_rate)}  events: ${events}`;
};

/** One line per version and arm, intervals at 95%. */
export function metricsLines(report: MetricsReport): string[] {
  const head = `served from ${report.from} to ${report.to} (95% Wilson intervals)`;
  return report.arms.length === 0 ? [head, "nothing served in this window"] : [head, ...report.arms.map(row)];
}
