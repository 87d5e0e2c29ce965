"""Loader for the project's shared Amazon 2014 copy (/work/shared/data/amazon2014/<category>/).

That copy is the widely used public preprocessing of ``reviews_<Cat>_5.json.gz``: sequences are
already chronological (no timestamps) and item text is only a short title-derived phrase, so
``text`` becomes ``title`` and the anonymised ``attribute_ids`` are kept, in order, as one
space-separated string attribute (the wire shape allows only scalar attribute values).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from genrec.data.dataset import Dataset, build_dataset
from genrec.data.io import LoadReport, iter_records, resolve
from genrec.data.records import ItemRecord, check_id


def _item(obj: dict[str, Any]) -> ItemRecord:
    text = obj.get("text")
    if text is not None and not isinstance(text, str):
        raise ValueError(f"bad text: expected a string, got {type(text).__name__}")
    attrs = obj.get("attribute_ids", [])
    if not isinstance(attrs, list) or not all(isinstance(a, int) and not isinstance(a, bool) for a in attrs):
        raise ValueError("bad attribute_ids: expected a list of integers")
    attributes: dict[str, str | float | int | bool] = {}
    if attrs:
        attributes["attribute_ids"] = " ".join(map(str, attrs))
    return ItemRecord(id=check_id(obj.get("item"), "item"), title=text or None, attributes=attributes)


def load_shared_amazon(
    directory: Path | str, name: str | None = None, skip_bad: bool = False
) -> tuple[Dataset, LoadReport]:
    """Load ``sequences.jsonl.gz`` ({user, items}) and ``items.jsonl.gz`` ({item, text, attribute_ids})."""
    directory = Path(directory)
    report = LoadReport(source=str(directory), skip_bad=skip_bad)
    items_path = resolve(directory, "items.jsonl")
    records: dict[str, ItemRecord] = {}
    for lineno, obj in iter_records(items_path, report, kind="items"):
        try:
            rec = _item(obj)
            if rec.id in records:
                raise ValueError(f"duplicate item id: {rec.id}")
        except ValueError as e:
            report.bad(items_path, lineno, str(e))
            continue
        records[rec.id] = rec
    seq_path = resolve(directory, "sequences.jsonl")
    users: list[str] = []
    seqs: list[list[str]] = []
    seen: set[str] = set()
    for lineno, obj in iter_records(seq_path, report, kind="users"):
        try:
            user = check_id(obj.get("user"), "user")
            items = obj.get("items")
            if not isinstance(items, list) or not items:
                raise ValueError("bad items: expected a non-empty list")
            for x in items:
                check_id(x, "item id")
            if user in seen:
                raise ValueError(f"duplicate user: {user}")
        except ValueError as e:
            report.bad(seq_path, lineno, str(e))
            continue
        seen.add(user)
        users.append(user)
        seqs.append(items)
    return build_dataset(name or directory.name, users, seqs, records, report), report
