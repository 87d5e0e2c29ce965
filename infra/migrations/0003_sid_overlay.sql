-- Cold start: semantic IDs of items an RPG version was not trained on, one row per (version, item),
-- computed by the GPU worker's assign_sids with that version's codebooks after the item's upsert.
-- The edge serves `ready` rows as an overlay of the version (extra rows after its own N); a retrained
-- version knows the items itself, so its overlay starts empty. `task` names the background task
-- that owns a pending row: a task stores codes only into rows it still owns, so an older task that
-- finishes late cannot overwrite the codes of a newer upsert of the same item.
CREATE TABLE sid_overlay (
  version    TEXT NOT NULL,
  item_id    TEXT NOT NULL,
  state      TEXT NOT NULL CHECK (state IN ('pending', 'ready', 'failed')),
  codes      TEXT,             -- JSON array of `digits` codes (0..255) once ready
  task       TEXT NOT NULL,
  attempts   INTEGER NOT NULL DEFAULT 0,
  error      TEXT,
  updated_at INTEGER NOT NULL, -- unix ms
  PRIMARY KEY (version, item_id)
) STRICT;
CREATE INDEX sid_overlay_by_state ON sid_overlay (version, state, updated_at);
