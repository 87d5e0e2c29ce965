"""Named datasets: ``beauty`` / ``sports`` / ``toys`` (shared Amazon copy), ``sample`` (in the repo)
or a path to a canonical dataset directory.

The shared root is ``../shared/data`` beside the repository (``GENREC_DATA_ROOT`` overrides it, so a
machine with the data elsewhere, such as a Modal volume, needs no code change). The sample lives in
the source checkout (gpu-worker/data/sample), not in the wheel.
"""

from __future__ import annotations

import os
from pathlib import Path

from genrec.data.amazon_shared import TextSource, load_shared_amazon
from genrec.data.canonical import read_canonical
from genrec.data.dataset import Dataset
from genrec.data.io import LoadReport

SHARED_NAMES = ("beauty", "sports", "toys")
REPO_ROOT = Path(__file__).resolve().parents[4]
SAMPLE_DIR = REPO_ROOT / "gpu-worker" / "data" / "sample"


def data_root() -> Path:
    return Path(os.environ.get("GENREC_DATA_ROOT", REPO_ROOT.parent / "shared" / "data"))


def shared_dir(name: str) -> Path:
    """Directory of a shared Amazon 2014 category, e.g. ../shared/data/amazon2014/beauty."""
    return data_root() / "amazon2014" / name


def load_dataset(name: str, skip_bad: bool = False, text: TextSource = "meta") -> tuple[Dataset, LoadReport]:
    """Load ``beauty``, ``sports``, ``toys``, ``sample`` or a canonical dataset directory given as a
    path. ``text`` chooses the shared copy's item text (genrec.data.amazon_shared); other sources
    carry their own fields."""
    if name in SHARED_NAMES:
        return load_shared_amazon(shared_dir(name), name=name, skip_bad=skip_bad, text=text)
    if name == "sample":
        return read_canonical(SAMPLE_DIR, name="sample", skip_bad=skip_bad)
    path = Path(name)
    if path.is_dir():
        return read_canonical(path, skip_bad=skip_bad)
    raise ValueError(f"unknown dataset {name!r}: use one of {(*SHARED_NAMES, 'sample')} or a directory")
