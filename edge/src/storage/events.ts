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
 * Stores events idempotently: `event_id` is the primary key and INSERT OR IGNORE skips replays,
 * so a retried batch stores nothing twice. Returns how many rows were new.
 */
export async function insertEvents(db: D1Database, events: Event[]): Promise<number> {
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < events.length; i += EVENTS_PER_STATEMENT) {
    const chunk = events.slice(i, i + EVENTS_PER_STATEMENT);
    const rows = chunk.map(() => "(?, ?, ?, ?, ?)").join(", ");
    const values = chunk.flatMap((e) => [e.event_id, e.user_id, e.item_id, Date.parse(e.timestamp), e.type]);
    statements.push(
      db
        .prepare(`INSERT OR IGNORE INTO events (event_id, user_id, item_id, ts, type) VALUES ${rows}`)
        .bind(...values),
    );
  }
  const results = await db.batch(statements);
  return results.reduce((sum, r) => sum + (r.meta.changes ?? 0), 0);
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

export async function deleteUserEvents(db: D1Database, userId: string): Promise<number> {
  const result = await db.prepare("DELETE FROM events WHERE user_id = ?").bind(userId).run();
  return result.meta.changes ?? 0;
}

/** Interaction counts of the `limit` most frequent items, most frequent first (ties by item id). */
export async function topItems(
  db: D1Database,
  limit: number,
): Promise<Array<{ item_id: string; count: number }>> {
  const { results } = await db
    .prepare(
      "SELECT item_id, COUNT(*) AS count FROM events GROUP BY item_id ORDER BY count DESC, item_id LIMIT ?",
    )
    .bind(limit)
    .all<{ item_id: string; count: number }>();
  return results;
}
