"""What a running job tells its status file: phase, overall progress, log lines, the outcome.

Progress is phase-weighted: entering a phase jumps to the weights of the phases before it, and
``fraction(f)`` moves within the phase. Writes are throttled to one per ``FLUSH_S`` (each may commit
a Modal Volume) by a flusher thread; phase changes and the outcome are written at once.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence

from genrec.jobs.store import TERMINAL, JobStore
from genrec.rpc.models import Job

FLUSH_S = 1.0


class Reporter:
    def __init__(self, store: JobStore, job_id: str, phases: Sequence[tuple[str, float]]) -> None:
        total = sum(w for _, w in phases)
        self.store, self.job_id = store, job_id
        self.weights = {name: w / total for name, w in phases}
        self.starts: dict[str, float] = {}
        acc = 0.0
        for name, _ in phases:
            self.starts[name] = acc
            acc += self.weights[name]
        self.job: Job = store.read(job_id, refresh=False)
        self._lock = threading.Lock()
        self._dirty = False
        self._stop = threading.Event()
        self._flusher = threading.Thread(target=self._flush_loop, name="job-status-flusher", daemon=True)

    def start(self) -> None:
        """Mark the job running; a failed job run again (by hand, or a later retry) comes back."""
        self._flusher.start()
        with self._lock:
            running = self.job.model_copy(update={"state": "running", "error": None})
            self.job = self.store.save(running, force=self.job.state == "failed")

    def close(self) -> None:
        self._stop.set()
        self._flusher.join(timeout=5)

    def phase(self, name: str) -> None:
        self.log(f"phase {name}")
        self._set(force=True, phase=name, progress=max(self.job.progress, self.starts[name]))

    def fraction(self, value: float) -> None:
        """Progress ``value`` (0..1) through the current phase; never moves backwards."""
        name = self.job.phase
        if name in self.starts:
            overall = self.starts[name] + self.weights[name] * min(1.0, max(0.0, value))
            self._set(progress=max(self.job.progress, min(overall, 1.0)))

    def log(self, message: str) -> None:
        self.store.append_log(self.job_id, message, commit=False)
        with self._lock:
            self._dirty = True

    def finish(self, state: str, **fields: object) -> Job:
        assert state in TERMINAL
        progress = 1.0 if state == "succeeded" else self.job.progress
        return self._set(force=True, state=state, progress=progress, **fields)

    def flush(self) -> None:
        self._set(force=True)

    def _set(self, force: bool = False, **changes: object) -> Job:
        with self._lock:
            self.job = self.job.model_copy(update=changes)
            self._dirty = True
            if force:
                self._write()
            return self.job

    def _write(self) -> None:
        # What is stored now; a job cancelled (or failed) by someone else stays so, and this
        # process's later writes are refused (JobStore.save).
        self.job = self.store.save(self.job)
        self._dirty = False

    def _flush_loop(self) -> None:
        while not self._stop.wait(FLUSH_S):
            with self._lock:
                if self._dirty:
                    self._write()


class LogStream(io.TextIOBase):
    """A text stream that turns whole lines into log lines (for the trainers' ``tqdm.write``)."""

    def __init__(self, reporter: Reporter) -> None:
        self.reporter = reporter
        self._buffer = ""

    def write(self, text: str) -> int:
        self._buffer += text
        *lines, self._buffer = self._buffer.split("\n")
        for line in lines:
            if line.strip():
                self.reporter.log(line.rstrip())
        return len(text)

    def flush(self) -> None:
        if self._buffer.strip():
            self.reporter.log(self._buffer.rstrip())
        self._buffer = ""
