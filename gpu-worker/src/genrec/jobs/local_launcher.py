"""The local process launcher: each job is a child process of the server (``python -m
genrec.jobs.runner``), started, watched and stopped through its pid.

The child stays in the server's process group, so stopping the group (Ctrl-C, a supervisor, the
end-to-end test) stops its jobs too; and the child watches its parent, so a job never outlives a
server killed alone. Its raw output (tracebacks, progress bars) goes to ``<job dir>/stdout.txt``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from genrec.jobs.store import JobStore

TERM_GRACE_S = 5.0
RUNNER = (sys.executable, "-m", "genrec.jobs.runner")


class LocalLauncher:
    """genrec.jobs.service.Launcher for this machine. ``command`` is the job process without its
    ``--job-dir`` / ``--parent-pid`` arguments (tests start a fake pipeline's script instead)."""

    def __init__(self, command: Sequence[str] = RUNNER) -> None:
        self.command = list(command)
        self._children: dict[str, subprocess.Popen[bytes]] = {}  # by job id, while this server runs
        self._lock = threading.Lock()

    def start(self, store: JobStore, job_id: str) -> None:
        job_dir = store.job_dir(job_id)
        command = [*self.command, "--job-dir", str(job_dir), "--parent-pid", str(os.getpid())]
        with (job_dir / "stdout.txt").open("ab") as out:
            child = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        with self._lock:
            self._children[job_id] = child
        store.write_text(job_id, "pid", str(child.pid))

    def alive(self, store: JobStore, job_id: str) -> bool:
        with self._lock:
            child = self._children.get(job_id)
        if child is not None:
            return child.poll() is None  # also reaps it, so no zombie lingers
        pid = _pid(store, job_id)
        return pid is not None and _is_job_process(pid, store.job_dir(job_id))

    def stop(self, store: JobStore, job_id: str) -> None:
        """SIGTERM, then SIGKILL after a grace period; returns once the process is gone."""
        with self._lock:
            child = self._children.get(job_id)
        if child is not None:
            if child.poll() is None:
                child.terminate()
                try:
                    child.wait(TERM_GRACE_S)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
            return
        pid = _pid(store, job_id)
        if pid is None or not _is_job_process(pid, store.job_dir(job_id)):
            return
        _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + TERM_GRACE_S
        while _is_job_process(pid, store.job_dir(job_id)) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _is_job_process(pid, store.job_dir(job_id)):
            _signal(pid, signal.SIGKILL)


def _pid(store: JobStore, job_id: str) -> int | None:
    text = store.read_text(job_id, "pid")
    return int(text) if text and text.isdigit() else None


def _is_job_process(pid: int, job_dir: Path) -> bool:
    """Is ``pid`` alive and still this job's process (pids are reused after a restart)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # someone else's process under a reused pid
    proc = Path(f"/proc/{pid}")
    if not proc.exists():
        return True  # no procfs (macOS): the pid exists, trust it
    try:
        if (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return False  # exited, not yet reaped by its parent
        return str(job_dir) in (proc / "cmdline").read_bytes().decode(errors="replace").split("\0")
    except (OSError, IndexError):
        return False


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)
