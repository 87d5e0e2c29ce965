import type { Event } from "@genrec/shared";
import { type ItemRow, toItem } from "./items.ts";

/** Rows per D1 page when exporting: bounded memory per query whatever the table size. */
const PAGE = 5000;

async function* pages<T>(db: D1Database, sql: string): AsyncGenerator<T[]> {
  let after = 0;
  for (;;) {
    const { results } = await db.prepare(sql).bind(after, PAGE).all<T & { rowid: number }>();
    if (results.length === 0) return;
    yield results;
    after = (results[results.length - 1] as { rowid: number }).rowid;
  }
}

/**
 * Writes every stored item and event to R2 as JSONL in the wire shapes (Item, Event), which the
 * GPU worker's events loader reads as they are. Returns how many lines each file holds.
 */
export async function writeSnapshot(
  db: D1Database,
  bucket: R2Bucket,
  id: string,
): Promise<{ items: number; events: number }> {
  const items: string[] = [];
  for await (const rows of pages<ItemRow>(
    db,
    `SELECT rowid, id, title, brand, categories, description, price, attributes FROM items
     WHERE rowid > ? ORDER BY rowid LIMIT ?`,
  )) {
    for (const row of rows) items.push(JSON.stringify(toItem(row)));
  }
  const events: string[] = [];
  for await (const rows of pages<{
    event_id: string;
    user_id: string;
    item_id: string;
    ts: number;
    type: Event["type"];
  }>(
    db,
    "SELECT rowid, event_id, user_id, item_id, ts, type FROM events WHERE rowid > ? ORDER BY rowid LIMIT ?",
  )) {
    for (const e of rows) {
      const timestamp = new Date(e.ts).toISOString();
      events.push(
        JSON.stringify({
          event_id: e.event_id,
          user_id: e.user_id,
          item_id: e.item_id,
          timestamp,
          type: e.type,
        }),
      );
    }
  }
  const jsonl = (lines: string[]) => (lines.length ? `${lines.join("\n")}\n` : "");
  await bucket.put(snapshotKey(id, "items.jsonl"), jsonl(items));
  await bucket.put(snapshotKey(id, "events.jsonl"), jsonl(events));
  return { items: items.length, events: events.length };
}

export const snapshotKey = (id: string, file: "items.jsonl" | "events.jsonl") => `snapshots/${id}/${file}`;

export async function deleteSnapshot(bucket: R2Bucket, id: string): Promise<void> {
  await bucket.delete([snapshotKey(id, "items.jsonl"), snapshotKey(id, "events.jsonl")]);
}
