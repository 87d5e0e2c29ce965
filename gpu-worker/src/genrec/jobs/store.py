"""The job store: jobs on disk, one directory per job under a root (local disk, or the Modal Volume).

    <root>/<job_id>/request.json   the TrainRequest, written once at creation
                    status.json    the contract's ``Job``, rewritten atomically (temp file + rename)
                    log.txt        every log line; ``Job.logs`` is its tail
                    pid | call_id  how the runner reaches the job process (local pid, Modal call id)
                    work/          the job's data, SIDs, checkpoints and artifact set (genrec.jobs.runner)

Several processes write one job (the job process its progress, the server a cancel or a crash), so
every write is a whole-file rename and terminal states are never overwritten by ``save``.
``commit`` / ``reload`` hooks let a Modal Volume persist writes and see other containers' writes;
on a local disk they do nothing.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from genrec.jobs.errors import JobNotFoundError
from genrec.rpc.models import Job, TrainRequest

TERMINAL = frozenset({"succeeded", "failed", "cancelled"})
LOG_TAIL = 50
MAX_LINE = 1000  # characters per log line; a traceback goes to the job's stdout file, not here
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what a job directory may be named: no dots, no slashes


def new_job_id() -> str:
    """12 random lowercase letters/digits: url-safe, ~62 bits, and never starts with '-'."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(12))


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _noop() -> None:
    pass


class JobStore:
    def __init__(
        self, root: Path, commit: Callable[[], None] = _noop, reload: Callable[[], None] = _noop
    ) -> None:
        self.root = Path(root)
        self.commit = commit  # after writes: persist them (Modal Volume.commit)
        self.reload = reload  # before reads: see other containers' writes (Modal Volume.reload)

    def job_dir(self, job_id: str) -> Path:
        if not _ID.fullmatch(job_id):
            raise JobNotFoundError(f"no job {job_id[:64]!r}")
        return self.root / job_id

    def create(self, request: TrainRequest) -> Job:
        job_id = new_job_id()
        directory = self.job_dir(job_id)
        directory.mkdir(parents=True)
        _atomic_write(directory / "request.json", request.model_dump_json(exclude_none=True, indent=2))
        created = now()
        job = Job(
            job_id=job_id,
            model=request.model,
            state="queued",
            phase="queued",
            progress=0.0,
            created_at=created,
            updated_at=created,
            logs=[],
        )
        self.append_log(job_id, f"job created: {request.model} preset {request.preset}", commit=False)
        return self.save(job)

    def ids(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if _ID.fullmatch(p.name) and p.is_dir())

    def read(self, job_id: str, refresh: bool = True) -> Job:
        """The job's status with ``logs`` = the current log tail; ``refresh`` reloads the volume first."""
        path = self.job_dir(job_id) / "status.json"
        if refresh:
            self.reload()
        try:
            job = Job.model_validate_json(path.read_bytes())
        except FileNotFoundError:
            raise JobNotFoundError(f"no job {job_id!r}") from None
        return job.model_copy(update={"logs": self.tail(job_id)})

    def request(self, job_id: str) -> TrainRequest:
        return TrainRequest.model_validate_json((self.job_dir(job_id) / "request.json").read_bytes())

    def save(self, job: Job, force: bool = False) -> Job:
        """Write ``job`` (stamped now, logs = tail) unless the stored state is already terminal and
        ``force`` is off: a late progress write must not undo a cancel. Returns what is stored."""
        path = self.job_dir(job.job_id) / "status.json"
        with _status_lock:  # check and write as one step, or a progress write lands over a terminal one
            if not force and path.exists():
                stored = Job.model_validate_json(path.read_bytes())
                if stored.state in TERMINAL:
                    return stored
            fresh = Job.model_validate(
                {**job.model_dump(), "updated_at": now(), "logs": self.tail(job.job_id)}
            )  # validated, so a bad progress or state fails here and not in a reader
            _atomic_write(path, fresh.model_dump_json(exclude_none=True, indent=2))
        self.commit()
        return fresh

    def update(self, job_id: str, **changes: Any) -> Job:
        """Read, change, save (not for terminal jobs: see ``save``)."""
        job = self.read(job_id, refresh=False)
        return self.save(job.model_copy(update=changes))

    def append_log(self, job_id: str, message: str, commit: bool = True) -> None:
        stamp = datetime.now(UTC).strftime("%H:%M:%S")
        lines = [f"{stamp} {line[:MAX_LINE]}" for line in message.splitlines() if line.strip()]
        if not lines:
            return
        with _log_lock, (self.job_dir(job_id) / "log.txt").open("a", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        if commit:
            self.commit()

    def tail(self, job_id: str, n: int = LOG_TAIL) -> list[str]:
        path = self.job_dir(job_id) / "log.txt"
        try:
            with path.open("rb") as f:
                f.seek(max(0, path.stat().st_size - n * (MAX_LINE + 16)))
                data = f.read()
        except FileNotFoundError:
            return []
        return data.decode("utf-8", "replace").splitlines()[-n:]

    def write_text(self, job_id: str, name: str, value: str) -> None:
        _atomic_write(self.job_dir(job_id) / name, value)
        self.commit()

    def read_text(self, job_id: str, name: str) -> str | None:
        try:
            return (self.job_dir(job_id) / name).read_text().strip()
        except FileNotFoundError:
            return None


_log_lock = threading.Lock()  # lines from several threads of one process stay whole
_status_lock = threading.Lock()  # one status write at a time per process (the job's flusher, its watchdog)


def _atomic_write(path: Path, text: str) -> None:
    # A temp name per process and thread: two writers never share (and clobber) one temp file.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    os.replace(tmp, path)
