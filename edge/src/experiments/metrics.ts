import { type ArmMetrics, EventType } from "@genrec/shared";
import { wilson } from "./stats.ts";

interface ArmRow {
  experiment_id: string | null;
  arm: string;
  version: string;
  served: number;
  fallbacks: number;
  clicked: number;
  hit: number;
}

// Answers served in the window, grouped by arm and assigned version; an answer counts once however
// many events name it (clicked: any attributed click; hit: any attributed event on a recommended item).
const ARMS = `
SELECT s.experiment_id, s.arm, s.version, COUNT(*) AS served,
  SUM(s.served_version <> s.version) AS fallbacks,
  SUM(EXISTS (SELECT 1 FROM feedback f WHERE f.recommendation_id = s.recommendation_id AND f.type = 'click')) AS clicked,
  SUM(EXISTS (SELECT 1 FROM feedback f WHERE f.recommendation_id = s.recommendation_id
      AND f.item_id IN (SELECT value FROM json_each(s.items)))) AS hit
FROM served s WHERE s.ts >= ?1 AND s.ts < ?2 AND (?3 IS NULL OR s.experiment_id = ?3)
GROUP BY s.experiment_id, s.arm, s.version ORDER BY s.experiment_id, s.arm, s.version`;

const EVENTS = `
SELECT s.experiment_id, s.arm, s.version, f.type, COUNT(*) AS count
FROM served s JOIN feedback f ON f.recommendation_id = s.recommendation_id
WHERE s.ts >= ?1 AND s.ts < ?2 AND (?3 IS NULL OR s.experiment_id = ?3)
GROUP BY s.experiment_id, s.arm, s.version, f.type`;

const groupKey = (r: { experiment_id: string | null; arm: string; version: string }) =>
  JSON.stringify([r.experiment_id, r.arm, r.version]);

/** Served answers and their attributed events per experiment, arm and version, over [fromMs, toMs). */
export async function armMetrics(
  db: D1Database,
  fromMs: number,
  toMs: number,
  experimentId: string | null,
): Promise<ArmMetrics[]> {
  const [arms, events] = await db.batch([
    db.prepare(ARMS).bind(fromMs, toMs, experimentId),
    db.prepare(EVENTS).bind(fromMs, toMs, experimentId),
  ]);
  const counts = new Map<string, ArmMetrics["events"]>();
  for (const row of (events?.results ?? []) as Array<ArmRow & { type: string; count: number }>) {
    const type = EventType.safeParse(row.type);
    if (!type.success) continue;
    const key = groupKey(row);
    counts.set(key, { ...counts.get(key), [type.data]: row.count });
  }
  return ((arms?.results ?? []) as ArmRow[]).map((row) => ({
    experiment_id: row.experiment_id,
    arm: row.arm,
    version: row.version,
    served: row.served,
    fallbacks: row.fallbacks,
    events: counts.get(groupKey(row)) ?? {},
    click_through: wilson(row.clicked, row.served),
    hit_rate: wilson(row.hit, row.served),
  }));
}
