"""The shipped sample written out in every format ``genrec data import`` reads, as a user's own data
would arrive: the shared Amazon format, the raw Amazon reviews + meta downloads, and events JSONL /
CSV with an items file. Each copy holds the same users, orders and item text."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest

from genrec.data import Dataset, load_dataset, write_canonical

BASE = 1_388_534_400  # 2014-01-01T00:00:00Z: the sample has order but no timestamps


def _gz_lines(path: Path, lines: list[str]) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.writelines(line + "\n" for line in lines)


def _events(ds: Dataset) -> list[tuple[str, str, int]]:
    """(user, item, timestamp) per interaction: one day apart within a user, in the sample's order."""
    return [
        (user, ds.item_ids[i], BASE + 86_400 * t)
        for user, seq in zip(ds.user_ids, ds.sequences, strict=True)
        for t, i in enumerate(seq)
    ]


def write_formats(ds: Dataset, root: Path) -> dict[str, list[str]]:
    """``{format: import arguments}`` for copies of ``ds`` under ``root``."""
    items = list(ds.items[1:])
    out: dict[str, list[str]] = {}

    write_canonical(ds, root / "canonical")
    out["canonical"] = [str(root / "canonical")]

    shared = root / "shared"
    shared.mkdir()
    _gz_lines(
        shared / "sequences.jsonl.gz",
        [
            json.dumps({"user": u, "items": [ds.item_ids[i] for i in s]})
            for u, s in zip(ds.user_ids, ds.sequences, strict=True)
        ],
    )
    _gz_lines(shared / "items.jsonl.gz", [json.dumps({"item": r.id, "text": r.title or ""}) for r in items])
    out["amazon-shared"] = [str(shared), "--text", "phrase"]

    raw = root / "raw"
    raw.mkdir()
    reviews = [json.dumps({"reviewerID": u, "asin": i, "unixReviewTime": t}) for u, i, t in _events(ds)]
    _gz_lines(raw / "reviews_Sample_5.json.gz", reviews)
    # meta lines are Python literals in the real downloads
    _gz_lines(raw / "meta_Sample.json.gz", [repr({"asin": r.id, "title": r.title}) for r in items])
    out["amazon-raw"] = [str(raw / "reviews_Sample_5.json.gz")]

    jsonl = root / "jsonl"
    jsonl.mkdir()
    rows = [
        json.dumps({"event_id": f"e{n}", "user_id": u, "item_id": i, "timestamp": t, "type": "review"})
        for n, (u, i, t) in enumerate(_events(ds))
    ]
    (jsonl / "events.jsonl").write_text("\n".join(rows) + "\n")
    (jsonl / "items.jsonl").write_text("\n".join(json.dumps(r.to_json()) for r in items) + "\n")
    out["events-jsonl"] = [str(jsonl)]

    table = root / "csv"
    table.mkdir()
    with (table / "clicks.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["user_id", "item_id", "timestamp"])
        w.writerows(_events(ds))
    with (table / "catalogue.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "title"])
        w.writerows((r.id, r.title or "") for r in items)
    out["events-csv"] = [str(table / "clicks.csv"), "--items", str(table / "catalogue.csv")]
    return out


@pytest.fixture(scope="session")
def sample() -> Dataset:
    return load_dataset("sample")[0]


@pytest.fixture(scope="session")
def sample_formats(sample: Dataset, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    return write_formats(sample, tmp_path_factory.mktemp("formats"))
