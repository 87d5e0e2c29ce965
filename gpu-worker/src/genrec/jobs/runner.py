"""The job runner: ``python -m genrec.jobs.runner --job-dir DIR`` runs one job to its end.

Reads ``DIR/request.json``, marks the job running, runs the pipeline and reports phases, progress,
logs and the outcome into ``DIR/status.json`` / ``DIR/log.txt`` (genrec.jobs.store). Running it again
on the same directory continues the job. Settings come from the environment (genrec.jobs.settings).
The local launcher starts it as a child process; Modal's ``train_job`` calls ``run_job`` in its
container.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
import traceback
from pathlib import Path

from genrec.jobs.errors import JobError
from genrec.jobs.pipeline import Pipeline, Workspace, phases_for, run_pipeline
from genrec.jobs.progress import Reporter
from genrec.jobs.settings import JobSettings
from genrec.jobs.store import JobStore
from genrec.rpc.models import Job

log = logging.getLogger("genrec.jobs")
MAX_ERROR = 2000


def run_job(
    store: JobStore,
    job_id: str,
    settings: JobSettings,
    final_attempt: bool = True,
    pipeline: Pipeline = run_pipeline,
) -> Job:
    """Run (or continue) one job through ``pipeline``; returns its final status. A JobError fails the
    job (until someone runs it again). Any other exception fails it on the ``final_attempt`` and is
    re-raised, so a launcher with retries (Modal) tries again and the next attempt resumes. Succeeded
    and cancelled jobs stay."""
    request = store.request(job_id)
    job = store.read(job_id, refresh=False)
    if job.state in ("succeeded", "cancelled"):
        return job  # nothing left to do, or nothing wanted
    reporter = Reporter(store, job_id, phases_for(request.model))
    reporter.start()
    reporter.log(f"job started in process {os.getpid()}")
    try:
        workspace = Workspace(store.job_dir(job_id) / "work", job_id)
        workspace.root.mkdir(parents=True, exist_ok=True)
        outcome = pipeline(request, workspace, settings, reporter)
        reporter.log("job succeeded")
        return reporter.finish(
            "succeeded", phase="done", artifact_version=outcome.artifact_version, metrics=outcome.metrics
        )
    except JobError as e:
        reporter.log(f"job failed: {e}")
        return reporter.finish("failed", error=str(e)[:MAX_ERROR])
    except BaseException as e:
        traceback.print_exc()  # the whole trace goes to the process output, one line to the job log
        message = f"{type(e).__name__}: {e}"[:MAX_ERROR]
        if final_attempt:
            reporter.log(f"job failed: {message}")
            reporter.finish("failed", error=message)
        else:
            reporter.log(f"attempt failed ({message}); the job will be retried")
            reporter.flush()
        raise
    finally:
        reporter.close()


def watch_parent(parent_pid: int, store: JobStore, job_id: str, interval: float = 1.0) -> None:
    """End this process when the server that started it is gone (it would be re-parented), so a job
    never outlives its local server; the job is marked failed on the way out."""

    def loop() -> None:
        while os.getppid() == parent_pid:
            time.sleep(interval)
        try:
            store.append_log(job_id, "the worker server exited; stopping the job")
            store.update(job_id, state="failed", error="worker server exited while the job was running")
        finally:
            os._exit(3)

    threading.Thread(target=loop, name="parent-watchdog", daemon=True).start()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m genrec.jobs.runner", description=__doc__.splitlines()[0])
    p.add_argument("--job-dir", type=Path, required=True, help="the job's directory: <jobs root>/<job id>")
    p.add_argument(
        "--parent-pid",
        type=int,
        help="exit (marking the job failed) once this process is no longer our parent (the local server)",
    )
    return p


def main(argv: list[str] | None = None, pipeline: Pipeline = run_pipeline) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    job_dir = args.job_dir.resolve()
    store = JobStore(job_dir.parent)
    if args.parent_pid is not None:
        watch_parent(args.parent_pid, store, job_dir.name)
    job = run_job(store, job_dir.name, JobSettings.from_env(), pipeline=pipeline)
    return 0 if job.state == "succeeded" else 1


if __name__ == "__main__":
    sys.exit(main())
