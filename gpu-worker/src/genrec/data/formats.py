"""Every on-disk dataset format the loaders read, detected from a path or named, behind one call.

Formats (``--format`` names):

- ``canonical``      a directory with ``items.jsonl`` + ``sequences.jsonl`` ({"user_id", "item_ids"})
                     (+ ``stats.json``): genrec.data.canonical, what ``genrec data import`` writes.
- ``amazon-shared``  a directory with ``items.jsonl.gz`` ({"item", "text", ...}) + ``sequences.jsonl.gz``
                     ({"user", "items"}): the shared Amazon 2014 copy (genrec.data.amazon_shared).
- ``amazon-raw``     ``reviews_<Cat>[_5].json.gz`` + ``meta_<Cat>.json.gz`` (the public downloads), given
                     as the reviews file (the meta file is found beside it or named with ``meta=``) or
                     as a directory holding one of each (genrec.data.amazon_raw).
- ``events``         an events file, JSONL or CSV (``user_id, item_id, timestamp[, event_id]``), with an
                     optional items file (``Item`` JSONL, or CSV with an ``id`` column), given as the
                     events file (+ ``items=``) or as a directory holding ``events.{jsonl,csv}[.gz]``
                     and optionally ``items.{jsonl,csv}[.gz]`` (genrec.data.events).

Detection looks at names first (``reviews_*``, ``events.*``), then at the keys of the first
sequences line, so a shared-format folder is never read as canonical.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from genrec.data.amazon_raw import load_amazon_raw
from genrec.data.amazon_shared import TextSource, load_shared_amazon
from genrec.data.canonical import read_canonical
from genrec.data.dataset import Dataset
from genrec.data.events import load_events
from genrec.data.io import LoadReport, open_text

Format = Literal["canonical", "amazon-shared", "amazon-raw", "events"]
FORMATS: tuple[Format, ...] = get_args(Format)
_SUFFIXES = ("", ".gz")


@dataclass(frozen=True)
class Source:
    """A dataset on disk: its format and the files that make it up."""

    format: Format
    path: Path  # the directory (canonical, amazon-shared) or the main file (reviews, events)
    side: Path | None = None  # meta file (amazon-raw) or items file (events), when there is one

    def describe(self) -> str:
        return f"{self.format}: {self.path}" + (f" + {self.side}" if self.side else "")


@dataclass(frozen=True)
class LoadOptions:
    """What the loaders may do beyond reading: the papers' protocol is every default."""

    name: str | None = None
    text: TextSource = "meta"  # amazon-shared only
    core: int | None = None  # amazon-raw and events: iterative k-core filtering
    dedup: bool = False  # amazon-raw and events: keep a user's first interaction with an item
    skip_bad: bool = False
    keep_unseen_items: bool = False  # canonical and events: keep catalogue items nobody touched


def _first_keys(path: Path) -> set[str]:
    """Keys of the first non-blank JSON line of ``path`` (empty when it is not a JSON object)."""
    with open_text(path) as f:
        for line in f:
            if line.strip():
                try:
                    obj = json.loads(line)
                except ValueError:
                    return set()
                return set(obj) if isinstance(obj, dict) else set()
    return set()


def _find(directory: Path, stems: tuple[str, ...]) -> Path | None:
    for stem in stems:
        for suffix in _SUFFIXES:
            if (directory / f"{stem}{suffix}").is_file():
                return directory / f"{stem}{suffix}"
    return None


def _meta_beside(reviews: Path) -> Path | None:
    """``meta_<Cat>.json[.gz]`` beside ``reviews_<Cat>[_5].json[.gz]``."""
    cat = reviews.name.removeprefix("reviews_").split(".")[0].removesuffix("_5")
    return _find(reviews.parent, (f"meta_{cat}.json",))


def _detect_dir(path: Path) -> Source:
    reviews = sorted(path.glob("reviews_*.json*"))
    if reviews:
        if len(reviews) > 1:
            raise ValueError(f"{path} holds several reviews files: name one ({[r.name for r in reviews]})")
        return Source("amazon-raw", reviews[0], _meta_beside(reviews[0]) or _only(path.glob("meta_*.json*")))
    events = _find(path, ("events.jsonl", "events.csv"))
    if events is not None:
        return Source("events", events, _find(path, ("items.jsonl", "items.csv")))
    sequences = _find(path, ("sequences.jsonl",))
    if sequences is None:
        raise ValueError(
            f"{path}: no dataset found (expected sequences.jsonl[.gz] + items.jsonl[.gz], "
            "reviews_<Cat>.json.gz + meta_<Cat>.json.gz, or events.{jsonl,csv}[.gz] + items)"
        )
    keys = _first_keys(sequences)
    if {"user_id", "item_ids"} <= keys:
        return Source("canonical", path)
    if {"user", "items"} <= keys:
        return Source("amazon-shared", path)
    raise ValueError(
        f"{sequences}: first line has keys {sorted(keys)}; expected user_id + item_ids (canonical) "
        "or user + items (the shared Amazon format)"
    )


def _only(paths) -> Path | None:
    found = sorted(paths)
    return found[0] if len(found) == 1 else None


def detect(path: Path | str, format: Format | None = None, side: Path | str | None = None) -> Source:
    """The ``Source`` at ``path``: ``format`` when named (checked against FORMATS), else detected.
    ``side`` is the meta file (amazon-raw) or the items file (events) when not found beside it."""
    path = Path(path)
    if format is not None and format not in FORMATS:
        raise ValueError(f"unknown format {format!r}: use one of {FORMATS}")
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist")
    side_path = Path(side) if side is not None else None
    if path.is_dir():
        source = _detect_dir(path) if format is None else _named_dir(path, format)
    elif format in (None, "amazon-raw") and (
        path.name.startswith("reviews_") or "reviewerID" in _first_keys(path) or format == "amazon-raw"
    ):
        source = Source("amazon-raw", path, _meta_beside(path))
    elif format in (None, "events"):
        source = Source("events", path)
    else:
        raise ValueError(f"format {format} is a directory format, but {path} is a file")
    if side_path is not None:
        if source.format not in ("amazon-raw", "events"):
            raise ValueError(f"--items / --meta do not apply to the {source.format} format")
        source = Source(source.format, source.path, side_path)
    return source


def _named_dir(path: Path, format: Format) -> Source:
    if format in ("canonical", "amazon-shared"):
        return Source(format, path)
    found = _detect_dir(path)
    if found.format != format:
        raise ValueError(f"{path} holds no {format} dataset (it looks like {found.format})")
    return found


def load_source(source: Source, options: LoadOptions = LoadOptions()) -> tuple[Dataset, LoadReport]:
    """Read ``source`` with the loader of its format."""
    o = options
    match source.format:
        case "canonical":
            return read_canonical(source.path, o.name, o.skip_bad, o.keep_unseen_items)
        case "amazon-shared":
            return load_shared_amazon(source.path, o.name, o.skip_bad, o.text)
        case "amazon-raw":
            return load_amazon_raw(source.path, source.side, o.name, o.core, o.dedup, o.skip_bad)
        case "events":
            name = o.name or (source.path.parent.name if source.path.stem.startswith("events") else None)
            return load_events(
                source.path, source.side, name, o.core, o.dedup, o.skip_bad, o.keep_unseen_items
            )
    raise AssertionError(source.format)
