"""The job service: start, status, cancel and reconcile jobs, the same on both runtimes.

A ``JobService`` pairs a store with a launcher: the local one (child processes, the default) or
Modal's (``.spawn()`` of the ``train_job`` function, defined in modal_app.py so that library code
never imports modal). Starting returns at once; a queued/running job whose process is gone reads as
failed; cancelling stops the process and then marks the job, and is a no-op on a finished job.

Module-level state: ``_service``, the process's service, built lazily from the environment (local
launcher, $GENREC_JOBS_DIR) unless an entry point installs one with ``configure``.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from genrec.jobs.errors import JobNotFoundError
from genrec.jobs.settings import jobs_root
from genrec.jobs.store import TERMINAL, JobStore, now
from genrec.jobs.validation import validate
from genrec.rpc.models import Job, TrainRequest

log = logging.getLogger(__name__)
LOST = "worker process exited unexpectedly"
CANCEL_MARK = "cancel_requested"


class Launcher(Protocol):
    """Starts a job's process (``genrec.jobs.runner``), tells whether it still runs, stops it."""

    def start(self, store: JobStore, job_id: str) -> None: ...
    def alive(self, store: JobStore, job_id: str) -> bool: ...
    def stop(self, store: JobStore, job_id: str) -> None: ...


class JobService:
    def __init__(self, store: JobStore, launcher: Launcher) -> None:
        self.store, self.launcher = store, launcher
        self._lock = threading.Lock()  # one state transition at a time in this process

    def start(self, request: TrainRequest) -> Job:
        """Validate (raising InvalidTrainRequest before any job exists), create, launch."""
        validate(request)
        job = self.store.create(request)
        try:
            self.launcher.start(self.store, job.job_id)
        except Exception as e:
            log.exception("could not start job %s", job.job_id)
            self.store.append_log(job.job_id, f"could not start the job process: {e}")
            self.store.update(job.job_id, state="failed", error=f"could not start the job process: {e}")
            raise
        return self.store.read(job.job_id, refresh=False)

    def status(self, job_id: str) -> Job:
        job = self.store.read(job_id)
        if job.state in TERMINAL or self.launcher.alive(self.store, job_id):
            return job
        with self._lock:
            job = self.store.read(job_id)  # it may have finished between the two reads
            if job.state in TERMINAL:
                return job
            if self.store.read_text(job_id, CANCEL_MARK) is not None:
                return self._mark_cancelled(job)  # a cancel whose process stopped before it marked
            log.warning("job %s: %s", job_id, LOST)
            self.store.append_log(job_id, f"job failed: {LOST}", commit=False)
            return self.store.save(job.model_copy(update={"state": "failed", "error": LOST}))

    def cancel(self, job_id: str) -> Job:
        job = self.store.read(job_id)
        if job.state in TERMINAL:
            return job
        # The mark outlives a late status write from a job process that has not seen the cancel yet
        # (on a Modal Volume the last commit wins): status() still answers cancelled.
        self.store.write_text(job_id, CANCEL_MARK, now().isoformat())
        self.launcher.stop(self.store, job_id)
        with self._lock:
            job = self.store.read(job_id)
            if job.state in TERMINAL:
                return job  # it finished before the stop reached it
            return self._mark_cancelled(job)

    def _mark_cancelled(self, job: Job) -> Job:
        self.store.append_log(job.job_id, "job cancelled", commit=False)
        return self.store.save(job.model_copy(update={"state": "cancelled"}))

    def reconcile(self) -> list[str]:
        """Mark every queued/running job whose process is gone as failed (at server start)."""
        lost = []
        for job_id in self.store.ids():
            try:
                before = self.store.read(job_id, refresh=False).state
                if before not in TERMINAL and self.status(job_id).state == "failed":
                    lost.append(job_id)
            except (JobNotFoundError, ValueError) as e:  # a half-created or corrupt directory
                log.warning("skipping job directory %s: %s", job_id, e)
        return lost


_service: JobService | None = None
_service_lock = threading.Lock()


def configure(service: JobService | None) -> None:
    """Install the process's job service (Modal, tests); None goes back to the lazy local default."""
    global _service
    with _service_lock:
        _service = service


def current() -> JobService:
    global _service
    with _service_lock:
        if _service is None:
            from genrec.jobs.local_launcher import LocalLauncher

            _service = JobService(JobStore(jobs_root()), LocalLauncher())
        return _service
