-- Catalogue items, keyed by the caller's id. Text fields feed semantic IDs; `attributes` is JSON.
CREATE TABLE items (
  id          TEXT PRIMARY KEY,
  title       TEXT,
  brand       TEXT,
  categories  TEXT,            -- JSON array of strings
  description TEXT,
  price       REAL,
  attributes  TEXT,            -- JSON object
  updated_at  INTEGER NOT NULL -- unix ms
) STRICT;

-- User-item interactions. event_id is the idempotency key: INSERT OR IGNORE makes replays no-ops.
CREATE TABLE events (
  event_id TEXT PRIMARY KEY,
  user_id  TEXT NOT NULL,
  item_id  TEXT NOT NULL,
  ts       INTEGER NOT NULL,   -- unix ms of the interaction
  type     TEXT NOT NULL
) STRICT;
-- rowid grows with arrival, so (ts, rowid) orders a user's history with ties kept in arrival order.
CREATE INDEX events_by_user_time ON events (user_id, ts);
CREATE INDEX events_by_item ON events (item_id);

-- Published artifact sets; exactly one row has live = 1 once a model is activated.
CREATE TABLE model_versions (
  version      TEXT PRIMARY KEY,
  model        TEXT NOT NULL,
  manifest     TEXT NOT NULL,  -- JSON manifest as published
  created_at   INTEGER NOT NULL,
  activated_at INTEGER,
  live         INTEGER NOT NULL DEFAULT 0 CHECK (live IN (0, 1))
) STRICT;
CREATE UNIQUE INDEX one_live_model ON model_versions (live) WHERE live = 1;
