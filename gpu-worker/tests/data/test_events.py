"""Generic events (JSONL / CSV) + items JSONL loader."""

import json
from pathlib import Path

import pytest

from genrec.data import DataFormatError, load_events


def test_csv_events_with_iso_and_unix_timestamps(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text(
        "user_id,item_id,timestamp,event_id\n"
        "u1,i2,2024-01-02T00:00:00Z,e1\n"
        "u1,i1,1704067200,e2\n"  # 2024-01-01T00:00:00Z, earlier than e1
        "u2,i2,2024-01-01T00:00:00+01:00,e3\n"
        "u1,i2,2024-01-02T00:00:00Z,e1\n"  # replay of e1
    )
    items = tmp_path / "items.jsonl"
    items.write_text(
        json.dumps({"id": "i1", "title": "One", "categories": ["A"], "price": 3})
        + "\n"
        + json.dumps({"id": "i9", "title": "never interacted"})
        + "\n"
    )
    ds, report = load_events(events, items)
    assert ds.name == "events"
    assert [[ds.item_ids[i] for i in s] for s in ds.sequences] == [["i1", "i2"], ["i2"]]
    assert ds.timestamps is not None and ds.timestamps[0].tolist() == [1704067200.0, 1704153600.0]
    assert ds.timestamps[1].tolist() == [1704063600.0]
    assert ds.items[ds.item_index["i1"]].price == 3.0
    assert report.removed == {"replayed_event_ids": 1, "item_records_without_interactions": 1}
    assert report.notes == {"items_without_record": 1}  # i2 has no item line
    kept, _ = load_events(events, items, keep_unseen_items=True)
    assert kept.item_ids[-1] == "i9" and kept.n_items == 3


def test_jsonl_events_bad_rows(tmp_path: Path) -> None:
    events = tmp_path / "log.jsonl"
    rows = [
        {"user_id": "u", "item_id": "a", "timestamp": 1},
        {"user_id": "u", "item_id": "b", "timestamp": "2024-01-01T00:00:00"},  # naive: rejected
        {"user_id": "u", "item_id": "has space", "timestamp": 2},
    ]
    events.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(DataFormatError, match=r"log\.jsonl:2: bad timestamp: .* no UTC offset"):
        load_events(events)
    ds, report = load_events(events, skip_bad=True)
    assert ds.n_interactions == 1
    assert report.skipped == {"bad timestamp": 1, "bad item_id": 1}


def test_csv_wrong_column_count(tmp_path: Path) -> None:
    events = tmp_path / "e.csv"
    events.write_text("user_id,item_id,timestamp\nu,a,1\nu,b\n")
    with pytest.raises(DataFormatError, match=r"e\.csv:3: wrong column count"):
        load_events(events)


def test_events_core_filter(tmp_path: Path) -> None:
    events = tmp_path / "e.jsonl"
    rows = [("u", "a"), ("u", "b"), ("v", "a"), ("v", "b"), ("w", "a")]
    events.write_text(
        "".join(json.dumps({"user_id": u, "item_id": i, "timestamp": 0}) + "\n" for u, i in rows)
    )
    ds, report = load_events(events, core=2)
    assert ds.user_ids == ("u", "v") and report.removed["2_core_users"] == 1
