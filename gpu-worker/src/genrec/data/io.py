"""Line readers with one bad-row policy shared by every loader.

Every loader reads through these helpers so that a malformed row is handled the same way
everywhere: by default it raises :class:`DataFormatError` naming the file and 1-based line number;
with ``skip_bad=True`` it is counted in the :class:`LoadReport` instead. Nothing is dropped
without a count, because an accuracy number is only as good as the rows it was computed on.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO


class DataFormatError(ValueError):
    """A row (or a whole file) does not match the expected format; ``path:line: reason``."""

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}")


@dataclass
class LoadReport:
    """What a loader read, skipped and deliberately removed.

    ``skipped`` counts malformed rows by reason (only non-empty when ``skip_bad``); ``removed``
    counts rows dropped on purpose (duplicates, k-core filtering, metadata for unknown items...);
    ``notes`` counts facts that are not drops (e.g. interacted items that have no text record).
    """

    source: str
    skip_bad: bool = False
    rows_read: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    removed: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)  # every skipped row as ``path:line: reason``

    def bad(self, path: Path | str, line: int | None, reason: str) -> None:
        """Raise for a malformed row, or count it when the caller opted into skipping."""
        err = DataFormatError(path, line, reason)
        if not self.skip_bad:
            raise err
        self.skipped[reason.split(":", 1)[0]] += 1
        self.examples.append(str(err))

    @property
    def total_skipped(self) -> int:
        return sum(self.skipped.values())

    def summary(self) -> str:
        parts = [f"{self.source}: read " + ", ".join(f"{k} {v}" for k, v in self.rows_read.items())]
        if self.skipped:
            parts.append("skipped " + ", ".join(f"{k} {v}" for k, v in self.skipped.items()))
        if self.removed:
            parts.append("removed " + ", ".join(f"{k} {v}" for k, v in self.removed.items()))
        if self.notes:
            parts.append(", ".join(f"{k} {v}" for k, v in self.notes.items()))
        return "; ".join(parts)


def open_text(path: Path | str) -> TextIO:
    """Open a text file, transparently gunzipping it (detected by magic bytes, not by suffix)."""
    path = Path(path)
    with path.open("rb") as f:
        magic = f.read(2)
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return path.open("r", encoding="utf-8")


def resolve(directory: Path, name: str) -> Path:
    """``directory/name`` or its ``.gz`` twin, whichever exists (the plain file wins)."""
    for candidate in (directory / name, directory / f"{name}.gz"):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"neither {directory / name} nor {directory / name}.gz exists")


def iter_records(
    path: Path | str,
    report: LoadReport,
    parse: Callable[[str], Any] = json.loads,
    kind: str = "rows",
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, object)`` for each non-blank line that parses to a JSON object."""
    with open_text(path) as f:
        for lineno, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                obj = parse(line)
            except (ValueError, SyntaxError) as e:
                report.bad(path, lineno, f"unparsable line: {type(e).__name__}: {e}")
                continue
            if not isinstance(obj, dict):
                report.bad(path, lineno, f"not an object: got {type(obj).__name__}")
                continue
            report.rows_read[kind] += 1
            yield lineno, obj


def iter_csv(
    path: Path | str, report: LoadReport, kind: str = "rows"
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, row)`` from a CSV file with a header line; short rows are bad rows."""
    with open_text(path) as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            raise DataFormatError(path, None, "empty CSV file (a header line is required)")
        header = [h.strip() for h in header]
        for row in reader:
            lineno = reader.line_num
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) != len(header):
                report.bad(path, lineno, f"wrong column count: expected {len(header)}, got {len(row)}")
                continue
            report.rows_read[kind] += 1
            yield lineno, dict(zip(header, row, strict=True))
