import type { SidState } from "@genrec/shared";

/**
 * D1 access for cold-start SIDs (migration 0003): per model version, the items it was not trained
 * on and the codes the GPU worker gave them. Ids travel as one JSON array (json_each), so a batch
 * of any size binds a handful of parameters.
 */

/** Claims `ids` for background task `task`: pending, codes, vector and error cleared. */
export async function markPending(db: D1Database, version: string, ids: string[], task: string, now: number) {
  if (ids.length === 0) return;
  await db
    .prepare(
      `INSERT INTO sid_overlay (version, item_id, state, codes, task, attempts, error, updated_at)
       SELECT ?1, value, 'pending', NULL, ?2, 0, NULL, ?3 FROM json_each(?4) WHERE true
       ON CONFLICT (version, item_id) DO UPDATE SET state = 'pending', codes = NULL, vector = NULL,
         task = excluded.task, error = NULL, updated_at = excluded.updated_at`,
    )
    .bind(version, task, now, JSON.stringify(ids))
    .run();
}

/**
 * Stores codes (and text vectors, where given) into the rows `task` still owns (a later upsert of an
 * item re-claims its row).
 */
export async function storeCodes(
  db: D1Database,
  version: string,
  task: string,
  sids: { item_id: string; codes: number[]; vector?: number[] }[],
  now: number,
) {
  await db
    .prepare(
      `UPDATE sid_overlay SET state = 'ready', codes = json_extract(j.value, '$.codes'),
         vector = json_extract(j.value, '$.vector'), attempts = attempts + 1, error = NULL, updated_at = ?3
       FROM json_each(?4) AS j
       WHERE version = ?1 AND task = ?2 AND item_id = json_extract(j.value, '$.item_id')`,
    )
    .bind(version, task, now, JSON.stringify(sids))
    .run();
}

export async function markFailed(
  db: D1Database,
  version: string,
  task: string,
  ids: string[],
  error: string,
  now: number,
) {
  await db
    .prepare(
      `UPDATE sid_overlay SET state = 'failed', attempts = attempts + 1, error = ?3, updated_at = ?4
       WHERE version = ?1 AND task = ?2 AND item_id IN (SELECT value FROM json_each(?5))`,
    )
    .bind(version, task, error.slice(0, 500), now, JSON.stringify(ids))
    .run();
}

/** Items to try again: failed fewer than `maxAttempts` times, or pending since before `staleBefore`. */
export async function retryable(
  db: D1Database,
  version: string,
  staleBefore: number,
  maxAttempts: number,
  limit: number,
): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT item_id FROM sid_overlay WHERE version = ?1
         AND ((state = 'failed' AND attempts < ?3) OR (state = 'pending' AND updated_at < ?2))
       ORDER BY updated_at LIMIT ?4`,
    )
    .bind(version, staleBefore, maxAttempts, limit)
    .all<{ item_id: string }>();
  return results.map((r) => r.item_id);
}

/** The ready items of `version` in the order they first arrived (their overlay rows). */
export async function readyCodes(db: D1Database, version: string) {
  const { results } = await db
    .prepare(
      "SELECT item_id, codes, vector FROM sid_overlay WHERE version = ? AND state = 'ready' ORDER BY rowid",
    )
    .bind(version)
    .all<{ item_id: string; codes: string; vector: string | null }>();
  return results.map((r) => ({
    itemId: r.item_id,
    codes: JSON.parse(r.codes) as number[],
    ...(r.vector === null ? {} : { vector: JSON.parse(r.vector) as number[] }),
  }));
}

/** Changes whenever the ready set of `version` changes (count and newest write). */
export async function readyStamp(db: D1Database, version: string): Promise<string> {
  const row = await db
    .prepare(
      `SELECT count(*) AS n, coalesce(max(updated_at), 0) AS t FROM sid_overlay
       WHERE version = ? AND state = 'ready'`,
    )
    .bind(version)
    .first<{ n: number; t: number }>();
  return `${row?.n ?? 0}:${row?.t ?? 0}`;
}

export interface OverlayRow {
  state: Exclude<SidState, "trained">;
  /** The worker's codes once `ready`, else null. */
  codes: number[] | null;
  attempts: number;
  error: string | null;
}

export async function overlayRow(db: D1Database, version: string, id: string): Promise<OverlayRow | null> {
  const row = await db
    .prepare("SELECT state, codes, attempts, error FROM sid_overlay WHERE version = ? AND item_id = ?")
    .bind(version, id)
    .first<Omit<OverlayRow, "codes"> & { codes: string | null }>();
  return row && { ...row, codes: row.codes === null ? null : (JSON.parse(row.codes) as number[]) };
}

/** Catalogue item ids with no row for `version` (any state). */
export async function withoutOverlay(db: D1Database, version: string): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT id FROM items
       WHERE NOT EXISTS (SELECT 1 FROM sid_overlay o WHERE o.version = ? AND o.item_id = items.id)`,
    )
    .bind(version)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}
