"""Canonical on-disk dataset format: the one format every other source is converted to.

A dataset is a directory with three files (each ``.jsonl`` may instead be ``.jsonl.gz``; readers
detect gzip by its magic bytes, and the plain file wins if both exist)::

    items.jsonl      one item per line in the wire shape ``Item`` (shared/src/catalog.ts):
                     {"id": "B004756YJA", "title": "...", "brand": "...", "categories": ["..."],
                      "description": "...", "price": 12.5, "attributes": {"key": "value" | 1 | true}}
                     Only ``id`` is required; absent fields are omitted (never null); no other keys.
                     Lines are in internal-id order (line k = item id k), but readers do not rely
                     on it: ids are re-derived from sequences.jsonl.
    sequences.jsonl  one user per line: {"user_id": "A1...", "item_ids": ["B00...", ...],
                     "timestamps": [1357344000, ...]}; items oldest first; ``timestamps``
                     (unix seconds) is optional but, if present on one line, present on all.
    stats.json       {"users": U, "items": N, "interactions": I} (+ optional extra keys);
                     checked against the data on read, so a truncated copy is caught.

Internal ids: 1..N by first appearance walking sequences.jsonl top to bottom; 0 = padding.
Items without a line in items.jsonl are allowed (id-only records, counted in the report); item
lines for ids absent from sequences.jsonl are dropped and counted unless ``keep_unseen_items``.
Duplicate (user, item) pairs in a sequence are kept: the papers' protocol keeps them.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from genrec.data.dataset import Dataset, build_dataset
from genrec.data.io import DataFormatError, LoadReport, iter_records, resolve
from genrec.data.records import ItemRecord, check_id, item_from_json


def read_items(path: Path, report: LoadReport) -> dict[str, ItemRecord]:
    """Read an ``Item``-shaped JSONL file; a repeated id is a bad row (first one wins)."""
    records: dict[str, ItemRecord] = {}
    for lineno, obj in iter_records(path, report, kind="items"):
        try:
            rec = item_from_json(obj)
        except ValueError as e:
            report.bad(path, lineno, str(e))
            continue
        if rec.id in records:
            report.bad(path, lineno, f"duplicate item id: {rec.id}")
            continue
        records[rec.id] = rec
    return records


def _parse_sequence(obj: dict[str, Any]) -> tuple[str, list[str], list[float] | None]:
    unknown = set(obj) - {"user_id", "item_ids", "timestamps"}
    if unknown:
        raise ValueError(f"unknown keys: {sorted(unknown)}")
    user = check_id(obj.get("user_id"), "user_id")
    items = obj.get("item_ids")
    if not isinstance(items, list) or not items:
        raise ValueError("bad item_ids: expected a non-empty list")
    for x in items:
        check_id(x, "item id")
    ts = obj.get("timestamps")
    if ts is not None:
        ok = isinstance(ts, list) and len(ts) == len(items)
        if not ok or not all(isinstance(t, int | float) and not isinstance(t, bool) for t in ts):
            raise ValueError("bad timestamps: expected a list of numbers as long as item_ids")
        if any(b < a for a, b in itertools.pairwise(ts)):
            raise ValueError("bad timestamps: not in chronological order")
    return user, items, ts


def read_canonical(
    directory: Path | str, name: str | None = None, skip_bad: bool = False, keep_unseen_items: bool = False
) -> tuple[Dataset, LoadReport]:
    """Load a canonical dataset directory (see the module docstring for the format)."""
    directory = Path(directory)
    report = LoadReport(source=str(directory), skip_bad=skip_bad)
    records = read_items(resolve(directory, "items.jsonl"), report)
    seq_path = resolve(directory, "sequences.jsonl")
    users: list[str] = []
    seqs: list[list[str]] = []
    stamps: list[list[float] | None] = []
    seen_users: set[str] = set()
    for lineno, obj in iter_records(seq_path, report, kind="users"):
        try:
            user, items, ts = _parse_sequence(obj)
            if user in seen_users:
                raise ValueError(f"duplicate user_id: {user}")
            if stamps and (ts is None) != (stamps[0] is None):
                raise ValueError("bad timestamps: present on some lines and absent on others")
        except ValueError as e:
            report.bad(seq_path, lineno, str(e))
            continue
        seen_users.add(user)
        users.append(user)
        seqs.append(items)
        stamps.append(ts)
    timestamps = None if not stamps or stamps[0] is None else [t for t in stamps if t is not None]
    ds = build_dataset(name or directory.name, users, seqs, records, report, timestamps, keep_unseen_items)
    stats_path = directory / "stats.json"
    if stats_path.exists() and not report.total_skipped:
        stored = json.loads(stats_path.read_text())
        actual = basic_stats(ds)
        if {k: stored.get(k) for k in actual} != actual:
            raise DataFormatError(stats_path, None, f"stats mismatch: file says {stored}, data has {actual}")
    return ds, report


def basic_stats(ds: Dataset) -> dict[str, int]:
    """The papers' three counts; ``items`` counts interacted items (catalogue-only items excluded)."""
    n_interacted = len(np.unique(np.concatenate(ds.sequences))) if ds.sequences else 0
    return {"users": ds.n_users, "items": n_interacted, "interactions": ds.n_interactions}


def _number(t: float) -> float | int:
    return int(t) if math.isfinite(t) and t == int(t) else t


def write_canonical(ds: Dataset, directory: Path | str, compress: bool = False) -> Path:
    """Write ``ds`` as a canonical directory; reading it back yields the same ids and sequences."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if compress else ""
    for name in ("items.jsonl", "sequences.jsonl"):
        # A stale twin in the other compression would shadow or confuse the new file on read.
        (directory / f"{name}{'' if compress else '.gz'}").unlink(missing_ok=True)

    def open_out(name: str):
        path = directory / f"{name}{suffix}"
        # mtime=0 keeps gzip output byte-identical across runs.
        return gzip.GzipFile(path, "wb", mtime=0) if compress else path.open("wb")

    with open_out("items.jsonl") as f:
        for rec in ds.items[1:]:
            f.write((json.dumps(rec.to_json(), ensure_ascii=False) + "\n").encode())
    with open_out("sequences.jsonl") as f:
        for u, user in enumerate(ds.user_ids):
            line: dict[str, Any] = {"user_id": user, "item_ids": [ds.item_ids[i] for i in ds.sequences[u]]}
            if ds.timestamps is not None:
                line["timestamps"] = [_number(float(t)) for t in ds.timestamps[u]]
            f.write((json.dumps(line) + "\n").encode())
    (directory / "stats.json").write_text(json.dumps(basic_stats(ds), indent=2) + "\n")
    return directory
