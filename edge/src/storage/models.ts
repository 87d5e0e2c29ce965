import type { ModelKind } from "@genrec/shared";

export interface ModelVersionRow {
  version: string;
  model: ModelKind;
  manifest: string;
  created_at: number;
  activated_at: number | null;
  live: number;
}

export async function listModelVersions(db: D1Database): Promise<ModelVersionRow[]> {
  const { results } = await db
    .prepare("SELECT * FROM model_versions ORDER BY created_at DESC, version DESC")
    .all<ModelVersionRow>();
  return results;
}

export async function getModelVersion(db: D1Database, version: string): Promise<ModelVersionRow | null> {
  return db.prepare("SELECT * FROM model_versions WHERE version = ?").bind(version).first<ModelVersionRow>();
}

export async function liveModelVersion(db: D1Database): Promise<ModelVersionRow | null> {
  return db.prepare("SELECT * FROM model_versions WHERE live = 1").first<ModelVersionRow>();
}

/**
 * Registers a version unless it exists, in one statement: concurrent registrations of one version
 * get exactly one `true` (no check-then-insert race, no UNIQUE-constraint error).
 */
export async function insertModelVersion(
  db: D1Database,
  row: { version: string; model: ModelKind; manifest: string },
  now = Date.now(),
): Promise<boolean> {
  const result = await db
    .prepare(
      `INSERT INTO model_versions (version, model, manifest, created_at, live) VALUES (?, ?, ?, ?, 0)
       ON CONFLICT (version) DO NOTHING`,
    )
    .bind(row.version, row.model, row.manifest, now)
    .run();
  return result.meta.changes === 1;
}

export async function deleteModelVersion(db: D1Database, version: string): Promise<void> {
  await db.prepare("DELETE FROM model_versions WHERE version = ? AND live = 0").bind(version).run();
}

/** Makes `version` the live one in one transaction: the previous live row is cleared first. */
export async function activateModelVersion(db: D1Database, version: string, now = Date.now()): Promise<void> {
  await db.batch([
    db.prepare("UPDATE model_versions SET live = 0 WHERE live = 1"),
    db.prepare("UPDATE model_versions SET live = 1, activated_at = ? WHERE version = ?").bind(now, version),
  ]);
}

/** The version that was live before the current one: the most recently activated non-live row. */
export async function previousModelVersion(db: D1Database): Promise<ModelVersionRow | null> {
  return db
    .prepare(
      "SELECT * FROM model_versions WHERE live = 0 AND activated_at IS NOT NULL ORDER BY activated_at DESC LIMIT 1",
    )
    .first<ModelVersionRow>();
}
