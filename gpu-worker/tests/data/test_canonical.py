"""Canonical directory format: round trip, gzip, strict validation, stats check, the checked-in sample."""

import json
from pathlib import Path

import numpy as np
import pytest

from genrec.data import DataFormatError, ItemRecord, LoadReport, build_dataset, load_dataset, read_canonical
from genrec.data import write_canonical as write
from genrec.data.registry import SAMPLE_DIR


def tiny():
    records = {
        "a": ItemRecord("a", title="Lipstick", brand="B", categories=("Beauty", "Lips"), price=9.5),
        "b": ItemRecord("b", description="Soap", attributes={"size": "l", "vegan": True, "ml": 250}),
    }
    return build_dataset(
        "tiny", ["u1", "u2"], [["b", "a", "b"], ["c"]], records, LoadReport("t"), [[1, 2, 2], [5]]
    )


@pytest.mark.parametrize("compress", [False, True])
def test_round_trip(tmp_path: Path, compress: bool) -> None:
    ds = tiny()
    write(ds, tmp_path / "tiny", compress=compress)
    assert (tmp_path / "tiny" / ("items.jsonl.gz" if compress else "items.jsonl")).exists()
    back, report = read_canonical(tmp_path / "tiny")
    assert back.item_ids == ds.item_ids == ("", "b", "a", "c")
    assert back.items == ds.items
    assert [s.tolist() for s in back.sequences] == [[1, 2, 1], [3]]
    assert back.timestamps is not None and [t.tolist() for t in back.timestamps] == [[1, 2, 2], [5]]
    assert not back.items[3].has_text  # "c" had no record: written and read back as an id-only line
    assert not report.notes and not report.removed
    stats = json.loads((tmp_path / "tiny" / "stats.json").read_text())
    assert stats == {"users": 2, "items": 3, "interactions": 4}


def test_items_line_is_wire_shape(tmp_path: Path) -> None:
    write(tiny(), tmp_path)
    first = json.loads((tmp_path / "items.jsonl").read_text().splitlines()[0])
    assert first == {"id": "b", "description": "Soap", "attributes": {"size": "l", "vegan": True, "ml": 250}}


def test_strict_items_and_stats_mismatch(tmp_path: Path) -> None:
    write(tiny(), tmp_path)
    items = tmp_path / "items.jsonl"
    items.write_text(items.read_text() + json.dumps({"id": "z", "colour": "red"}) + "\n")
    with pytest.raises(DataFormatError, match=r"items\.jsonl:4: unknown keys: \['colour'\]"):
        read_canonical(tmp_path)
    items.write_text("\n".join(items.read_text().splitlines()[:3]) + "\n")
    (tmp_path / "stats.json").write_text(json.dumps({"users": 2, "items": 3, "interactions": 5}))
    with pytest.raises(DataFormatError, match="stats mismatch"):
        read_canonical(tmp_path)


def test_sequence_validation(tmp_path: Path) -> None:
    write(tiny(), tmp_path)
    (tmp_path / "stats.json").unlink()
    seqs = tmp_path / "sequences.jsonl"
    seqs.write_text(
        seqs.read_text() + json.dumps({"user_id": "u3", "item_ids": ["a", "b"], "timestamps": [3, 1]})
    )
    with pytest.raises(
        DataFormatError, match=r"sequences\.jsonl:3: bad timestamps: not in chronological order"
    ):
        read_canonical(tmp_path)
    ds, report = read_canonical(tmp_path, skip_bad=True)
    assert ds.n_users == 2 and report.total_skipped == 1


def test_checked_in_sample_loads() -> None:
    ds, report = load_dataset("sample")
    assert (ds.n_users, ds.n_items, ds.n_interactions) == (300, 2795, 4161)
    assert not report.total_skipped and all(rec.title for rec in ds.items[1:])
    assert min(len(s) for s in ds.sequences) >= 5  # taken from a 5-core dataset
    assert sum(p.stat().st_size for p in SAMPLE_DIR.iterdir()) < 300_000
    assert np.concatenate(ds.sequences).max() == ds.n_items
