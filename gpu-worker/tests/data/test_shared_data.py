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
    [("beauty", 22_363, 12_101, 198_502), ("sports", 35_598, 18_357, 296_337)],
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
