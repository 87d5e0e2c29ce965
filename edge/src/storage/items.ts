import type { Item } from "@genrec/shared";

/** D1 statements stay under the 100-bound-parameter limit; an item row binds 8. */
const ITEMS_PER_STATEMENT = 12;

/** Creates or replaces items; all statements run in one D1 batch (a single transaction). */
export async function upsertItems(db: D1Database, items: Item[], now = Date.now()): Promise<number> {
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < items.length; i += ITEMS_PER_STATEMENT) {
    const chunk = items.slice(i, i + ITEMS_PER_STATEMENT);
    const rows = chunk.map(() => "(?, ?, ?, ?, ?, ?, ?, ?)").join(", ");
    const values = chunk.flatMap((item) => [
      item.id,
      item.title ?? null,
      item.brand ?? null,
      item.categories ? JSON.stringify(item.categories) : null,
      item.description ?? null,
      item.price ?? null,
      item.attributes ? JSON.stringify(item.attributes) : null,
      now,
    ]);
    statements.push(
      db
        .prepare(
          `INSERT INTO items (id, title, brand, categories, description, price, attributes, updated_at)
           VALUES ${rows}
           ON CONFLICT (id) DO UPDATE SET title = excluded.title, brand = excluded.brand,
             categories = excluded.categories, description = excluded.description,
             price = excluded.price, attributes = excluded.attributes, updated_at = excluded.updated_at`,
        )
        .bind(...values),
    );
  }
  await db.batch(statements);
  return items.length;
}

/** An `items` row as D1 returns it (updated_at left out: it is not part of the wire shape). */
export interface ItemRow {
  id: string;
  title: string | null;
  brand: string | null;
  categories: string | null;
  description: string | null;
  price: number | null;
  attributes: string | null;
}

/** D1 row -> the wire-shape Item. The JSON columns were written by upsertItems from validated Items. */
export function toItem(row: ItemRow): Item {
  const item: Item = { id: row.id };
  if (row.title !== null) item.title = row.title;
  if (row.brand !== null) item.brand = row.brand;
  if (row.categories !== null) item.categories = JSON.parse(row.categories);
  if (row.description !== null) item.description = row.description;
  if (row.price !== null) item.price = row.price;
  if (row.attributes !== null) item.attributes = JSON.parse(row.attributes);
  return item;
}

export async function getItem(db: D1Database, id: string): Promise<Item | null> {
  const row = await db.prepare("SELECT * FROM items WHERE id = ?").bind(id).first<ItemRow>();
  return row ? toItem(row) : null;
}

/** The ids in `ids` the edge has no record of (in no catalogue item and no stored event), in order. */
export async function unknownItems(db: D1Database, ids: readonly string[]): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT value AS id FROM json_each(?)
       WHERE NOT EXISTS (SELECT 1 FROM items WHERE items.id = value)
         AND NOT EXISTS (SELECT 1 FROM events WHERE events.item_id = value)`,
    )
    .bind(JSON.stringify(ids))
    .all<{ id: string }>();
  return [...new Set(results.map((r) => r.id))];
}

/** The stored items among `ids` (any order; unknown ids are left out). */
export async function getItems(db: D1Database, ids: readonly string[]): Promise<Item[]> {
  if (ids.length === 0) return [];
  const { results } = await db
    .prepare("SELECT * FROM items WHERE id IN (SELECT value FROM json_each(?))")
    .bind(JSON.stringify(ids))
    .all<ItemRow>();
  return results.map(toItem);
}
