import { type Experiment, ExperimentArm, type ExperimentStart } from "@genrec/shared";
import { z } from "zod";
import type { ModelVersionRow } from "../storage/models.ts";

export interface ExperimentRow {
  id: string;
  status: Experiment["status"];
  arms: string;
  started_at: number;
  ended_at: number | null;
  winner: string | null;
}

const Arms = z.array(ExperimentArm);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** D1 row -> the public Experiment shape (arms were validated before they were stored). */
export function toExperiment(row: ExperimentRow): Experiment {
  return {
    id: row.id,
    status: row.status,
    arms: Arms.parse(JSON.parse(row.arms)),
    started_at: new Date(row.started_at).toISOString(),
    ended_at: iso(row.ended_at),
    winner: row.winner,
  };
}

export async function listExperiments(db: D1Database): Promise<ExperimentRow[]> {
  const sql = "SELECT * FROM experiments ORDER BY started_at DESC, id DESC";
  return (await db.prepare(sql).all<ExperimentRow>()).results;
}

export async function getExperiment(db: D1Database, id: string): Promise<ExperimentRow | null> {
  return db.prepare("SELECT * FROM experiments WHERE id = ?").bind(id).first<ExperimentRow>();
}

/**
 * Starts an experiment in one statement: false when its id is taken or another one is running (the
 * one_running_experiment index), so racing starts get exactly one winner.
 */
export async function insertExperiment(
  db: D1Database,
  start: ExperimentStart,
  now: number,
): Promise<boolean> {
  const result = await db
    .prepare(
      `INSERT INTO experiments (id, status, arms, started_at) SELECT ?, 'running', ?, ?
       WHERE NOT EXISTS (SELECT 1 FROM experiments WHERE status = 'running')
       ON CONFLICT DO NOTHING`,
    )
    .bind(start.id, JSON.stringify(start.arms), now)
    .run();
  return result.meta.changes === 1;
}

/** Ends a running experiment; false when it is not running (already ended, or unknown). */
export async function stopExperiment(db: D1Database, id: string, now: number): Promise<boolean> {
  const result = await db
    .prepare("UPDATE experiments SET status = 'stopped', ended_at = ? WHERE id = ? AND status = 'running'")
    .bind(now, id)
    .run();
  return result.meta.changes === 1;
}

/**
 * Ends a running experiment and makes `version` live, in one transaction: every statement is
 * conditioned on the experiment still running, so a concurrent stop or promote leaves both the
 * experiment and the live version as they were. False when it was not running.
 */
export async function promoteExperiment(
  db: D1Database,
  id: string,
  arm: { name: string; version: string },
  now: number,
): Promise<boolean> {
  const running = "EXISTS (SELECT 1 FROM experiments WHERE id = ? AND status = 'running')";
  const [, , ended] = await db.batch([
    db.prepare(`UPDATE model_versions SET live = 0 WHERE live = 1 AND ${running}`).bind(id),
    db
      .prepare(`UPDATE model_versions SET live = 1, activated_at = ? WHERE version = ? AND ${running}`)
      .bind(now, arm.version, id),
    db
      .prepare(
        "UPDATE experiments SET status = 'promoted', ended_at = ?, winner = ? WHERE id = ? AND status = 'running'",
      )
      .bind(now, arm.name, id),
  ]);
  return ended?.meta.changes === 1;
}

export interface RunningArm extends ExperimentArm {
  /** The arm's version row; null for builtin-popularity (or a version no longer stored). */
  row: ModelVersionRow | null;
}

/** The running experiment with each arm's version row, in one read; null when none runs. */
export async function runningExperiment(db: D1Database): Promise<{ id: string; arms: RunningArm[] } | null> {
  const { results } = await db
    .prepare(
      `SELECT e.id AS experiment_id, e.arms, m.* FROM experiments e
       LEFT JOIN model_versions m ON m.version IN (SELECT value ->> 'version' FROM json_each(e.arms))
       WHERE e.status = 'running'`,
    )
    .all<ModelVersionRow & { experiment_id: string; arms: string }>();
  const first = results[0];
  if (!first) return null;
  const rows = new Map(results.filter((r) => r.version !== null).map((r) => [r.version, r]));
  const arms = Arms.parse(JSON.parse(first.arms)).map((arm) => {
    const row = rows.get(arm.version);
    return {
      ...arm,
      row: row
        ? {
            version: row.version,
            model: row.model,
            manifest: row.manifest,
            created_at: row.created_at,
            activated_at: row.activated_at,
            live: row.live,
          }
        : null,
    };
  });
  return { id: first.experiment_id, arms };
}
