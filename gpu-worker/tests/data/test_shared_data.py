"""Checks against the shared Amazon 2014 data: the papers' counts and the sample's reproducibility."""

import filecmp
from pathlib import Path

import pytest

from genrec.data import load_dataset
from genrec.data.registry import SAMPLE_DIR, shared_dir
from genrec.data.stats import compute_stats
from genrec.tools.make_sample import main as make_sample

needs_shared = pytest.mark.skipif(
    not (shared_dir("beauty").is_dir() and shared_dir("sports").is_dir()),
    reason=f"shared Amazon 2014 data not found under {shared_dir('')} (set GENREC_DATA_ROOT)",
)


@needs_shared
@pytest.mark.parametrize(
    ("name", "users", "items", "interactions"),
    [
        ("beauty", 22_363, 12_101, 198_502),
        ("sports", 35_598, 18_357, 296_337),
        ("toys", 19_412, 11_924, 167_597),
    ],
)
def test_papers_counts(name: str, users: int, items: int, interactions: int) -> None:
    ds, report = load_dataset(name)
    stats = compute_stats(ds)
    assert (stats.users, stats.items, stats.interactions) == (users, items, interactions)
    assert ds.n_items == items and stats.min_length >= 5  # 5-core
    assert not report.total_skipped and not report.removed


@needs_shared
def test_make_sample_reproduces_checked_in_sample(tmp_path: Path) -> None:
    make_sample(["--out", str(tmp_path)])
    names = sorted(p.name for p in tmp_path.iterdir())
    _, mismatch, errors = filecmp.cmpfiles(SAMPLE_DIR, tmp_path, names, shallow=False)
    assert (mismatch, errors) == ([], [])


@needs_shared
@pytest.mark.parametrize(
    ("name", "titled", "branded", "categorised", "priced"),
    # Beauty has 12,094 real titles, two of which equal their phrase (B00BIAKTMU, B00BIAQ730)
    [("beauty", 12_092, 9_983, 12_101, 11_516), ("toys", 11_865, 0, 11_924, 0)],
)
def test_real_metadata_counts_match_the_data_readme(
    name: str, titled: int, branded: int, categorised: int, priced: int
) -> None:
    items = load_dataset(name)[0].items[1:]
    real_title = sum(rec.title is not None and rec.title != rec.attributes.get("phrase") for rec in items)
    assert real_title == titled
    assert sum(rec.brand is not None for rec in items) == branded
    assert sum(rec.categories is not None for rec in items) == categorised
    assert sum(rec.price is not None for rec in items) == priced
