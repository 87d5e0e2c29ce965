"""Loader for the shared preprocessed Amazon copy ({user, items} + {item, text, attribute_ids, metadata})."""

import gzip
import json
from pathlib import Path

import pytest

from genrec.data import DataFormatError, load_shared_amazon


def write(directory: Path, name: str, rows: list[object]) -> None:
    directory.mkdir(exist_ok=True)
    with gzip.open(directory / f"{name}.jsonl.gz", "wt") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows)


def test_phrase_text_becomes_title_and_attribute_ids_are_kept(tmp_path: Path) -> None:
    write(
        tmp_path / "beauty",
        "sequences",
        [{"user": "u1", "items": ["b", "a"]}, {"user": "u2", "items": ["a", "c"]}],
    )
    write(
        tmp_path / "beauty",
        "items",
        [
            {"item": "a", "text": "red nail polish", "attribute_ids": [3, 1]},
            {"item": "b", "text": "", "attribute_ids": []},
            {"item": "c", "text": "shampoo", "attribute_ids": [7]},
        ],
    )
    ds, report = load_shared_amazon(tmp_path / "beauty", text="phrase")
    assert ds.name == "beauty"
    assert ds.item_ids == ("", "b", "a", "c")  # first appearance in sequences, not items-file order
    assert ds.items[2].title == "red nail polish" and ds.items[2].attributes == {"attribute_ids": "3 1"}
    assert ds.items[1].title is None and not ds.items[1].has_text
    assert [s.tolist() for s in ds.sequences] == [[1, 2], [2, 3]]
    assert ds.timestamps is None
    assert report.rows_read == {"items": 3, "users": 2}


def test_bad_sequence_line(tmp_path: Path) -> None:
    write(tmp_path / "d", "sequences", [{"user": "u1", "items": ["a"]}, {"user": "u2", "items": []}])
    write(tmp_path / "d", "items", [{"item": "a", "text": "x"}])
    with pytest.raises(DataFormatError, match=r"sequences\.jsonl\.gz:2: bad items"):
        load_shared_amazon(tmp_path / "d")
    ds, report = load_shared_amazon(tmp_path / "d", skip_bad=True)
    assert ds.n_users == 1 and report.skipped == {"bad items": 1}


def test_meta_text_reads_the_real_fields_and_keeps_the_phrase(tmp_path: Path) -> None:
    write(tmp_path / "toys", "sequences", [{"user": "u1", "items": ["a", "b"]}])
    write(
        tmp_path / "toys",
        "items",
        [
            {
                "item": "a",
                "text": "nail lacquer",
                "title": "OPI Nail Lacquer &amp; Top Coat",
                "brand": "OPI",
                "categories": [["Beauty", "Nails"], ["Beauty", "Gifts"]],
                "price": 12.0,
            },
            {"item": "b", "text": "ghost tool", "attribute_ids": [2]},
        ],
    )
    ds, _ = load_shared_amazon(tmp_path / "toys")
    a, b = ds.items[1], ds.items[2]
    assert (a.title, a.brand, a.price) == ("OPI Nail Lacquer &amp; Top Coat", "OPI", 12.0)
    assert a.categories == ("Beauty", "Nails", "Gifts")  # paths flattened, first occurrence kept
    assert a.attributes == {"phrase": "nail lacquer"}
    # no real title (every Sports item): the phrase stands in, so the template still has a title
    assert b.title == "ghost tool" and b.brand is None and b.attributes["phrase"] == "ghost tool"
    with pytest.raises(ValueError, match="unknown item text source"):
        load_shared_amazon(tmp_path / "toys", text="summary")  # type: ignore[arg-type]
