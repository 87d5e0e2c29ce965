import { heldSnapshots } from "./trainings.ts";

/** How long an unregistered upload or an unheld snapshot may stay in R2 before the sweep removes it. */
export const SWEEP_AGE_MS = 24 * 60 * 60_000;

/** Deletes the objects under `prefix` older than `before` whose first path segment is an orphan. */
async function sweepPrefix(
  bucket: R2Bucket,
  prefix: string,
  before: number,
  orphan: (id: string) => boolean,
): Promise<number> {
  let deleted = 0;
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, ...(cursor ? { cursor } : {}) });
    const keys = page.objects
      .filter((o) => o.uploaded.getTime() < before && orphan(o.key.slice(prefix.length).split("/")[0] ?? ""))
      .map((o) => o.key);
    if (keys.length > 0) await bucket.delete(keys);
    deleted += keys.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return deleted;
}

/**
 * The scheduled clean-up (cron in infra/wrangler.jsonc): removes artifact uploads of versions never
 * registered (`models/<version>/...`) and training snapshots no training slot holds
 * (`snapshots/<id>/...`), once older than `maxAgeMs`. A set must be registered within that time
 * of its upload. Returns how many objects each kind lost.
 */
export async function sweepR2(
  db: D1Database,
  bucket: R2Bucket,
  now = Date.now(),
  maxAgeMs = SWEEP_AGE_MS,
): Promise<{ uploads: number; snapshots: number }> {
  const { results } = await db.prepare("SELECT version FROM model_versions").all<{ version: string }>();
  const registered = new Set(results.map((r) => r.version));
  const held = await heldSnapshots(db);
  const before = now - maxAgeMs;
  return {
    uploads: await sweepPrefix(bucket, "models/", before, (version) => !registered.has(version)),
    snapshots: await sweepPrefix(bucket, "snapshots/", before, (id) => !held.has(id)),
  };
}
