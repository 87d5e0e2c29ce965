-- A replayed event_id must carry the payload it was stored with: INSERT OR IGNORE alone would drop a
-- different payload silently, so this aborts the statement (and the D1 batch it is in) instead;
-- the edge answers 409 naming the event.
CREATE TRIGGER events_id_conflict BEFORE INSERT ON events
WHEN EXISTS (
  SELECT 1 FROM events e WHERE e.event_id = NEW.event_id
    AND (e.user_id, e.item_id, e.ts, e.type) IS NOT (NEW.user_id, NEW.item_id, NEW.ts, NEW.type)
)
BEGIN
  SELECT RAISE(ABORT, 'event_id conflict');
END;

-- One active training per dataset: a row claims the dataset ('edge' for snapshots of the stored
-- events, 'builtin:<name>' otherwise) from the start of POST /v1/train until its job is seen
-- finished. job_id is NULL while the job is being started; snapshot_id names the R2 snapshot the
-- job reads (removed with the claim).
CREATE TABLE trainings (
  dataset     TEXT PRIMARY KEY,
  job_id      TEXT,
  snapshot_id TEXT,
  started_at  INTEGER NOT NULL  -- unix ms
) STRICT;
