import type { ModelVersionRow } from "../../storage/models.ts";

/** D1 row -> the public ModelVersion shape. */
export function toModelVersion(row: ModelVersionRow) {
  return {
    version: row.version,
    model: row.model,
    created_at: new Date(row.created_at).toISOString(),
    activated_at: row.activated_at === null ? null : new Date(row.activated_at).toISOString(),
    live: row.live === 1,
  };
}
