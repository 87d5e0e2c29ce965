"""Named datasets: ``beauty`` / ``sports`` / ``toys`` (shared Amazon copy), ``sample`` (in the repo),
the name of a dataset imported with ``genrec data import`` (``var/data/<name>``), or a path to a
dataset in any format of genrec.data.formats (detected).

The shared root is ``../shared/data`` beside the repository (``GENREC_DATA_ROOT`` overrides it, so a
machine with the data elsewhere, such as a Modal volume, needs no code change). The sample lives in
the source checkout (gpu-worker/data/sample), not in the wheel. Imported datasets live in
``gpu-worker/var/data`` (git-ignored; ``GENREC_IMPORTS`` moves it).
"""

from __future__ import annotations

import os
from pathlib import Path

from genrec.data.amazon_shared import TextSource
from genrec.data.dataset import Dataset
from genrec.data.formats import FORMATS, Format, LoadOptions, Source, detect, load_source
from genrec.data.io import LoadReport

SHARED_NAMES = ("beauty", "sports", "toys")
BUILTIN_NAMES = (*SHARED_NAMES, "sample")
REPO_ROOT = Path(__file__).resolve().parents[4]
SAMPLE_DIR = REPO_ROOT / "gpu-worker" / "data" / "sample"


def data_root() -> Path:
    return Path(os.environ.get("GENREC_DATA_ROOT", REPO_ROOT.parent / "shared" / "data"))


def imports_root() -> Path:
    """Where ``genrec data import`` writes a dataset given by name."""
    return Path(os.environ.get("GENREC_IMPORTS", REPO_ROOT / "gpu-worker" / "var" / "data"))


def shared_dir(name: str) -> Path:
    """Directory of a shared Amazon 2014 category, e.g. ../shared/data/amazon2014/beauty."""
    return data_root() / "amazon2014" / name


def is_plain_name(spec: str) -> bool:
    """A bare name (no path separator, not . or ..) that may name an imported dataset."""
    return bool(spec) and "/" not in spec and os.sep not in spec and spec not in (".", "..")


def source_of(
    spec: str, format: Format | None = None, side: Path | str | None = None
) -> tuple[Source, str | None]:
    """Where ``spec`` (a builtin name, an imported dataset's name or a path) lives, and its name
    (None for a path: the loader names it after the folder or file)."""
    if spec in SHARED_NAMES:
        return detect(shared_dir(spec), format or "amazon-shared"), spec
    if spec == "sample":
        return detect(SAMPLE_DIR, format or "canonical"), spec
    imported = imports_root() / spec
    if is_plain_name(spec) and imported.is_dir() and not Path(spec).exists():
        return detect(imported, format, side), spec
    if Path(spec).exists():
        return detect(spec, format, side), None
    raise ValueError(
        f"unknown dataset {spec!r}: use one of {BUILTIN_NAMES}, the name of an imported dataset "
        f"(under {imports_root()}) or a path to a dataset (formats: {', '.join(FORMATS)})"
    )


def load_dataset(name: str, skip_bad: bool = False, text: TextSource = "meta") -> tuple[Dataset, LoadReport]:
    """Load a builtin dataset, an imported one by name, or a dataset at a path (any format).
    ``text`` chooses the shared format's item text (genrec.data.amazon_shared); other sources
    carry their own fields."""
    source, default_name = source_of(name)
    return load_source(source, LoadOptions(name=default_name, skip_bad=skip_bad, text=text))
