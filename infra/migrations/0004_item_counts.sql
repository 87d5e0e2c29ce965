-- Popularity materialised at ingest: one row per item with at least one stored event, kept by
-- triggers on events, so the popularity ranking reads the top rows of an index instead of grouping
-- every event. AFTER INSERT fires only for rows actually stored (INSERT OR IGNORE skips replays,
-- and the events_id_conflict abort rolls the whole statement back), so duplicates never count twice.
CREATE TABLE item_counts (
  item_id TEXT PRIMARY KEY,
  count   INTEGER NOT NULL
) STRICT;
CREATE INDEX item_counts_by_count ON item_counts (count DESC, item_id);

INSERT INTO item_counts (item_id, count) SELECT item_id, COUNT(*) FROM events GROUP BY item_id;

CREATE TRIGGER item_counts_on_insert AFTER INSERT ON events
BEGIN
  INSERT INTO item_counts (item_id, count) VALUES (NEW.item_id, 1)
  ON CONFLICT (item_id) DO UPDATE SET count = count + 1;
END;

-- Forgetting a user removes their events: an item whose last event goes leaves the table. Events
-- are never updated (no route changes a stored event), so insert and delete keep the counts exact.
CREATE TRIGGER item_counts_on_delete AFTER DELETE ON events
BEGIN
  UPDATE item_counts SET count = count - 1 WHERE item_id = OLD.item_id;
  DELETE FROM item_counts WHERE item_id = OLD.item_id AND count = 0;
END;
