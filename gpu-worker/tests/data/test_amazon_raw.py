"""Raw Amazon 2014 loader on tiny files written by the tests."""

import gzip
import json
from pathlib import Path

import pytest

from genrec.data import DataFormatError, load_amazon_raw


def review(user: str, item: str, t: int) -> str:
    return json.dumps({"reviewerID": user, "asin": item, "unixReviewTime": t, "overall": 5.0})


def write_gz(path: Path, lines: list[str]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return path


def test_stable_sort_ties_keep_file_order_and_ids_by_first_appearance(tmp_path: Path) -> None:
    reviews = write_gz(
        tmp_path / "reviews_Beauty_5.json.gz",
        [review("u1", "c", 200), review("u1", "a", 100), review("u1", "b", 100), review("u2", "b", 50)],
    )
    ds, report = load_amazon_raw(reviews)
    assert ds.name == "beauty"
    assert ds.user_ids == ("u1", "u2")
    # u1: a and b tie at t=100 and keep file order (a before b); c is later.
    assert [ds.item_ids[i] for i in ds.sequences[0]] == ["a", "b", "c"]
    assert ds.item_ids == ("", "a", "b", "c")
    assert ds.sequences[1].tolist() == [2]
    assert ds.timestamps is not None and ds.timestamps[0].tolist() == [100.0, 100.0, 200.0]
    assert report.rows_read["reviews"] == 4 and not report.skipped


def test_meta_python_literal_and_json_lines(tmp_path: Path) -> None:
    reviews = write_gz(tmp_path / "reviews_Sports_5.json.gz", [review("u", "A1", 1), review("u", "B2", 2)])
    meta = write_gz(
        tmp_path / "meta_Sports.json.gz",
        [
            "{'asin': 'A1', 'title': 'Knee \"Pro\" Brace', 'brand': 'Acme', 'price': 12.5, "
            "'categories': [['Sports', 'Braces'], ['Sports', 'Health']], 'salesRank': {'Sports': 42}, "
            "'imUrl': 'http://x/a.jpg', 'related': {'also_bought': ['B2']}}",
            json.dumps({"asin": "B2", "description": "A ball.", "categories": [["Sports"]]}),
            "{'asin': 'ZZ', 'title': 'nobody reviewed this'}",
        ],
    )
    ds, report = load_amazon_raw(reviews, meta)
    a1 = ds.items[ds.item_index["A1"]]
    assert a1.title == 'Knee "Pro" Brace' and a1.brand == "Acme" and a1.price == 12.5
    assert a1.categories == ("Sports", "Braces", "Health")
    assert a1.attributes == {"salesRank.Sports": 42, "imUrl": "http://x/a.jpg"}
    b2 = ds.items[ds.item_index["B2"]]
    assert b2.description == "A ball." and b2.title is None and b2.categories == ("Sports",)
    assert report.removed["meta_for_unreviewed_items"] == 1
    assert "items_without_record" not in report.notes


def test_malformed_review_line_names_file_and_line(tmp_path: Path) -> None:
    path = write_gz(
        tmp_path / "reviews_Beauty_5.json.gz", [review("u", "a", 1), "{not json", review("u", "b", 2)]
    )
    with pytest.raises(DataFormatError, match=r"reviews_Beauty_5\.json\.gz:2: unparsable line") as err:
        load_amazon_raw(path)
    assert err.value.line == 2


def test_bad_field_is_an_error_or_counted_when_skipping(tmp_path: Path) -> None:
    lines = [review("u", "a", 1), json.dumps({"reviewerID": "u", "asin": "b"}), "[1, 2]", review("u", "c", 3)]
    path = write_gz(tmp_path / "reviews_X_5.json.gz", lines)
    with pytest.raises(DataFormatError, match=r":2: bad unixReviewTime"):
        load_amazon_raw(path)
    ds, report = load_amazon_raw(path, skip_bad=True)
    assert ds.n_interactions == 2
    assert report.skipped == {"bad unixReviewTime": 1, "not an object": 1}
    assert report.total_skipped == 2 and len(report.examples) == 2


def test_bad_meta_line_reports_its_line(tmp_path: Path) -> None:
    reviews = write_gz(tmp_path / "reviews_X_5.json.gz", [review("u", "a", 1)])
    meta = write_gz(tmp_path / "meta_X.json.gz", ["{'asin': 'a', 'price': -3.0}"])
    with pytest.raises(DataFormatError, match=r"meta_X\.json\.gz:1: bad price"):
        load_amazon_raw(reviews, meta)


def test_dedup_keeps_earliest_and_counts(tmp_path: Path) -> None:
    lines = [review("u", "a", 5), review("u", "b", 2), review("u", "a", 1)]
    path = write_gz(tmp_path / "reviews_X_5.json.gz", lines)
    kept, _ = load_amazon_raw(path)
    assert [kept.item_ids[i] for i in kept.sequences[0]] == ["a", "b", "a"]  # duplicates kept by default
    ds, report = load_amazon_raw(path, dedup=True)
    assert [ds.item_ids[i] for i in ds.sequences[0]] == ["a", "b"]
    assert report.removed["duplicate_user_item_pairs"] == 1


def test_k_core_is_iterative(tmp_path: Path) -> None:
    # 2-core. Item "x" has one interaction -> removed; then user "v" has one left -> removed;
    # then item "y" (v's other item) has one left -> removed; then user "w" falls to 1 -> removed.
    rows = [("u", "a"), ("u", "b"), ("t", "a"), ("t", "b"), ("v", "x"), ("v", "y"), ("w", "y"), ("w", "a")]
    path = write_gz(tmp_path / "reviews_X_5.json.gz", [review(u, i, n) for n, (u, i) in enumerate(rows)])
    ds, report = load_amazon_raw(path, core=2)
    assert ds.user_ids == ("u", "t")
    assert sorted(ds.item_ids[1:]) == ["a", "b"]
    assert report.removed["2_core_users"] == 2 and report.removed["2_core_items"] == 2
    assert report.removed["2_core_interactions"] == 4
    unfiltered, _ = load_amazon_raw(path)
    assert unfiltered.n_users == 4
