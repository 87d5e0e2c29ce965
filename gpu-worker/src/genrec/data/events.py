"""Loader for generic interaction logs: events JSONL or CSV plus an optional items JSONL.

Event rows carry ``user_id``, ``item_id``, ``timestamp`` and optionally ``event_id`` (the wire
``Event``'s idempotency key: a repeated ``event_id`` is a replay, kept once and counted). Other
columns (``type``...) are ignored. ``timestamp`` is unix seconds (a number, or a numeric string in
CSV) or an ISO 8601 datetime with an explicit offset (as on the wire; naive datetimes are rejected
because their instant is ambiguous). The items file is canonical ``Item`` JSONL, or CSV with an
``id`` column, optional ``title, brand, description, price`` and ``categories`` (names joined by
``|``); any other non-empty column becomes a string attribute. Format is chosen by suffix:
``.csv`` / ``.csv.gz`` are CSV, anything else JSONL.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from genrec.data.canonical import read_items
from genrec.data.dataset import Dataset
from genrec.data.interactions import Interaction, dedup_pairs, group_sorted, groups_to_dataset, k_core
from genrec.data.io import LoadReport, iter_csv, iter_records
from genrec.data.records import ItemRecord, check_id, item_from_json

_CSV_ITEM_FIELDS = ("id", "title", "brand", "description", "price", "categories")


def parse_timestamp(value: Any) -> float:
    """Unix seconds from a number, numeric string or offset-aware ISO 8601 string."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"bad timestamp: {value!r}")
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"bad timestamp: {value!r}")
    try:
        return float(value)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as e:
        raise ValueError(f"bad timestamp: {value!r}") from e
    if parsed.tzinfo is None:
        raise ValueError(f"bad timestamp: {value!r} has no UTC offset")
    return parsed.timestamp()


def _is_csv(path: Path) -> bool:
    return path.name.endswith((".csv", ".csv.gz"))


def csv_item(row: dict[str, str]) -> ItemRecord:
    """One CSV items row as an ``Item``: empty cells are absent, extra columns are attributes."""
    obj: dict[str, Any] = {k: v for k, v in row.items() if k in _CSV_ITEM_FIELDS and v.strip()}
    if "categories" in obj:
        obj["categories"] = [c.strip() for c in obj["categories"].split("|") if c.strip()]
    extra = {k: v for k, v in row.items() if k not in _CSV_ITEM_FIELDS and k and v.strip()}
    if extra:
        obj["attributes"] = extra
    return item_from_json(obj)


def read_item_file(path: Path, report: LoadReport) -> dict[str, ItemRecord]:
    """Items JSONL (canonical ``Item`` lines) or CSV (module docstring); a repeated id is a bad row."""
    if not _is_csv(path):
        return read_items(path, report)
    records: dict[str, ItemRecord] = {}
    for lineno, row in iter_csv(path, report, "items"):
        try:
            rec = csv_item(row)
            if rec.id in records:
                raise ValueError(f"duplicate item id: {rec.id}")
        except ValueError as e:
            report.bad(path, lineno, str(e))
            continue
        records[rec.id] = rec
    return records


def load_events(
    events: Path | str,
    items: Path | str | None = None,
    name: str | None = None,
    core: int | None = None,
    dedup: bool = False,
    skip_bad: bool = False,
    keep_unseen_items: bool = False,
) -> tuple[Dataset, LoadReport]:
    """Events (+ items) -> Dataset, with the same sort / dedup / k-core steps as the Amazon loader."""
    events = Path(events)
    report = LoadReport(source=str(events), skip_bad=skip_bad)
    rows_iter = (
        iter_csv(events, report, "events") if _is_csv(events) else iter_records(events, report, kind="events")
    )
    rows: list[Interaction] = []
    event_ids: set[str] = set()
    for lineno, obj in rows_iter:
        try:
            user = check_id(obj.get("user_id"), "user_id")
            item = check_id(obj.get("item_id"), "item_id")
            ts = parse_timestamp(obj.get("timestamp"))
            event_id = obj.get("event_id") or None  # an empty CSV cell means "no id"
            if event_id is not None and not isinstance(event_id, str):
                raise ValueError(f"bad event_id: {event_id!r} (need a string)")
        except ValueError as e:
            report.bad(events, lineno, str(e))
            continue
        if event_id is not None:
            if event_id in event_ids:
                report.removed["replayed_event_ids"] += 1
                continue
            event_ids.add(event_id)
        rows.append(Interaction(user, item, ts, lineno))
    groups = group_sorted(rows)
    if dedup:
        groups = dedup_pairs(groups, report)
    if core is not None and core > 1:
        groups = k_core(groups, core, report)
    records: dict[str, ItemRecord] = read_item_file(Path(items), report) if items is not None else {}
    name = name or events.name.split(".")[0]
    return groups_to_dataset(name, groups, records, report, keep_unseen_items), report
