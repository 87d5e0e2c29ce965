import type { Event } from "@genrec/shared";

/** An event row binds 5 parameters; 19 rows stay under D1's 100-parameter limit. */
const EVENTS_PER_STATEMENT = 19;

export interface StoredEvent {
  event_id: string;
  item_id: string;
  ts: number;
  type: Event["type"];
}

/**
 * Stores events idempotently, all or nothing: `event_id` is the primary key and INSERT OR IGNORE
 * skips replays, so a retried batch stores nothing twice. Returns how many rows were new, or null
 * when an event_id is stored (or repeated in the batch) with a different payload: the
 * events_id_conflict trigger (migration 0002) then aborts the whole batch.
 */
export async function insertEvents(db: D1Database, events: Event[]): Promise<number | null> {
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < events.length; i += EVENTS_PER_STATEMENT) {
    const chunk = events.slice(i, i + EVENTS_PER_STATEMENT);
    const rows = chunk.map(() => "(?, ?, ?, ?, ?)").join(", ");
    const values = chunk.flatMap((e) => [e.event_id, e.user_id, e.item_id, Date.parse(e.timestamp), e.type]);
    statements.push(
      db
        .prepare(
          `INSERT OR IGNORE INTO events (event_id, user_id, item_id, ts, type) VALUES ${rows} RETURNING 1`,
        )
        .bind(...values),
    );
  }
  try {
    const results = await db.batch(statements);
    // The stored rows are the ones returned: meta.changes also counts the item_counts trigger's writes.
    return results.reduce((sum, r) => sum + r.results.length, 0);
  } catch (err) {
    if (String(err).includes("event_id conflict")) return null;
    throw err;
  }
}

/** Indexes of `events` whose event_id is stored, or appears earlier in the batch, with another payload. */
export async function conflictingEvents(db: D1Database, events: Event[]): Promise<number[]> {
  const key = (e: { user_id: string; item_id: string; ts: number; type: string }) =>
    JSON.stringify([e.user_id, e.item_id, e.ts, e.type]);
  const { results } = await db
    .prepare(
      "SELECT event_id, user_id, item_id, ts, type FROM events WHERE event_id IN (SELECT value FROM json_each(?))",
    )
    .bind(JSON.stringify(events.map((e) => e.event_id)))
    .all<StoredEvent & { user_id: string }>();
  const payload = new Map(results.map((row) => [row.event_id, key(row)]));
  const conflicts: number[] = [];
  events.forEach((e, i) => {
    const mine = key({ ...e, ts: Date.parse(e.timestamp) });
    const first = payload.get(e.event_id);
    if (first === undefined) payload.set(e.event_id, mine);
    else if (first !== mine) conflicts.push(i);
  });
  return conflicts;
}

/** A user's most recent `limit` events, returned oldest first (ties in arrival order). */
export async function recentEvents(db: D1Database, userId: string, limit: number): Promise<StoredEvent[]> {
  const { results } = await db
    .prepare(
      `SELECT event_id, item_id, ts, type FROM events WHERE user_id = ?
       ORDER BY ts DESC, rowid DESC LIMIT ?`,
    )
    .bind(userId, limit)
    .all<StoredEvent>();
  return results.reverse();
}

/** Removes a user's events; returns how many (counted by RETURNING: meta.changes counts triggers' writes too). */
export async function deleteUserEvents(db: D1Database, userId: string): Promise<number> {
  const { results } = await db.prepare("DELETE FROM events WHERE user_id = ? RETURNING 1").bind(userId).all();
  return results.length;
}

/**
 * Interaction counts of the `limit` most frequent items, most frequent first (ties by item id):
 * the first rows of item_counts' index, which triggers on events keep exact (migration 0004).
 */
export async function topItems(
  db: D1Database,
  limit: number,
): Promise<Array<{ item_id: string; count: number }>> {
  const { results } = await db
    .prepare("SELECT item_id, count FROM item_counts ORDER BY count DESC, item_id LIMIT ?")
    .bind(limit)
    .all<{ item_id: string; count: number }>();
  return results;
}
