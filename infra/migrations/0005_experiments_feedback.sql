-- Online experiments: traffic split between versions by a stable hash of the user (or session key).
-- `arms` is the JSON array as started ([{name, version, share}]); at most one experiment runs.
CREATE TABLE experiments (
  id         TEXT PRIMARY KEY,
  status     TEXT NOT NULL CHECK (status IN ('running', 'stopped', 'promoted')),
  arms       TEXT NOT NULL,
  started_at INTEGER NOT NULL,   -- unix ms
  ended_at   INTEGER,
  winner     TEXT                -- the promoted arm
) STRICT;
CREATE UNIQUE INDEX one_running_experiment ON experiments (status) WHERE status = 'running';

-- One row per answer served by a routed recommendation: the arm and the version it assigned
-- (`version`), the version that answered (`served_version`, another one on a fallback) and the items.
CREATE TABLE served (
  recommendation_id TEXT PRIMARY KEY,
  experiment_id     TEXT,        -- NULL outside an experiment
  arm               TEXT NOT NULL,
  version           TEXT NOT NULL,
  served_version    TEXT NOT NULL,
  items             TEXT NOT NULL, -- JSON array of item ids, best first
  ts                INTEGER NOT NULL
) STRICT;
CREATE INDEX served_by_time ON served (ts);

-- Events that name the answer that led to them. event_id is the events table's idempotency key; a
-- replay naming another recommendation_id aborts its batch as events_id_conflict does.
CREATE TABLE feedback (
  event_id          TEXT PRIMARY KEY,
  recommendation_id TEXT NOT NULL,
  item_id           TEXT NOT NULL,
  type              TEXT NOT NULL
) STRICT;
CREATE INDEX feedback_by_answer ON feedback (recommendation_id);
CREATE TRIGGER feedback_id_conflict BEFORE INSERT ON feedback
WHEN EXISTS (
  SELECT 1 FROM feedback f WHERE f.event_id = NEW.event_id AND f.recommendation_id IS NOT NEW.recommendation_id
)
BEGIN
  SELECT RAISE(ABORT, 'event_id conflict');
END;
-- Forgetting a user's events forgets what they were attributed to.
CREATE TRIGGER feedback_forget AFTER DELETE ON events
BEGIN
  DELETE FROM feedback WHERE event_id = OLD.event_id;
END;
