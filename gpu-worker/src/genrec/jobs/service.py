"""Job semantics shared by both runtimes, and the RPC handlers over them.

A ``JobService`` pairs a store with a runner: the local runner (child processes, the default) or
Modal's (``.spawn()`` of the ``train_job`` function, defined in modal_app.py so that library code
never imports modal). Starting returns at once; a queued/running job whose process is gone reads as
failed; cancelling stops the process and then marks the job, and is a no-op on a finished job.

Module-level state: ``_service``, the process's service, built lazily from the environment (local
runner, $GENREC_JOBS_DIR) unless an entry point installs one with ``configure``.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from genrec.jobs.config import jobs_root
from genrec.jobs.errors import JobNotFoundError
from genrec.jobs.options import InvalidOverride, validate
from genrec.jobs.store import TERMINAL, JobStore, now
from genrec.rpc.context import RpcContext
from genrec.rpc.errors import RpcError
from genrec.rpc.models import ErrorIssue, Job, JobRef, TrainRequest

log = logging.getLogger(__name__)
LOST = "worker process exited unexpectedly"
CANCEL_MARK = "cancel_requested"


class Runner(Protocol):
    def start(self, store: JobStore, job_id: str) -> None: ...
    def alive(self, store: JobStore, job_id: str) -> bool: ...
    def stop(self, store: JobStore, job_id: str) -> None: ...


class JobService:
    def __init__(self, store: JobStore, runner: Runner) -> None:
        self.store, self.runner = store, runner
        self._lock = threading.Lock()  # one state transition at a time in this process

    def start(self, request: TrainRequest) -> Job:
        job = self.store.create(request)
        try:
            self.runner.start(self.store, job.job_id)
        except Exception as e:
            log.exception("could not start job %s", job.job_id)
            self.store.append_log(job.job_id, f"could not start the job process: {e}")
            self.store.update(job.job_id, state="failed", error=f"could not start the job process: {e}")
            raise
        return self.store.read(job.job_id, refresh=False)

    def status(self, job_id: str) -> Job:
        job = self.store.read(job_id)
        if job.state in TERMINAL or self.runner.alive(self.store, job_id):
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
        self.runner.stop(self.store, job_id)
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
            from genrec.jobs.local import LocalRunner

            _service = JobService(JobStore(jobs_root()), LocalRunner())
        return _service


def _not_found(job_id: str) -> RpcError:
    return RpcError(404, "not_found", f"no job {job_id[:128]!r}")


def train(request: TrainRequest, context: RpcContext) -> Job:
    try:
        validate(request)
    except InvalidOverride as e:
        issue = ErrorIssue(code="invalid_override", path=["overrides", e.key], message=e.detail)
        raise RpcError(400, "invalid_request", f"invalid override {e.key!r}", [issue]) from None
    return current().start(request)


def job_status(request: JobRef, context: RpcContext) -> Job:
    try:
        return current().status(request.job_id)
    except JobNotFoundError:
        raise _not_found(request.job_id) from None


def cancel_job(request: JobRef, context: RpcContext) -> Job:
    try:
        return current().cancel(request.job_id)
    except JobNotFoundError:
        raise _not_found(request.job_id) from None
