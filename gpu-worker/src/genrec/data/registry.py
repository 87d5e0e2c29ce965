"""Named datasets: ``beauty`` / ``sports`` (shared Amazon copy), ``sample`` (in the repo) or a path.

The shared root comes from ``GENREC_DATA_ROOT`` (default /work/shared/data) so a machine with the
data elsewhere (a Modal volume) needs no code change. The sample lives in the source checkout
(gpu-worker/data/sample), not in the wheel.
"""

from __future__ import annotations

import os
from pathlib import Path

from genrec.data.amazon_shared import load_shared_amazon
from genrec.data.canonical import read_canonical
from genrec.data.dataset import Dataset
from genrec.data.io import LoadReport

SHARED_NAMES = ("beauty", "sports")
SAMPLE_DIR = Path(__file__).resolve().parents[3] / "data" / "sample"


def data_root() -> Path:
    return Path(os.environ.get("GENREC_DATA_ROOT", "/work/shared/data"))


def shared_dir(name: str) -> Path:
    """Directory of a shared Amazon 2014 category, e.g. /work/shared/data/amazon2014/beauty."""
    return data_root() / "amazon2014" / name


def load_dataset(name: str, skip_bad: bool = False) -> tuple[Dataset, LoadReport]:
    """Load ``beauty``, ``sports``, ``sample`` or a canonical dataset directory given as a path."""
    if name in SHARED_NAMES:
        return load_shared_amazon(shared_dir(name), name=name, skip_bad=skip_bad)
    if name == "sample":
        return read_canonical(SAMPLE_DIR, name="sample", skip_bad=skip_bad)
    path = Path(name)
    if path.is_dir():
        return read_canonical(path, skip_bad=skip_bad)
    raise ValueError(f"unknown dataset {name!r}: use one of {(*SHARED_NAMES, 'sample')} or a directory")
