import type { Event, RecommendResponse, ServedArm } from "@genrec/shared";
import { ApiError } from "../errors/api-error.ts";

/** One served answer: its arm, the version the arm assigned, the version that answered, the items. */
export async function recordServed(
  db: D1Database,
  answer: RecommendResponse,
  arm: ServedArm,
  version: string,
  now = Date.now(),
): Promise<void> {
  await db
    .prepare(
      `INSERT INTO served (recommendation_id, experiment_id, arm, version, served_version, items, ts)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      answer.recommendation_id,
      arm.experiment_id,
      arm.name,
      version,
      answer.model_version,
      JSON.stringify(answer.items.map((i) => i.item_id)),
      now,
    )
    .run();
}

/** A feedback row binds 4 parameters; 25 rows stay within D1's 100-parameter limit. */
const ROWS_PER_STATEMENT = 25;

type Attributed = Event & { recommendation_id: string };
const attributed = (events: Event[]) =>
  events.flatMap((e, i) => (e.recommendation_id === undefined ? [] : [[i, e as Attributed] as const]));

/** Indexes of `events` whose event_id is stored (or repeated in the batch) with another recommendation_id. */
export async function conflictingFeedback(db: D1Database, events: Event[]): Promise<number[]> {
  const named = attributed(events);
  if (named.length === 0) return [];
  const { results } = await db
    .prepare(
      "SELECT event_id, recommendation_id FROM feedback WHERE event_id IN (SELECT value FROM json_each(?))",
    )
    .bind(JSON.stringify(named.map(([, e]) => e.event_id)))
    .all<{ event_id: string; recommendation_id: string }>();
  const seen = new Map(results.map((r) => [r.event_id, r.recommendation_id]));
  const conflicts: number[] = [];
  for (const [i, e] of named) {
    const first = seen.get(e.event_id);
    if (first === undefined) seen.set(e.event_id, e.recommendation_id);
    else if (first !== e.recommendation_id) conflicts.push(i);
  }
  return conflicts;
}

/**
 * Stores the recommendation_id of events that carry one, idempotently by event_id. Runs after the
 * events are stored: a failure here fails the request, and its retry (the events then duplicates)
 * stores what was missing.
 */
export async function insertFeedback(db: D1Database, events: Event[]): Promise<void> {
  const named = attributed(events).map(([, e]) => e);
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < named.length; i += ROWS_PER_STATEMENT) {
    const chunk = named.slice(i, i + ROWS_PER_STATEMENT);
    statements.push(
      db
        .prepare(
          `INSERT OR IGNORE INTO feedback (event_id, recommendation_id, item_id, type) VALUES ${chunk
            .map(() => "(?, ?, ?, ?)")
            .join(", ")}`,
        )
        .bind(...chunk.flatMap((e) => [e.event_id, e.recommendation_id, e.item_id, e.type])),
    );
  }
  if (statements.length === 0) return;
  try {
    await db.batch(statements);
  } catch (err) {
    // the feedback_id_conflict trigger: a concurrent batch stored this event_id with another answer
    if (String(err).includes("event_id conflict"))
      throw new ApiError(
        409,
        "conflict",
        "an event_id of this batch is stored with another recommendation_id",
      );
    throw err;
  }
}
