/** A dataset's training slot (table `trainings`, migration 0002): who holds it, since when. */
export interface TrainingRow {
  dataset: string;
  job_id: string | null;
  snapshot_id: string | null;
  started_at: number;
}

/** Takes the dataset's slot in one statement: of concurrent claims exactly one gets `true`. */
export async function claimTraining(db: D1Database, row: TrainingRow): Promise<boolean> {
  const result = await db
    .prepare(
      `INSERT INTO trainings (dataset, job_id, snapshot_id, started_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (dataset) DO NOTHING`,
    )
    .bind(row.dataset, row.job_id, row.snapshot_id, row.started_at)
    .run();
  return result.meta.changes === 1;
}

export async function getTraining(db: D1Database, dataset: string): Promise<TrainingRow | null> {
  return db.prepare("SELECT * FROM trainings WHERE dataset = ?").bind(dataset).first<TrainingRow>();
}

export async function setTrainingJob(db: D1Database, row: TrainingRow, jobId: string): Promise<void> {
  await db
    .prepare("UPDATE trainings SET job_id = ? WHERE dataset = ? AND started_at = ?")
    .bind(jobId, row.dataset, row.started_at)
    .run();
}

/** Frees the slot if `row` still holds it (a newer claim is left alone). */
export async function releaseTraining(db: D1Database, row: TrainingRow): Promise<void> {
  await db
    .prepare("DELETE FROM trainings WHERE dataset = ? AND started_at = ?")
    .bind(row.dataset, row.started_at)
    .run();
}

/** Snapshot ids some training slot still holds (the sweep keeps these). */
export async function heldSnapshots(db: D1Database): Promise<Set<string>> {
  const { results } = await db
    .prepare("SELECT snapshot_id FROM trainings WHERE snapshot_id IS NOT NULL")
    .all<{ snapshot_id: string }>();
  return new Set(results.map((r) => r.snapshot_id));
}
