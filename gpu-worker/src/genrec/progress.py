"""Progress for every stage that takes more than a few seconds, on a terminal and in a log file.

When stderr is a terminal, ``progress`` is a tqdm bar. Otherwise (``nohup ... > run.log 2>&1``, a
job log) it writes whole lines, one per update at most every ``GENREC_PROGRESS_SECONDS`` (default
30) and one when the stage ends, so a log reads as a list of steps with no carriage returns::

    [12:03:34] embed all-MiniLM-L6-v2: 1,024/2,795 texts (37%), 21s, ~36s left
    [12:04:01] embed all-MiniLM-L6-v2: done, 2,795 texts in 57s

``stage`` covers work with no count to report (a faiss PCA/OPQ fit): a line when it starts, one
every interval with the elapsed time while it runs (a heartbeat thread), and one when it ends.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from tqdm import tqdm


def interval() -> float:
    return float(os.environ.get("GENREC_PROGRESS_SECONDS", "30"))


def interactive() -> bool:
    return sys.stderr.isatty()


def say(line: str) -> None:
    """One timestamped line on stderr (through tqdm, so a live bar is redrawn below it)."""
    tqdm.write(f"[{time.strftime('%H:%M:%S')}] {line}", file=sys.stderr)


def _plural(unit: str) -> str:
    return unit + ("es" if unit.endswith(("s", "sh", "ch", "x")) else "s")


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f}s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


class LineProgress:
    """tqdm's ``update`` / iteration / context-manager surface, written as whole lines."""

    def __init__(
        self, iterable: Iterable[Any] | None, total: int | None, desc: str, unit: str, done_line: bool
    ) -> None:
        self.iterable, self.desc, self.unit, self.done_line = iterable, desc, unit, done_line
        if total is None and iterable is not None and hasattr(iterable, "__len__"):
            total = len(iterable)  # type: ignore[arg-type]
        self.total, self.n, self.closed = total, 0, False
        self.started = self.last = time.monotonic()
        self.every = interval()

    def __iter__(self) -> Iterator[Any]:
        assert self.iterable is not None
        try:
            for x in self.iterable:
                yield x
                self.update(1)
        finally:
            self.close()

    def __enter__(self) -> LineProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def update(self, n: int = 1) -> None:
        self.n += n
        now = time.monotonic()
        if now - self.last >= self.every and (self.total is None or self.n < self.total):
            self.last = now
            say(self._status(now - self.started))

    def _status(self, elapsed: float) -> str:
        if not self.total:
            return f"{self.desc}: {self.n:,} {_plural(self.unit)}, {_duration(elapsed)}"
        left = elapsed * (self.total - self.n) / max(1, self.n)
        share = f"{self.n:,}/{self.total:,} {_plural(self.unit)} ({100 * self.n / self.total:.0f}%)"
        return f"{self.desc}: {share}, {_duration(elapsed)}, ~{_duration(left)} left"

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.done_line:
            took = _duration(time.monotonic() - self.started)
            say(f"{self.desc}: done, {self.n:,} {_plural(self.unit)} in {took}")


def progress(
    iterable: Iterable[Any] | None = None,
    *,
    total: int | None = None,
    desc: str,
    unit: str = "it",
    done_line: bool = True,
    disable: bool = False,
) -> Any:
    """A tqdm bar on a terminal, else a ``LineProgress`` (module docstring). ``done_line=False`` for
    inner loops whose caller prints its own summary line (the training loop's epoch line)."""
    if disable:
        return tqdm(iterable, total=total, disable=True)
    if interactive():
        return tqdm(iterable, total=total, desc=desc, unit=unit, leave=False, file=sys.stderr)
    return LineProgress(iterable, total, desc, unit, done_line)


@contextmanager
def stage(desc: str, quiet: bool = False) -> Iterator[None]:
    """A start line, a heartbeat while the body runs (every interval; 10 s on a terminal), an end
    line with the duration. For work that reports no count (faiss fits release the GIL, so the
    heartbeat keeps time while they run)."""
    if quiet:
        yield
        return
    started, stop = time.monotonic(), threading.Event()
    every = 10.0 if interactive() else interval()
    say(f"{desc} ...")

    def beat() -> None:
        while not stop.wait(every):
            say(f"{desc}: running, {_duration(time.monotonic() - started)}")

    thread = threading.Thread(target=beat, name=f"progress {desc}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        say(f"{desc}: done in {_duration(time.monotonic() - started)}")
